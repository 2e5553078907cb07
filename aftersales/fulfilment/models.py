"""Execution (执行, SPEC §7): after-sale orders (售后单), one per agreed remedy line — a
refund, a return with refund, an exchange, a re-shipment, a repair, compensation — with
the parcels they move, the payouts finance records, the returned goods' inspection
(退货入库) and the repair record (维修单). Written only by the services; every write is a
timeline event on the dispute. The state machines are `flows`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from aftersales.disputes.models import Dispute, Evidence
from aftersales.parties.models import Order, OrderLine, Product
from aftersales.parties.roles import Department

from .flows import AfterSaleType, CompensationForm, State, Variant

_OPEN_STATES = [s.value for s in State if s not in (State.DONE, State.CANCELLED, State.FAILED)]


class AfterSaleOrder(models.Model):
    """售后单: one agreed remedy line being carried out."""

    Type = AfterSaleType
    State = State

    number = models.CharField("售后单号", max_length=40, unique=True)
    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="aftersale_orders", verbose_name="投诉"
    )
    type = models.CharField("售后类型", max_length=30, choices=AfterSaleType.choices)
    variant = models.CharField(
        "执行方式", max_length=20, choices=Variant.choices, blank=True, default=""
    )
    compensation_form = models.CharField(
        "补偿形式", max_length=10, choices=CompensationForm.choices, blank=True, default=""
    )
    state = models.CharField("内部状态", max_length=30, choices=State.choices)
    # Who must act now (the state's department); blank once finished.
    department = models.CharField(
        "当前处理部门", max_length=30, choices=Department.choices, blank=True, default=""
    )
    # The platform's own after-sale status (code stored, label shown) and number, when
    # the dispute came from a platform.
    platform_status = models.CharField("平台状态", max_length=40, blank=True, default="")
    platform_aftersale_no = models.CharField("平台售后单号", max_length=64, blank=True, default="")

    # Where it comes from: a line of an accepted proposal's settlement agreement (ids, not
    # keys: mediation sits above this app), or a person with a reason.
    agreement_id = models.PositiveBigIntegerField("调解协议", null=True, blank=True)
    remedy_line = models.PositiveSmallIntegerField("方案条目", null=True, blank=True)
    remedy_code = models.CharField("解决办法", max_length=30, blank=True, default="")
    reason = models.CharField("登记原因", max_length=500, blank=True, default="")

    # Money (yuan). amount: 应退金额 / 赔付金额 as agreed; paid_amount: 实退金额, what
    # payouts not bounced have paid; customer_pays: 买家应补 (an exchange to a dearer item).
    amount = models.DecimalField(
        "应退金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_amount = models.DecimalField("实退金额（元）", max_digits=12, decimal_places=2, default=0)
    customer_pays = models.DecimalField(
        "买家应补（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    customer_paid_at = models.DateTimeField("买家补款时间", null=True, blank=True)
    payment_channel = models.CharField(
        "退款渠道", max_length=20, choices=Order.PaymentChannel.choices, blank=True, default=""
    )
    # When the money (or the goods) is expected with the customer, and the rule that said so.
    expected_from = models.DateTimeField("预计最早到账", null=True, blank=True)
    expected_by = models.DateTimeField("预计完成时间", null=True, blank=True)
    expected_rule = models.CharField("预计时间依据", max_length=200, blank=True, default="")
    arrival_confirmed_at = models.DateTimeField("到账确认时间", null=True, blank=True)
    arrival_confirmed_by = models.CharField("到账确认人", max_length=100, blank=True, default="")
    # The agreed deadline (the proposal line's deadline_days from the agreement).
    deadline_at = models.DateTimeField("约定完成期限", null=True, blank=True)

    # Goods.
    order_line = models.ForeignKey(
        OrderLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aftersale_orders",
        verbose_name="子订单",
    )
    quantity = models.PositiveIntegerField("数量", default=1)
    kept = models.JSONField("保留的套餐组件", default=list, blank=True)
    return_address = models.CharField("退货地址", max_length=255, blank=True, default="")
    replacement = models.CharField("换货/补发商品", max_length=200, blank=True, default="")
    receipt_deadline_extended_to = models.DateTimeField(
        "原订单确认收货延长至", null=True, blank=True
    )

    # 运费险 (return-shipping insurance): the insurer's payout, by its own tariff.
    shipping_insurance = models.BooleanField("运费险", default=False)
    insurance_expected_by = models.DateTimeField("运费险预计理赔时间", null=True, blank=True)
    insurance_amount = models.DecimalField(
        "运费险理赔金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    insurance_paid_at = models.DateTimeField("运费险理赔时间", null=True, blank=True)
    insurance_reference = models.CharField("理赔单号", max_length=100, blank=True, default="")

    note = models.CharField("说明", max_length=500, blank=True, default="")
    cancel_reason = models.CharField("取消原因", max_length=500, blank=True, default="")
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
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "售后单"
        verbose_name_plural = "售后单"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="aftersale_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0), name="aftersale_paid_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(customer_pays__isnull=True) | Q(customer_pays__gte=0),
                name="aftersale_customer_pays_not_negative",
            ),
            # One order per agreed line: creating them again from one agreement is a no-op.
            models.UniqueConstraint(
                fields=["agreement_id", "remedy_line"],
                condition=Q(agreement_id__isnull=False),
                name="aftersale_once_per_agreed_line",
            ),
        ]
        indexes = [
            # Work lists: open orders by the department that must act, oldest first.
            models.Index(
                fields=["department", "state", "created_at"],
                condition=Q(state__in=_OPEN_STATES),
                name="aftersale_open_by_dept_idx",
            ),
            # The daily check: open orders past their expected date.
            models.Index(
                fields=["expected_by"],
                condition=Q(state__in=_OPEN_STATES),
                name="aftersale_unfinished_idx",
            ),
            # The daily check: insurance payouts expected and not recorded.
            models.Index(
                fields=["insurance_expected_by"],
                condition=Q(insurance_paid_at__isnull=True, insurance_expected_by__isnull=False),
                name="aftersale_insurance_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in _OPEN_STATES


class Parcel(models.Model):
    """A parcel an after-sale order moves: the customer's return, or what we send them."""

    class Direction(models.TextChoices):
        FROM_CUSTOMER = "from_customer", pgettext_lazy("parcel direction", "顾客寄回")
        TO_CUSTOMER = "to_customer", pgettext_lazy("parcel direction", "寄给顾客")

    aftersale_order = models.ForeignKey(
        AfterSaleOrder, on_delete=models.PROTECT, related_name="parcels", verbose_name="售后单"
    )
    direction = models.CharField("方向", max_length=20, choices=Direction.choices)
    carrier = models.CharField("快递公司", max_length=50)
    tracking_no = models.CharField("快递单号", max_length=64)
    shipped_at = models.DateTimeField("寄出时间")
    # The latest tracking movement; the shipping itself until the first scan.
    last_movement_at = models.DateTimeField("最近物流更新")
    last_movement = models.CharField("最近物流信息", max_length=200, blank=True)
    # Whether any movement after the shipping was seen (ship-first exchanges wait for it).
    moved = models.BooleanField("已有物流轨迹", default=False)
    delivered_at = models.DateTimeField("签收时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "包裹"
        verbose_name_plural = "包裹"
        ordering = ["shipped_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["aftersale_order", "carrier", "tracking_no"],
                name="parcel_once_per_aftersale",
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


class Payout(models.Model):
    """Money finance moves for an after-sale order: paid to the customer (a refund,
    compensation) or collected from them (买家应补). Recorded once per idempotency key;
    a bounced payout stays, marked, and the order goes back to finance."""

    class Direction(models.TextChoices):
        TO_CUSTOMER = "to_customer", pgettext_lazy("payout direction", "付给顾客")
        FROM_CUSTOMER = "from_customer", pgettext_lazy("payout direction", "顾客补款")

    class State(models.TextChoices):
        PAID = "paid", pgettext_lazy("payout state", "已打款")
        BOUNCED = "bounced", pgettext_lazy("payout state", "已退回")

    aftersale_order = models.ForeignKey(
        AfterSaleOrder, on_delete=models.PROTECT, related_name="payouts", verbose_name="售后单"
    )
    direction = models.CharField(
        "方向", max_length=20, choices=Direction.choices, default=Direction.TO_CUSTOMER
    )
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    channel = models.CharField(
        "渠道", max_length=20, choices=Order.PaymentChannel.choices, blank=True, default=""
    )
    reference = models.CharField("流水号", max_length=100)
    idempotency_key = models.CharField("幂等键", max_length=100, unique=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PAID)
    paid_at = models.DateTimeField("打款时间")
    bounced_at = models.DateTimeField("退回时间", null=True, blank=True)
    bounce_reason = models.CharField("退回原因", max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "打款记录"
        verbose_name_plural = "打款记录"
        ordering = ["paid_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            # Two finance users confirming one payout at once: one payout.
            models.UniqueConstraint(
                fields=["aftersale_order", "direction"],
                condition=Q(state="paid"),
                name="payout_one_live_per_order",
            ),
        ]
        indexes = [models.Index(fields=["paid_at"], name="payout_paid_at_idx")]

    def __str__(self) -> str:
        return f"{self.aftersale_order_id}:{self.amount}:{self.state}"


class ReturnInspection(models.Model):
    """退货入库: returned goods received and inspected (良品 / 次品)."""

    aftersale_order = models.ForeignKey(
        AfterSaleOrder,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name="售后单",
    )
    received_at = models.DateTimeField("入仓时间")
    good_quantity = models.PositiveIntegerField("良品数量", default=0)
    defective_quantity = models.PositiveIntegerField("次品数量", default=0)
    passed = models.BooleanField("验货通过")
    report = models.TextField("验货报告", max_length=5000)
    serial_or_batch = models.CharField("SN/批次", max_length=100, blank=True, default="")
    photos = models.ManyToManyField(Evidence, blank=True, related_name="+", verbose_name="照片")
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="验货人",
    )
    inspected_at = models.DateTimeField("验货时间")

    class Meta:
        verbose_name = "退货入库"
        verbose_name_plural = "退货入库"
        ordering = ["inspected_at", "id"]


class RepairRecord(models.Model):
    """维修单: one repair of the goods of an order. The same non-user fault again within
    30 days of a repair is flagged against the repairer (`repeat_of`) and counts as a
    failed repair on the order, which the entitlements read."""

    class Result(models.TextChoices):
        FIXED = "fixed", pgettext_lazy("repair result", "已修复")
        NOT_FIXED = "not_fixed", pgettext_lazy("repair result", "未修复")

    aftersale_order = models.ForeignKey(
        AfterSaleOrder, on_delete=models.PROTECT, related_name="repairs", verbose_name="售后单"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="repairs"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fault = models.CharField("故障描述", max_length=300)
    # The fault in a comparable form (a code or its normalised words): what "the same
    # fault" is matched on.
    fault_code = models.CharField("故障代码", max_length=100)
    user_fault = models.BooleanField("人为损坏", default=False)
    parts = models.JSONField("更换配件", default=list, blank=True)
    technician = models.CharField("维修人员", max_length=100)
    result = models.CharField("维修结果", max_length=10, choices=Result.choices)
    started_on = models.DateField("开始日期")
    finished_on = models.DateField("完成日期")
    # The earlier repair this one repeats (same non-user fault within 30 days of it).
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name="重复维修",
    )
    # Counted as a failed repair on the order (not fixed, or a repeat of an earlier one).
    failed = models.BooleanField("维修失败", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "维修单"
        verbose_name_plural = "维修单"
        ordering = ["finished_on", "id"]
        indexes = [models.Index(fields=["order", "fault_code"], name="repair_order_fault_idx")]
