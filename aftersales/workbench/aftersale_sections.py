"""The dispute page's after-sale orders (售后单) with their states and the actions each
state allows the user, and the follow-up visit (回访) with its form and the closure
summary. (`aftersale_actions` holds the views their forms post to.)

A form is shown only when the order's flow allows the move in its state
(`fulfilment.selectors.allowed_actions`, which also asks the user's grants) or, for the
moves outside a flow, when `fulfilment.workbench_selectors.extra_actions` says so; the
services ask again when the form is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute
from aftersales.followup import selectors as followup_reads
from aftersales.followup.closure import Outcome
from aftersales.followup.models import VisitState
from aftersales.followup.visits import can_record_follow_up
from aftersales.fulfilment import selectors as reads
from aftersales.fulfilment import workbench_selectors as wb
from aftersales.fulfilment.flows import AfterSaleType
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.fulfilment.selectors import platform_label
from aftersales.parties.models import Order
from aftersales.parties.roles import Department

from . import aftersale_forms as f
from .aftersale_doors import DOOR_OF, door_label, form_key, make_form, photo_choices

OUTCOMES = {
    Outcome.FOLLOW_UP_SATISFIED: pgettext_lazy("closure outcome", "回访满意结案"),
    Outcome.CUSTOMER_CONFIRMED: pgettext_lazy("closure outcome", "顾客确认结案"),
    Outcome.ESCALATION_OUTCOME: pgettext_lazy("closure outcome", "按外部处理结果结案"),
}


def yuan(value) -> str:
    """Money as shown: ¥1,234.50 ("—" when there is none)."""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(str(value)):,.2f}"


def label_of(choices, value: str) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass
class ActionForm:
    key: str
    label: str
    url: str
    form: Any
    danger: bool = False
    open: bool = False  # a bound form that failed: shown open


@dataclass
class OrderCard:
    order: AfterSaleOrder
    amounts: list[tuple[str, str]]
    actions: list[ActionForm] = field(default_factory=list)
    # (parcel, its tracking movement form or None)
    parcel_rows: list[tuple[Any, Any]] = field(default_factory=list)
    # (payout, its amount as shown)
    payout_rows: list[tuple[Any, str]] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.order.number

    @property
    def department_label(self) -> str:
        return label_of(Department, self.order.department)

    @property
    def platform_status_label(self) -> str:
        return platform_label(self.order.platform_status)

    @property
    def channel_label(self) -> str:
        return label_of(Order.PaymentChannel, self.order.payment_channel)


def amounts_of(order: AfterSaleOrder) -> list[tuple[str, str]]:
    rows = []
    if order.amount is not None:
        rows.append((str(_("应退金额")), yuan(order.amount)))
    if order.paid_amount:
        rows.append((str(_("实退金额")), yuan(order.paid_amount)))
    if order.customer_pays is not None:
        rows.append((str(_("买家应补")), yuan(order.customer_pays)))
    if order.insurance_amount is not None:
        rows.append((str(_("运费险理赔金额")), yuan(order.insurance_amount)))
    return rows


def order_actions(
    request, order: AfterSaleOrder, bound: dict, *, seen=None, photos=None, only=None
) -> list[ActionForm]:
    """The forms of the moves `request.user` may make on `order` now (bound ones kept);
    `only`: of these moves only (a work list's)."""
    if not order.dispute.is_open:
        return []
    keys = [a.value for a in reads.allowed_actions(request.user, order)]
    if only is None or not only.isdisjoint(wb.EXTRA_OPS):
        keys += wb.extra_actions(request.user, order)
    if only is not None:
        keys = [k for k in keys if k in only]
    found = []
    for key in keys:
        door = DOOR_OF.get(key)
        if door is None:
            continue
        fkey = form_key(order, door)
        form = bound.get(fkey)
        if form is None:
            if door.form is f.InspectionForm and photos is None:
                photos = photo_choices(order.dispute)
            form = make_form(door, order, photos=photos or (), seen=seen)
        found.append(
            ActionForm(
                key=fkey,
                label=door_label(door),
                url=reverse(
                    f"workbench:{door.url_name}", args=[order.dispute.number, order.number]
                ),
                form=form,
                danger=door.danger,
                open=fkey in bound,
            )
        )
    return found


def order_card(request, order, bound, *, seen=None) -> OrderCard:
    card = OrderCard(order=order, amounts=amounts_of(order))
    card.actions = order_actions(request, order, bound, seen=seen)
    for parcel in order.parcels.all():
        form = None
        if order.dispute.is_open and wb.may_track(request.user, parcel):
            key = f"parcel-{parcel.pk}"
            form = bound.get(key) or f.MovementForm(prefix=key)
        card.parcel_rows.append((parcel, form))
    card.payout_rows = [(p, yuan(p.amount)) for p in order.payouts.all()]
    return card


def _closure(summary) -> dict | None:
    if summary is None:
        return None
    payload = dict(summary.payload or {})
    money = payload.get("money") or {}
    return {
        "outcome": str(OUTCOMES.get(payload.get("outcome"), payload.get("outcome", ""))),
        "outcome_text": payload.get("outcome_text", ""),
        "satisfaction": payload.get("satisfaction"),
        "days_open": payload.get("days_open"),
        "reopen_count": payload.get("reopen_count", 0),
        "deadlines_missed": (payload.get("deadlines_missed") or {}).get("count", 0),
        "amount": yuan(money.get("amount")),
        "paid": yuan(money.get("paid")),
        "by_type": [
            {
                "type": label_of(AfterSaleType, row.get("type", "")),
                "done": row.get("done", 0),
                "cancelled": row.get("cancelled", 0),
                "amount": yuan(row.get("amount")),
                "paid": yuan(row.get("paid")),
            }
            for row in money.get("by_type", [])
        ],
        "at": summary.at,
    }


def followup_context(
    request, dispute: Dispute, bound: dict, *, timeline=None, orders=None
) -> dict[str, Any]:
    found = followup_reads.dispute_follow_up(dispute, timeline=timeline, orders=orders)
    due = next((v for v in found.visits if v.state == VisitState.DUE), None)
    form = None
    if (
        due is not None
        and dispute.status == Status.FOLLOW_UP
        and can_record_follow_up(request.user, dispute)
    ):
        form = bound.get("followup") or f.FollowUpForm(
            prefix="followup", refund_expected=found.refund_expected
        )
    return {
        "followup_visits": found.visits,
        "followup_calls": found.calls,
        "followup_due": due,
        "followup_form": form,
        "followup_open": "followup" in bound,
        "followup_url": reverse("workbench:followup_record", args=[dispute.number]),
        "followup_closure": _closure(found.closure_summary),
    }


def context(request, dispute: Dispute, bound: dict, page_reads=None) -> dict[str, Any]:
    """The dispute page's after-sale sections; `page_reads`: what the page read already
    (`dispute_page.PageReads`: the newest event the forms were filled against)."""
    if page_reads is not None:
        seen = page_reads.last_event_id
    else:
        seen = dispute.events.order_by("-id").values_list("id", flat=True).first()
    orders = reads.dispute_aftersale_orders(dispute)
    cards = [order_card(request, order, bound, seen=seen) for order in orders]
    create = None
    if wb.may_add_by_hand(request.user, dispute):
        create = bound.get("as-create") or f.CreateOrderForm(
            prefix="as-create", initial={"seen": seen}
        )
    return {
        "aftersale_cards": cards,
        "aftersale_create_form": create,
        "aftersale_create_open": "as-create" in bound,
        "aftersale_create_url": reverse("workbench:aftersale_create", args=[dispute.number]),
        **followup_context(
            request,
            dispute,
            bound,
            timeline=page_reads.timeline if page_reads is not None else None,
            orders=orders,
        ),
    }
