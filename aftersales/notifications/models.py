"""Messages to customers. Delivery channels (SMS, e-mail, platform) come later; the record
of what we told the customer, and when, exists from intake on."""

from django.db import models


class OutboundMessage(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        EMAIL = "email", "电子邮件"
        PORTAL = "portal", "顾客门户"
        PLATFORM = "platform", "平台消息"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    dispute = models.ForeignKey(
        "disputes.Dispute", on_delete=models.PROTECT, related_name="outbound_messages"
    )
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    template = models.CharField("模板", max_length=50)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "顾客消息"
        verbose_name_plural = "顾客消息"
        indexes = [models.Index(fields=["state", "created_at"], name="outbound_state_idx")]
