from django.apps import AppConfig


class FollowupConfig(AppConfig):
    """Following disputes up (SPEC §8): the follow-up visit (回访) after execution, which
    closes or reopens the dispute; the closure summary; the daily proactive checks
    (三主动) over what mediation promised and fulfilment has not finished, with the
    `daily-check` command and the morning task."""

    name = "aftersales.followup"
    label = "followup"
    verbose_name = "跟进督办"

    def ready(self) -> None:
        from aftersales.disputes import handlers as news

        from . import handlers, timeline  # noqa: F401 (timeline registers its event kinds)

        news.register(
            news.ActionApplied,
            handlers.on_action_applied,
            order=handlers.ORDER,
            name="followup.visits",
        )
