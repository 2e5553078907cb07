"""The after-sale orders (售后单) carrying out what the customer agreed: the return's
carrier and tracking number to fill in, the refund's arrival and the parcel's delivery
to confirm. The same fulfilment services as the customer link's API; another dispute's
order answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.common.errors import Conflict, NotFound
from aftersales.fulfilment import goods, payouts
from aftersales.fulfilment import selectors as aftersale_reads
from aftersales.fulfilment.customer_words import customer_state_text
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.parties.actors import customer_actor

from . import dispute_page, limits, proposal_page
from .doors import Door, door_view
from .forms import EmptyForm, ReturnForm, submit
from .orders_section import form_key


def _order(door: Door, order_number: str) -> AfterSaleOrder:
    for order in aftersale_reads.dispute_aftersale_orders(door.dispute):
        if order.number == order_number:
            return order
    raise NotFound(_("找不到该售后单。"))


def _back(door: Door) -> str:
    return (door.url() if door.signed_in else door.base) + "#orders"


@limits.limited
def _act(request, door: Door, form, call, done: str, *, key: str | None = None):
    if submit(form, call):
        messages.success(request, done)
        return redirect(_back(door))
    bound = {key or "order": form}  # a button's refusal is said at the top
    if door.signed_in:
        return dispute_page.tracking_page(request, door, bound=bound, status=422)
    return proposal_page.page(request, door, forms=bound, status=422)


@require_POST
@door_view
def return_shipment(request, door: Door, order_number: str):
    order = _order(door, order_number)
    key = form_key(order.number)
    form = ReturnForm(request.POST, prefix=key)
    return _act(
        request,
        door,
        form,
        lambda d: _return_ship(door, order, d),
        _("退货物流已登记，商家收到商品后会尽快处理。"),
        key=key,
    )


def _return_ship(door: Door, order: AfterSaleOrder, d: dict) -> None:
    try:
        goods.return_ship(
            order=order,
            carrier=d["carrier"],
            tracking_no=d["tracking_no"],
            actor=customer_actor(door.customer),
        )
    except Conflict as refused:
        if refused.code != "step_not_allowed":
            raise
        # The service's refusal names staff's steps; the customer reads where it stands.
        raise Conflict(
            _("现在不需要填写退货物流（%(status)s）。")
            % {"status": customer_state_text(order.state)},
            code=refused.code,
        ) from None


@require_POST
@door_view
def arrival(request, door: Door, order_number: str):
    order = _order(door, order_number)
    return _act(
        request,
        door,
        EmptyForm(request.POST),
        lambda d: payouts.arrival_confirm(order=order, actor=customer_actor(door.customer)),
        _("感谢确认，已记录退款到账。"),
    )


@require_POST
@door_view
def delivery(request, door: Door, order_number: str):
    order = _order(door, order_number)
    return _act(
        request,
        door,
        EmptyForm(request.POST),
        lambda d: goods.delivery_confirm(order=order, actor=customer_actor(door.customer)),
        _("感谢确认，已记录您收到商品。"),
    )
