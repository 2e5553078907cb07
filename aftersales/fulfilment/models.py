"""Execution (执行, SPEC §7): what was agreed being carried out — a refund, a return with
refund, an exchange, a re-shipment, a repair, compensation — with the date it is expected
by, and the parcels it moves. Written only by `services.py`; every write is a timeline
event on the dispute."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from aftersales.disputes.models import Dispute
from aftersales.parties.models import Order


class Execution(models.Model):
    class Kind(models.TextChoices):
        REFUND = "refund", pgettext_lazy("execution kind", "退款")
        RETURN_REFUND = "return_refund", pgettext_lazy("execution kind", "退货退款")
        EXCHANGE = "exchange", pgettext_lazy("execution kind", "换货")
        RESHIP = "reship", pgettext_lazy("execution kind", "补发")
        REPAIR = "repair", pgettext_lazy("execution kind", "维修")
        COMPENSATION = "compensation", pgettext_lazy("execution kind", "赔偿")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("execution state", "待执行")
        IN_PROGRESS = "in_progress", pgettext_lazy("execution state", "执行中")
        DONE = "done", pgettext_lazy("execution state", "已完成")
        CANCELLED = "cancelled", pgettext_lazy("execution state", "已取消")

    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="executions", verbose_name="投诉"
    )
    kind = models.CharField("执行方式", max_length=20, choices=Kind.choices)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    amount = models.DecimalField(
        "金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    payment_channel = models.CharField(
        "退款渠道", max_length=20, choices=Order.PaymentChannel.choices, blank=True
    )
    expected_by = models.DateTimeField("预计完成时间")
    # How expected_by was set: the rule that produced it, or "given" when a person set it.
    expected_rule = models.CharField("预计时间依据", max_length=200, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "执行"
        verbose_name_plural = "执行"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="execution_amount_not_negative",
            ),
        ]
        indexes = [
            # The daily check: unfinished executions past their expected date.
            models.Index(
                fields=["expected_by"],
                condition=Q(state__in=["pending", "in_progress"]),
                name="execution_unfinished_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}:{self.kind}:{self.state}"


class Parcel(models.Model):
    """A parcel an execution moves: the customer's return, or what we send them."""

    class Direction(models.TextChoices):
        FROM_CUSTOMER = "from_customer", pgettext_lazy("parcel direction", "顾客寄回")
        TO_CUSTOMER = "to_customer", pgettext_lazy("parcel direction", "寄给顾客")

    execution = models.ForeignKey(
        Execution, on_delete=models.PROTECT, related_name="parcels", verbose_name="执行"
    )
    direction = models.CharField("方向", max_length=20, choices=Direction.choices)
    carrier = models.CharField("快递公司", max_length=50)
    tracking_no = models.CharField("快递单号", max_length=64)
    shipped_at = models.DateTimeField("寄出时间")
    # The latest tracking movement; the shipping itself until the first scan.
    last_movement_at = models.DateTimeField("最近物流更新")
    last_movement = models.CharField("最近物流信息", max_length=200, blank=True)
    delivered_at = models.DateTimeField("签收时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "包裹"
        verbose_name_plural = "包裹"
        ordering = ["shipped_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["execution", "carrier", "tracking_no"], name="parcel_once_per_execution"
            ),
        ]
        indexes = [
            # The daily check: parcels still in transit whose last movement is old.
            models.Index(
                fields=["last_movement_at"],
                condition=Q(delivered_at__isnull=True),
                name="parcel_in_transit_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_no}"
