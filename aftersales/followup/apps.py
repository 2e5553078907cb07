from django.apps import AppConfig


class FollowupConfig(AppConfig):
    """No models: following up open disputes (SPEC §8), today the daily proactive checks
    (三主动) over what mediation promised and fulfilment has not finished; the
    `daily-check` command and the morning task."""

    name = "aftersales.followup"
    label = "followup"
    verbose_name = "跟进督办"
