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
def daily_checks() -> dict:
    """The morning's daily proactive checks (三主动): one inbox notification (and e-mail)
    per agent with something to follow up. Idempotent within a Shanghai day."""
    from .daily_check_notices import daily_check_notify

    notes = daily_check_notify()
    return {"notifications": len(notes)}
