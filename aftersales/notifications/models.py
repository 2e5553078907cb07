"""Messages to customers, and the staff inbox. A customer message is delivered by the
worker through the adapter of its channel (channels.py: SMS, e-mail, the portal inbox);
every message is also shown in the customer's portal inbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutboundMessage(models.Model):
    """A message to a customer: what we told them, and when. The stored subject and body
    never hold a secret: a message that carries one (the customer link and one-time code
    of a proposal) keeps references in `params`, and the delivery step renders the secret
    into the text it hands to the channel, storing only its SHA-256 (services)."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")
        PORTAL = "portal", _("顾客门户")
        PLATFORM = "platform", _("平台消息")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        # An attempt is recorded (committed) before the channel is called, so a worker
        # killed after the channel took the text leaves this state, not "pending".
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        # The provider's delivery receipt said it reached the phone, or the customer read
        # it in the portal (message_read).
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("发送失败")
        CANCELLED = "cancelled", _("已取消")  # nothing left to say by delivery time

    class Failure(models.TextChoices):
        REFUSED = "refused", _("通道未接收")  # transient: retried with backoff
        UNKNOWN = "unknown", _("不确定是否已送达")  # never retried blindly
        # Permanent: the provider will never take it (invalid number, unsubscribed); not
        # retried. `failure_detail` says why in words.
        REJECTED = "rejected", _("无法发送")
        # The provider took it, and its delivery receipt says it did not reach the phone.
        UNDELIVERED = "undelivered", _("未能送达")

    dispute = models.ForeignKey(
        "disputes.Dispute", on_delete=models.PROTECT, related_name="outbound_messages"
    )
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    template = models.CharField("模板", max_length=50)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    # What the delivery step renders from (record ids such as {"revision": 12}); no secret.
    params = models.JSONField("引用", default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField(null=True, blank=True)
    # Delivery attempts: the n-th is handed to the channel with the key "outbound-<id>-<n>"
    # (`delivery_key`), the provider's idempotency key (SMS out-id, session context).
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    attempted_at = models.DateTimeField("最近一次发送", null=True, blank=True)
    failure = models.CharField("失败原因", max_length=12, choices=Failure.choices, blank=True)
    # The provider's words for the last failure, e.g.
    # "手机号码格式错误（isv.MOBILE_NUMBER_ILLEGAL）".
    failure_detail = models.CharField("失败说明", max_length=200, blank=True)
    retry_at = models.DateTimeField("下次重试", null=True, blank=True)
    provider_message_id = models.CharField("服务商消息编号", max_length=100, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    # When the customer opened it in the portal inbox.
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    # When the provider was last asked for the delivery receipt (SMS).
    receipt_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "顾客消息"
        verbose_name_plural = "顾客消息"
        indexes = [models.Index(fields=["state", "created_at"], name="outbound_state_idx")]

    @property
    def delivery_key(self) -> str:
        """The idempotency key of the latest attempt."""
        return f"outbound-{self.pk}-{self.attempts}"


class Notification(models.Model):
    """An entry in a staff member's in-app inbox (站内通知)."""

    class Kind(models.TextChoices):
        ROUTED = "routed", pgettext_lazy("notification kind", "新的部门任务")
        ASSIGNED = "assigned", pgettext_lazy("notification kind", "分派给您")
        MAJOR = "major", pgettext_lazy("notification kind", "重大投诉")
        ESCALATION = "escalation", pgettext_lazy("notification kind", "升级风险")
        GROUP_COMPLAINT = "group_complaint", pgettext_lazy("notification kind", "疑似集体投诉")
        # aftersales.sla scan
        SLA_AT_RISK = "sla_at_risk", pgettext_lazy("notification kind", "时限预警")
        SLA_BREACHED = "sla_breached", pgettext_lazy("notification kind", "超时升级")
        # aftersales.followup.daily_checks
        DAILY_CHECK = "daily_check", pgettext_lazy("notification kind", "每日主动检查")
        # aftersales.mediation.notices
        APPROVAL_REQUESTED = (
            "approval_requested",
            pgettext_lazy("notification kind", "待您审批的调解方案"),
        )
        PROPOSAL_ANSWERED = (
            "proposal_answered",
            pgettext_lazy("notification kind", "顾客答复调解方案"),
        )
        PROPOSAL_DECIDED = (
            "proposal_decided",
            pgettext_lazy("notification kind", "调解方案审批结果"),
        )
        # aftersales.sla.calendar_notices: next year's holidays are not entered yet
        CALENDAR_YEAR_MISSING = (
            "calendar_year_missing",
            pgettext_lazy("notification kind", "工作日历缺少下一年"),
        )
        # aftersales.intake.customer_messages
        CUSTOMER_MESSAGE = "customer_message", pgettext_lazy("notification kind", "顾客留言")
        REOPEN_REQUESTED = (
            "reopen_requested",
            pgettext_lazy("notification kind", "顾客申请重新打开"),
        )

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    dispute = models.ForeignKey(
        "disputes.Dispute",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    # Set by the worker about to e-mail it (a conditional UPDATE), so two runs at once
    # send it once; a claim older than TASK_STALE_AFTER_SECONDS was a dead worker's.
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="inbox_idx"),
        ]
