"""What follow-up is told by the disputes app (registered in apps.FollowupConfig.ready,
after the SLA timers, so the follow-up timer's deadline is known): a visit is due when
execution is complete; a visit still due is cancelled when the dispute leaves follow-up
another way; a closed dispute gets its closure summary."""

from aftersales.disputes.lifecycle import Action, Status

from .closure import closure_summary_event
from .visits import visit_open, visits_cancel

# After the SLA timers (100) and fulfilment's refusal (10).
ORDER = 200
LEAVES_FOLLOW_UP = frozenset(
    {Action.CLOSE.value, Action.REOPEN.value, Action.WITHDRAW.value, Action.RESUME.value}
)


def on_action_applied(news) -> None:
    event = news.event
    if event.action == Action.COMPLETE.value:
        visit_open(news.dispute, at=news.at)
        return
    if event.action in LEAVES_FOLLOW_UP and event.from_status == Status.FOLLOW_UP.value:
        visits_cancel(news.dispute, action=event.action, at=news.at)
    if event.action == Action.CLOSE.value:
        closure_summary_event(news.dispute, event).save(force_insert=True)
