"""Background tasks of follow-up, run by `aftersales worker` on its schedule."""

from django_tasks import task


@task()
def daily_checks() -> dict:
    """The morning's daily proactive checks (三主动): one inbox notification (and e-mail)
    per agent with something to follow up. Idempotent within a Shanghai day."""
    from .daily_check_notices import daily_check_notify

    notes = daily_check_notify()
    return {"notifications": len(notes)}
