"""Read-only helpers the staff workbench asks about after-sale orders (售后单): the
moves a person may make on an order that are not steps of its flow (confirming that a
refund arrived, the 运费险 payout, a tracking movement), whether an order may be added by
hand, and the finance and logistics work lists as the workbench pages show them — scoped
by `disputes.permissions.scope_disputes` like the API's lists, in a fixed number of
queries. Nothing here writes; the services say the last word on every move."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from aftersales.disputes.grants import GRANTS, Op
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute
from aftersales.disputes.permissions import may, scope_disputes
from aftersales.parties.selectors import roles_of

from . import selectors
from .flows import State
from .models import AfterSaleOrder, Parcel, Payout

# The dispute states `aftersale_orders.aftersale_order_create` takes an order by hand in.
HAND_ORDER_STATUSES = frozenset({Status.EXECUTING, Status.FOLLOW_UP})

# Extra moves (not flow steps), each with the operation its service asks for.
ARRIVAL = "arrival"
INSURANCE_PAYOUT = "insurance_payout"
EXTRA_OPS = {ARRIVAL: Op.RECORD_EXECUTION, INSURANCE_PAYOUT: Op.PAY_OUT}

# The returns page: on the way back, to receive, to inspect, to ship.
RETURN_STATES = (
    State.AWAITING_RETURN.value,
    State.RETURN_SHIPPED.value,
    State.RECEIVED.value,
    State.AWAITING_SHIPMENT.value,
)


def _granted(user, op: Op) -> bool:
    return bool(roles_of(user) & GRANTS[op])


def live_payout(order: AfterSaleOrder) -> Payout | None:
    """The order's payout to the customer that has not bounced (from the prefetched
    payouts when they are there)."""
    for payout in order.payouts.all():
        if payout.direction == Payout.Direction.TO_CUSTOMER and payout.state == Payout.State.PAID:
            return payout
    return None


def extra_actions(user, order: AfterSaleOrder) -> list[str]:
    """The moves beyond the order's flow `user` may make on it now (the dispute is in
    their scope already): confirm the refund's arrival on the customer's word (a live
    payout not yet confirmed), record the 运费险 payout (expected and not paid)."""
    if not order.dispute.is_open:
        return []
    found = []
    if (
        order.arrival_confirmed_at is None
        and live_payout(order) is not None
        and _granted(user, EXTRA_OPS[ARRIVAL])
    ):
        found.append(ARRIVAL)
    if (
        order.shipping_insurance
        and order.insurance_expected_by is not None
        and order.insurance_paid_at is None
        and _granted(user, EXTRA_OPS[INSURANCE_PAYOUT])
    ):
        found.append(INSURANCE_PAYOUT)
    return found


def may_add_by_hand(user, dispute: Dispute) -> bool:
    """Whether `user` may record an after-sale order by hand on `dispute` now."""
    return dispute.status in HAND_ORDER_STATUSES and may(user, Op.RECORD_EXECUTION, dispute)


def may_track(user, parcel: Parcel) -> bool:
    """A tracking movement of a parcel still in transit."""
    return parcel.delivered_at is None and _granted(user, Op.TRACK_PARCEL)


def _scoped(user, queryset: QuerySet[AfterSaleOrder]) -> QuerySet[AfterSaleOrder]:
    return queryset.filter(dispute__in=scope_disputes(user, Dispute.objects.all()))


def finance_orders(
    user, *, state: str = "", overdue: bool = False, now: dt.datetime | None = None
) -> QuerySet[AfterSaleOrder]:
    """Orders waiting for finance in `user`'s scope, oldest first, with their payouts.
    待财审 and 待打款 come from `selectors.payouts_due` (with `finance_due_at`, their
    finance clock, and `overdue`); `state` 待买家补款 lists the exchanges waiting for the
    customer's payment (买家应补) instead; another `state` of the two: that one only."""
    payouts = Prefetch("payouts", queryset=Payout.objects.order_by("paid_at", "id"))
    if state == State.AWAITING_CUSTOMER_PAYMENT:
        qs = _scoped(user, AfterSaleOrder.objects.filter(state=state))
        return qs.select_related("dispute").prefetch_related(payouts).order_by("created_at", "id")
    qs = selectors.payouts_due(user, now=now or timezone.now(), overdue=overdue)
    if state in selectors.DUE_STATES:
        qs = qs.filter(state=state)
    return qs.prefetch_related(payouts)


def parcel_orders(user, *, state: str = "") -> QuerySet[AfterSaleOrder]:
    """Orders whose goods move now (待买家退货, 买家已退货, 已收货待验货, 待发货) in `user`'s
    scope, longest waiting first, with their parcels; `state`: one of them only."""
    states = (state,) if state in RETURN_STATES else RETURN_STATES
    qs = _scoped(user, AfterSaleOrder.objects.filter(state__in=states))
    return (
        qs.select_related("dispute", "order_line__product")
        .prefetch_related(Prefetch("parcels", queryset=Parcel.objects.order_by("shipped_at", "id")))
        .order_by("updated_at", "id")
    )
