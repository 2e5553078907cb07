"""What an accepted proposal asks to be carried out (SPEC §7): each agreed remedy line
mapped to the after-sale order (售后单) that carries it out, in fulfilment's words
(`fulfilment.aftersale_orders.AgreedLine`). Pure: no ORM; whether the order has shipped
is the caller's to say.

    refund                        未发货仅退款 (not shipped) · 已发货仅退款 (shipped)
    return_refund, take_back      退货退款 (refund_first: the refund does not wait)
    exchange, whole_exchange      换货 (amount: the difference the merchant pays;
                                  customer_pays: 买家应补; ship_first)
    reship                        补发
    repair                        维修
    price_difference              价保/退差价
    shipping_compensation         运费补偿
    compensation, incident_compensation   补偿/赔付, in money
    coupon, discount              补偿/赔付, as a coupon
    gift                          补偿/赔付, as a gift (shipped)
    apology, guidance             none: said and done in the conversation itself, nothing
                                  left for a department to carry out

The line's index in the revision is kept (`line`), so the orders of one agreement are
made once whatever calls for them again.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.fulfilment.aftersale_orders import AgreedLine
from aftersales.fulfilment.flows import AfterSaleType, CompensationForm, Variant

from .remedies import RemedyCode, RemedyItem

R, T, F = RemedyCode, AfterSaleType, CompensationForm

# Remedy → (after-sale type, compensation form). A refund depends on the shipping.
TYPE_OF: dict[RemedyCode, tuple[AfterSaleType, str]] = {
    R.RETURN_REFUND: (T.RETURN_REFUND, ""),
    R.TAKE_BACK: (T.RETURN_REFUND, ""),
    R.EXCHANGE: (T.EXCHANGE, ""),
    R.WHOLE_EXCHANGE: (T.EXCHANGE, ""),
    R.RESHIP: (T.RESHIP, ""),
    R.REPAIR: (T.REPAIR, ""),
    R.PRICE_DIFFERENCE: (T.PRICE_PROTECTION, ""),
    R.SHIPPING_COMPENSATION: (T.SHIPPING_COMPENSATION, ""),
    R.COMPENSATION: (T.COMPENSATION, F.MONEY),
    R.INCIDENT_COMPENSATION: (T.COMPENSATION, F.MONEY),
    R.COUPON: (T.COMPENSATION, F.COUPON),
    R.DISCOUNT: (T.COMPENSATION, F.COUPON),
    R.GIFT: (T.COMPENSATION, F.GIFT),
}
# Nothing to carry out: the apology and the usage guidance are given in the conversation.
NO_ORDER: frozenset[RemedyCode] = frozenset({R.APOLOGY, R.GUIDANCE})


def aftersale_type(code: RemedyCode | str, *, shipped: bool) -> tuple[str, str] | None:
    """(after-sale type, compensation form) of a remedy; None when nothing is carried out."""
    code = RemedyCode(code)
    if code in NO_ORDER:
        return None
    if code == R.REFUND:
        return (T.REFUND_SHIPPED if shipped else T.REFUND_UNSHIPPED).value, ""
    type_, form = TYPE_OF[code]
    return type_.value, str(form)


def _variant(item: RemedyItem) -> str:
    if item.refund_first and item.code in (R.RETURN_REFUND, R.TAKE_BACK):
        return Variant.REFUND_FIRST.value
    if item.ship_first and item.code in (R.EXCHANGE, R.WHOLE_EXCHANGE):
        return Variant.SHIP_FIRST.value
    return ""


def agreed_lines(items: Sequence[RemedyItem], *, shipped: bool) -> list[AgreedLine]:
    """The after-sale orders an agreement's lines call for, one per line with something
    to carry out. `shipped`: whether the goods of the order have left (a refund without
    return is then 已发货仅退款)."""
    lines = []
    for index, item in enumerate(items):
        mapped = aftersale_type(item.code, shipped=shipped)
        if mapped is None:
            continue
        type_, form = mapped
        lines.append(
            AgreedLine(
                line=index,
                remedy_code=item.code.value,
                type=type_,
                amount=item.amount,
                customer_pays=item.customer_pays or None,
                deadline_days=item.deadline_days,
                variant=_variant(item),
                compensation_form=form,
                kept=tuple(item.kept),
                note=item.note,
            )
        )
    return lines


def has_shipped(order) -> bool:
    """Whether a (sales) order's goods have left: a shipping time or a tracking number.
    No order known: treated as shipped (the customer has something to complain about)."""
    if order is None:
        return True
    return order.shipped_at is not None or bool((order.tracking_no or "").strip())
