"""The privacy command's timeline events (PIPL): a customer's data exported, a closed
dispute's personal data erased."""

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy

from aftersales.disputes.timeline_registry import event_kinds


@event_kinds
class PrivacyKind(TextChoices):
    PERSONAL_DATA_EXPORTED = (
        "personal_data_exported",
        pgettext_lazy("timeline event", "导出个人信息"),
    )
    PERSONAL_DATA_ERASED = "personal_data_erased", pgettext_lazy("timeline event", "个人信息匿名化")
