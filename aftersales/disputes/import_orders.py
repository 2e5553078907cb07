"""The order an import row describes, judged by the same validator as the orders API
(aftersales.parties.order_input): a row's columns are an order of one line; a JSONL row's
`order` object is an order as the API takes it. The result is the OrderFacts the bulk
intake creates unknown orders from (docs/import.md, docs/orders.md)."""

from collections.abc import Mapping
from decimal import ROUND_UP, Decimal
from typing import Any

from aftersales.parties.order_input import OrderInput, read_order, store_code_for

from .bulk_orders import OrderFacts, auto_sku
from .import_columns import (
    FLAGS,
    GOODS_KIND_CODES,
    ORDER_ERROR_FIELD,
    PAYMENT_CODES,
    SALE_CHANNEL_CODES,
    amount_text,
    time_text,
    to_code,
)
from .intake import IntakeRequest

FEN = Decimal("0.01")


def order_of_columns(
    v: Mapping[str, Any], request: IntakeRequest, *, store: str, platform: str
) -> tuple[OrderInput | None, dict[str, str]]:
    """The order of a row's columns (values by field), and its problems by field."""
    paid = _money(amount_text(v.get("amount_paid")))
    unit_price = _money(amount_text(v.get("unit_price")))
    quantity = v.get("quantity") or 1
    if unit_price is None and paid not in (None, ""):
        unit_price = _share(paid, quantity)
    sku = str(v.get("sku") or "").strip()[:64] or auto_sku(request.product_name)
    line = {
        "line_no": v.get("line_no"),
        "product": request.product_name or sku,
        "sku": sku,
        "quantity": quantity,
        "unit_price": unit_price,
        "paid": paid,
        "goods_kind": _code(v.get("goods_kind"), GOODS_KIND_CODES),
        "three_guarantees": _flag(v.get("three_guarantees")),
        "warranty_days": v.get("warranty_days"),
    }
    data = {
        "order_no": request.order_no,
        "store": store,
        "platform": platform,
        "platform_order_no": v.get("platform_order_no"),
        "channel": _code(v.get("sale_channel"), SALE_CHANNEL_CODES),
        "payment_channel": _code(v.get("payment_channel"), PAYMENT_CODES),
        "buyer": {"account": v["buyer_account"]} if v.get("buyer_account") else None,
        "address": v.get("address"),
        "paid_at": time_text(v.get("paid_at")),
        "shipped_at": time_text(v.get("shipped_at")),
        "received_on": time_text(v.get("received_on")),
        "carrier": v.get("carrier"),
        "tracking_no": v.get("tracking_no"),
        "lines": [line],
    }
    order, errors = read_order(data, order_no=request.order_no)
    return order, {ORDER_ERROR_FIELD.get(k, k): message for k, message in errors.items()}


def facts_of(order: OrderInput, *, store_code: str = "", whole: bool = False) -> OrderFacts:
    """OrderFacts for the bulk intake. `whole`: the order came as an object (lines,
    bundles, buyer) and is created by the orders writer itself."""
    first = order.lines[0]
    return OrderFacts(
        store_code=store_code or store_code_for(order.platform, order.store),
        store_name=order.store,
        platform=order.platform,
        amount_paid=order.amount_paid,
        product_name=first.product,
        sku=first.sku,
        payment_channel=order.payment_channel,
        sale_channel=order.channel,
        paid_at=order.paid_at,
        shipped_at=order.shipped_at,
        received_at=order.received_at,
        platform_order_no=order.platform_order_no,
        buyer_account=order.buyer_account,
        address=order.address,
        carrier=order.carrier,
        tracking_no=order.tracking_no,
        line=first,
        whole=order if whole else None,
    )


def _money(value: Any) -> Any:
    """An amount as the validator takes it: a JSONL integer is a whole number of yuan
    (the intake columns read it so too); everything else as given."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _share(paid: Any, quantity: Any) -> Any:
    """The unit price of a row that gives only what was paid: paid ÷ quantity, up to the
    fen so that quantity × price covers what was paid. Left to the validator when either
    is not a number."""
    try:
        count = int(str(quantity).strip())
        amount = Decimal(str(paid).strip().replace(",", "").lstrip("¥￥"))
    except (ValueError, ArithmeticError):
        return paid
    if count < 1 or not amount.is_finite():
        return paid
    return str((amount / count).quantize(FEN, rounding=ROUND_UP))


def _code(value: Any, table: Mapping[str, str]) -> str | None:
    code = to_code(value, table)
    return code or None


def _flag(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if not text:
        return None
    return FLAGS.get(text, value)
