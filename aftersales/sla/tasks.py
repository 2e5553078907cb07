"""Background tasks of the SLA app, run by `aftersales worker` on its schedule."""

from django_tasks import task

from .scan import sla_scan as run_scan


@task()
def sla_scan() -> dict:
    """One scan: timers newly at risk or breached each get one event and notification
    (idempotent: a crossing already recorded is not recorded again)."""
    result = run_scan()
    return {"at_risk": result.at_risk, "breached": result.breached}


@task()
def calendar_years() -> dict:
    """Daily: count provisional due times again (the package may have been upgraded to
    know their year), and from 1 December ask admins to enter next year's holidays."""
    from .calendar_notices import calendar_year_warn
    from .services import recompute_provisional

    recomputed = recompute_provisional()
    notes = calendar_year_warn()
    return {"recomputed": recomputed, "notifications": len(notes)}
