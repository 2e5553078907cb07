"""The after-sale orders (售后单) section of the customer's pages, in their words: where
each stands and what they can do about it (orders_page has the doors)."""

from __future__ import annotations

from aftersales.common.money import format_yuan
from aftersales.fulfilment import flows
from aftersales.fulfilment import selectors as aftersale_reads
from aftersales.fulfilment.customer_words import customer_state_text
from aftersales.fulfilment.flows import State
from aftersales.fulfilment.models import AfterSaleOrder

from .doors import Door
from .forms import ReturnForm


def form_key(order_number: str) -> str:
    return f"return-{order_number}"


def _row(order: AfterSaleOrder, bound: dict) -> dict:
    pays = flows.pays_out(order.type, order.compensation_form)
    paid_out = pays and order.paid_amount > 0
    key = form_key(order.number)
    return {
        "number": order.number,
        "kind": order.get_type_display(),
        "status": customer_state_text(order.state),
        "amount": format_yuan(order.amount),
        "customer_pays": format_yuan(order.customer_pays),
        "expected_by": order.expected_by if pays else None,
        "return_address": order.return_address,
        "arrival_confirmed": order.arrival_confirmed_at is not None,
        "parcels": list(order.parcels.all()),
        "can_fill_return_tracking": order.state == State.AWAITING_RETURN,
        "can_confirm_arrival": bool(paid_out) and order.arrival_confirmed_at is None,
        "can_confirm_delivery": order.state == State.SHIPPED,
        "return_form": bound.get(key) or ReturnForm(prefix=key),
    }


def orders_context(door: Door, *, bound: dict | None = None) -> dict:
    orders = aftersale_reads.dispute_aftersale_orders(door.dispute)
    rows = [_row(o, bound or {}) for o in orders]
    shown = {form_key(r["number"]) for r in rows if r["can_fill_return_tracking"]}
    return {"orders": rows, "order_forms_shown": shown}
