"""Background tasks of the SLA app, run by `aftersales worker` on its schedule."""

from django_tasks import task

from .scan import sla_scan as run_scan


@task()
def sla_scan() -> dict:
    """One scan: timers newly at risk or breached each get one event and notification
    (idempotent: a crossing already recorded is not recorded again)."""
    result = run_scan()
    return {"at_risk": result.at_risk, "breached": result.breached}
