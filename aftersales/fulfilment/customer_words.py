"""An after-sale order's state in the customer's words (their link's API and the portal):
what they wait for or must do, no internal codes."""

from django.utils.translation import pgettext_lazy

from .flows import State

CUSTOMER_STATE_TEXT = {
    State.AWAITING_FINANCE: pgettext_lazy("customer after-sale", "退款处理中"),
    State.AWAITING_PAYOUT: pgettext_lazy("customer after-sale", "退款处理中"),
    State.AWAITING_CUSTOMER_PAYMENT: pgettext_lazy("customer after-sale", "等待您补付差价"),
    State.AWAITING_RETURN_ADDRESS: pgettext_lazy("customer after-sale", "商家即将提供退货地址"),
    State.AWAITING_RETURN: pgettext_lazy("customer after-sale", "请寄回商品并填写退货物流"),
    State.RETURN_SHIPPED: pgettext_lazy("customer after-sale", "商品寄回途中"),
    State.RECEIVED: pgettext_lazy("customer after-sale", "商家已收到商品，正在检验"),
    State.REPAIRING: pgettext_lazy("customer after-sale", "维修中"),
    State.AWAITING_SHIPMENT: pgettext_lazy("customer after-sale", "商家正在准备发货"),
    State.SHIPPED: pgettext_lazy("customer after-sale", "商品已发出，请注意查收"),
    State.AWAITING_ISSUE: pgettext_lazy("customer after-sale", "优惠券发放中"),
    State.DONE: pgettext_lazy("customer after-sale", "已完成"),
    State.CANCELLED: pgettext_lazy("customer after-sale", "已取消"),
    State.FAILED: pgettext_lazy("customer after-sale", "未能按约定执行，客服将与您联系"),
}


def customer_state_text(state: str) -> str:
    """The order's state as the customer reads it ("处理中" for one not listed)."""
    try:
        return str(CUSTOMER_STATE_TEXT[State(state)])
    except (KeyError, ValueError):
        return str(pgettext_lazy("customer after-sale", "处理中"))
