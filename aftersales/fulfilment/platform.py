"""平台状态 (conventions.md): where an after-sale order of a platform dispute stands on the
platform, beside our own state. Taobao's refund codes, which the ERPs use for every
platform; the code is stored on the order, its label shown. Pure: no ORM."""

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy

from .flows import REFUND_TYPES, State


class PlatformStatus(TextChoices):
    """平台状态: Taobao's refund codes, which the ERPs use for every platform
    (conventions.md). The code is stored, the label shown."""

    WAIT_SELLER_AGREE = "WAIT_SELLER_AGREE", pgettext_lazy("platform status", "等待卖家同意")
    WAIT_BUYER_RETURN_GOODS = (
        "WAIT_BUYER_RETURN_GOODS",
        pgettext_lazy("platform status", "等待买家退货"),
    )
    WAIT_SELLER_CONFIRM_GOODS = (
        "WAIT_SELLER_CONFIRM_GOODS",
        pgettext_lazy("platform status", "买家已退货，等待卖家确认收货"),
    )
    SELLER_REFUSE_BUYER = "SELLER_REFUSE_BUYER", pgettext_lazy("platform status", "卖家拒绝退款")
    CLOSED = "CLOSED", pgettext_lazy("platform status", "退款关闭")
    SUCCESS = "SUCCESS", pgettext_lazy("platform status", "退款成功")


# Where a refund of a platform dispute stands on the platform while ours is in a state
# (refund types only; the platforms' exchange and repair codes differ by platform).
PLATFORM_STATUS_OF_STATE: dict[State, PlatformStatus] = {
    State.AWAITING_FINANCE: PlatformStatus.WAIT_SELLER_AGREE,
    State.AWAITING_PAYOUT: PlatformStatus.WAIT_SELLER_AGREE,
    State.AWAITING_RETURN_ADDRESS: PlatformStatus.WAIT_SELLER_AGREE,
    State.AWAITING_RETURN: PlatformStatus.WAIT_BUYER_RETURN_GOODS,
    State.RETURN_SHIPPED: PlatformStatus.WAIT_SELLER_CONFIRM_GOODS,
    State.RECEIVED: PlatformStatus.WAIT_SELLER_CONFIRM_GOODS,
    State.DONE: PlatformStatus.SUCCESS,
    State.CANCELLED: PlatformStatus.CLOSED,
    State.FAILED: PlatformStatus.CLOSED,
}


def platform_status(type_: str, state: State | str, *, from_platform: bool) -> str:
    """The platform status code an order of this type shows in `state` ("" when the
    dispute did not come from a platform, or the type has no refund code)."""
    if not from_platform or type_ not in REFUND_TYPES:
        return ""
    found = PLATFORM_STATUS_OF_STATE.get(State(state))
    return found.value if found else ""
