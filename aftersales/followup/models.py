"""The follow-up visit (回访, SPEC §8): within 24 hours of execution someone calls the
customer back — resolved? refund arrived? how satisfied (1–5)? — and the answers close
the dispute or reopen it. Written only by `visits.py` (created when the dispute's
execution is complete, recorded by `followup_record`); every write is a timeline event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from aftersales.disputes.models import Dispute


class VisitState(models.TextChoices):
    DUE = "due", pgettext_lazy("follow-up state", "待回访")
    DONE = "done", pgettext_lazy("follow-up state", "已回访")
    # The dispute left follow-up another way: the customer confirmed, withdrew, or staff
    # reopened it.
    CANCELLED = "cancelled", pgettext_lazy("follow-up state", "已取消")


class VisitChannel(models.TextChoices):
    """How the customer was reached (or tried)."""

    PHONE = "phone", pgettext_lazy("follow-up channel", "电话")
    SMS = "sms", pgettext_lazy("follow-up channel", "短信")
    WECHAT = "wechat", pgettext_lazy("follow-up channel", "微信")
    PORTAL = "portal", pgettext_lazy("follow-up channel", "顾客门户")
    PLATFORM_CHAT = "platform_chat", pgettext_lazy("follow-up channel", "平台旺旺/客服消息")
    EMAIL = "email", pgettext_lazy("follow-up channel", "电子邮件")
    IN_PERSON = "in_person", pgettext_lazy("follow-up channel", "当面")


class VisitResult(models.TextChoices):
    """What the answers did to the dispute."""

    CLOSED = "closed", pgettext_lazy("follow-up result", "满意，结案")
    REOPENED = "reopened", pgettext_lazy("follow-up result", "不满意，重新打开")


class FollowUpVisit(models.Model):
    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="follow_up_visits", verbose_name="投诉"
    )
    state = models.CharField(
        "状态", max_length=10, choices=VisitState.choices, default=VisitState.DUE
    )
    due_at = models.DateTimeField("回访期限")
    # The answers, once the customer was reached.
    reached = models.BooleanField("已联系上顾客", default=False)
    resolved = models.BooleanField("问题已解决", null=True, blank=True)
    # None when the dispute had no refund to arrive.
    refund_arrived = models.BooleanField("退款已到账", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField("满意度（1-5）", null=True, blank=True)
    comment = models.TextField("顾客意见", max_length=2000, blank=True, default="")
    channel = models.CharField(
        "回访方式", max_length=20, choices=VisitChannel.choices, blank=True, default=""
    )
    result = models.CharField(
        "回访结果", max_length=10, choices=VisitResult.choices, blank=True, default=""
    )
    # Tries that did not reach the customer (each one is a timeline event).
    attempts = models.PositiveSmallIntegerField("未接通次数", default=0)
    last_attempt_at = models.DateTimeField("最近一次尝试", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回访人",
    )
    recorded_at = models.DateTimeField("回访时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True, default="")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_1_to_5",
            ),
            # Answers only when the customer was reached.
            models.CheckConstraint(
                condition=Q(reached=True)
                | Q(satisfaction__isnull=True, resolved__isnull=True, refund_arrived__isnull=True),
                name="followup_answers_when_reached",
            ),
            # One visit due at a time per dispute.
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(state="due"),
                name="followup_one_due_per_dispute",
            ),
        ]
        indexes = [
            # Visits due, earliest first (the work list, the daily check).
            models.Index(fields=["due_at"], condition=Q(state="due"), name="followup_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}:{self.state}"
