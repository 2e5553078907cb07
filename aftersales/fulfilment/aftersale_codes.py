"""The codes of an after-sale order (售后单), each with its label: its type (售后类型), the
form of a compensation, the variant of a flow, its states and the actions that move it.
The flows that join them are fulfilment.flows."""

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy


class AfterSaleType(TextChoices):
    """售后类型, the words the platforms and ERPs use (conventions.md)."""

    REFUND_UNSHIPPED = "refund_unshipped", pgettext_lazy("after-sale type", "未发货仅退款")
    REFUND_SHIPPED = "refund_shipped", pgettext_lazy("after-sale type", "已发货仅退款")
    RETURN_REFUND = "return_refund", pgettext_lazy("after-sale type", "退货退款")
    EXCHANGE = "exchange", pgettext_lazy("after-sale type", "换货")
    RESHIP = "reship", pgettext_lazy("after-sale type", "补发")
    REPAIR = "repair", pgettext_lazy("after-sale type", "维修")
    COMPENSATION = "compensation", pgettext_lazy("after-sale type", "补偿/赔付")
    PRICE_PROTECTION = "price_protection", pgettext_lazy("after-sale type", "价保/退差价")
    SHIPPING_COMPENSATION = "shipping_compensation", pgettext_lazy("after-sale type", "运费补偿")


class CompensationForm(TextChoices):
    MONEY = "money", pgettext_lazy("compensation form", "现金")
    COUPON = "coupon", pgettext_lazy("compensation form", "优惠券")
    GIFT = "gift", pgettext_lazy("compensation form", "赠品")


class Variant(TextChoices):
    STANDARD = "", pgettext_lazy("after-sale variant", "标准")
    # 退货退款: the refund is paid before the goods come back (the proposal says so).
    REFUND_FIRST = "refund_first", pgettext_lazy("after-sale variant", "先退款后退货")
    # 换货: the replacement ships once the return parcel shows movement (urgent customer).
    SHIP_FIRST = "ship_first", pgettext_lazy("after-sale variant", "先发后退")


class State(TextChoices):
    """内部状态 of an after-sale order."""

    AWAITING_FINANCE = "awaiting_finance", pgettext_lazy("after-sale state", "待财审")
    AWAITING_PAYOUT = "awaiting_payout", pgettext_lazy("after-sale state", "待打款")
    AWAITING_CUSTOMER_PAYMENT = (
        "awaiting_customer_payment",
        pgettext_lazy("after-sale state", "待买家补款"),
    )
    AWAITING_RETURN_ADDRESS = (
        "awaiting_return_address",
        pgettext_lazy("after-sale state", "待发退货地址"),
    )
    AWAITING_RETURN = "awaiting_return", pgettext_lazy("after-sale state", "待买家退货")
    RETURN_SHIPPED = "return_shipped", pgettext_lazy("after-sale state", "买家已退货")
    RECEIVED = "received", pgettext_lazy("after-sale state", "已收货待验货")
    REPAIRING = "repairing", pgettext_lazy("after-sale state", "维修中")
    AWAITING_SHIPMENT = "awaiting_shipment", pgettext_lazy("after-sale state", "待发货")
    SHIPPED = "shipped", pgettext_lazy("after-sale state", "已发货")
    AWAITING_ISSUE = "awaiting_issue", pgettext_lazy("after-sale state", "待发券")
    DONE = "done", pgettext_lazy("after-sale state", "已完成")
    CANCELLED = "cancelled", pgettext_lazy("after-sale state", "已取消")
    FAILED = "failed", pgettext_lazy("after-sale state", "未能执行（退回调解）")


class Action(TextChoices):
    FINANCE_APPROVE = "finance_approve", pgettext_lazy("after-sale action", "财务审核通过")
    RECORD_PAYOUT = "record_payout", pgettext_lazy("after-sale action", "登记打款")
    BOUNCE = "bounce", pgettext_lazy("after-sale action", "退款被退回")
    COLLECT_PAYMENT = "collect_payment", pgettext_lazy("after-sale action", "登记买家补款")
    SEND_RETURN_ADDRESS = (
        "send_return_address",
        pgettext_lazy("after-sale action", "发送退货地址"),
    )
    RETURN_SHIP = "return_ship", pgettext_lazy("after-sale action", "填写退货物流")
    RECEIVE = "receive", pgettext_lazy("after-sale action", "确认收货")
    INSPECT = "inspect", pgettext_lazy("after-sale action", "验货")
    START_REPAIR = "start_repair", pgettext_lazy("after-sale action", "开始维修")
    RECORD_REPAIR = "record_repair", pgettext_lazy("after-sale action", "登记维修结果")
    SHIP = "ship", pgettext_lazy("after-sale action", "发货")
    CONFIRM_DELIVERY = "confirm_delivery", pgettext_lazy("after-sale action", "确认签收")
    ISSUE = "issue", pgettext_lazy("after-sale action", "发放优惠券")
    OUT_OF_STOCK = "out_of_stock", pgettext_lazy("after-sale action", "缺货")
    CANCEL = "cancel", pgettext_lazy("after-sale action", "取消")
