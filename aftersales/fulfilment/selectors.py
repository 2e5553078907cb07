"""Reads of after-sale orders (售后单) for the API and the work lists: a dispute's orders
with everything they carry (parcels, payouts, inspections, repairs) in a fixed number of
queries, the moves a person may make on one, and the finance and logistics work lists —
set-based, scoped by `disputes.permissions.scope_disputes`, never a query per row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Forbidden, NotFound
from aftersales.disputes.grants import GRANTS, Op
from aftersales.disputes.models import Dispute
from aftersales.disputes.permissions import scope_disputes
from aftersales.parties.actors import is_customer, is_system
from aftersales.parties.selectors import roles_of
from aftersales.sla.models import Timer

from . import flows, platform
from .flows import Action, State
from .models import AfterSaleOrder, Parcel, Payout
from .steps import CUSTOMER_STEPS, OP_OF_ACTION

# The SLA clock of finance paying an order out (sla migration 0007): started on entering
# 待财审, running through 待打款.
PAYOUT_TIMER_KIND = "finance_payout"
DUE_STATES = (State.AWAITING_FINANCE.value, State.AWAITING_PAYOUT.value)


def orders_with_details(queryset: QuerySet[AfterSaleOrder]) -> QuerySet[AfterSaleOrder]:
    """Orders with their dispute, parcels, payouts, inspections (and photos) and repairs:
    five queries whatever the number of orders."""
    return queryset.select_related("dispute", "order_line__product").prefetch_related(
        Prefetch("parcels", queryset=Parcel.objects.order_by("shipped_at", "id")),
        Prefetch("payouts", queryset=Payout.objects.order_by("paid_at", "id")),
        "inspections__photos",
        "repairs",
    )


def dispute_aftersale_orders(dispute: Dispute) -> list[AfterSaleOrder]:
    """The after-sale orders of a dispute the caller may see, oldest first."""
    return list(
        orders_with_details(AfterSaleOrder.objects.filter(dispute=dispute)).order_by(
            "created_at", "id"
        )
    )


def dispute_aftersale_order(dispute: Dispute, number: str) -> AfterSaleOrder:
    """One after-sale order of the dispute by its number; anything else answers 404."""
    if "\x00" in number:  # no number has one, and PostgreSQL refuses to compare it
        raise NotFound(_("找不到售后单 %(number)s") % {"number": number.replace("\x00", "")})
    found = orders_with_details(AfterSaleOrder.objects.filter(dispute=dispute, number=number))
    order = found.first()
    if order is None:
        raise NotFound(_("找不到售后单 %(number)s") % {"number": number})
    return order


def dispute_parcel(dispute: Dispute, parcel_id: int) -> Parcel:
    parcel = (
        Parcel.objects.select_related("aftersale_order")
        .filter(pk=parcel_id, aftersale_order__dispute=dispute)
        .first()
    )
    if parcel is None:
        raise NotFound(_("找不到包裹 %(id)s") % {"id": parcel_id})
    return parcel


def allowed_actions(actor, order: AfterSaleOrder) -> list[Action]:
    """The moves `actor` may make on `order` now: what its flow allows in its state,
    among those the actor's roles are granted. The caller has already found the dispute
    in the actor's scope (so no scope query per action)."""
    possible = flows.allowed(order.type, order.variant, order.compensation_form, order.state)
    if is_system(actor):
        return possible
    if is_customer(actor):
        if actor.customer_id != order.dispute.customer_id:
            return []
        return [a for a in possible if a in CUSTOMER_STEPS]
    roles = roles_of(actor)
    return [a for a in possible if roles & GRANTS[OP_OF_ACTION[a]]]


def platform_label(code: str) -> str:
    """The label of a platform status code; an unknown code is shown as it came."""
    if not code:
        return ""
    try:
        return str(platform.PlatformStatus(code).label)
    except ValueError:
        return code


# -- work lists ---------------------------------------------------------------------------


class Worklist:
    PAYOUTS = "payouts"
    RETURNS = "returns"
    SHIPMENTS = "shipments"
    INSURANCE = "insurance"


# Who may open each work list (grants: SEE_PAYOUT_LIST, SEE_PARCEL_LIST; rows then
# limited to the disputes in their scope): money lists for those who pay (finance,
# admin), returns and shipments for those who move parcels (logistics, handlers, admin)
# and inspect them (QC); handlers see the orders of their disputes on every list,
# readers (supervisor, management) everything.
WORKLIST_ROLES = {
    Worklist.PAYOUTS: GRANTS[Op.SEE_PAYOUT_LIST],
    Worklist.INSURANCE: GRANTS[Op.SEE_PAYOUT_LIST],
    Worklist.RETURNS: GRANTS[Op.SEE_PARCEL_LIST],
    Worklist.SHIPMENTS: GRANTS[Op.SEE_PARCEL_LIST],
}


def check_worklist(user, worklist: str) -> None:
    if not roles_of(user) & WORKLIST_ROLES[worklist]:
        raise Forbidden(_("您没有查看该工作清单的权限"))


def _scoped(user, queryset: QuerySet[AfterSaleOrder]) -> QuerySet[AfterSaleOrder]:
    return queryset.filter(dispute__in=scope_disputes(user, Dispute.objects.all()))


def _payout_timer(now: dt.datetime, *, overdue_only: bool):
    timers = Timer.objects.filter(
        dispute_id=OuterRef("dispute_id"),
        kind__code=PAYOUT_TIMER_KIND,
        subject=Concat(Value("aftersale:"), Cast(OuterRef("pk"), CharField())),
        state__in=Timer.LIVE,
    )
    if overdue_only:
        return timers.filter(due_at__lt=now)
    return timers


def payouts_due(
    user, *, now: dt.datetime | None = None, overdue: bool = False
) -> QuerySet[AfterSaleOrder]:
    """Orders waiting for finance (待财审, 待打款), oldest first; each with `finance_due_at`
    (its finance_payout clock) and `overdue`. Overdue: past its expected date
    (`expected_by`) or past its finance_payout clock's due time."""
    now = now or timezone.now()
    qs = _scoped(user, AfterSaleOrder.objects.filter(state__in=DUE_STATES)).annotate(
        finance_due_at=Subquery(_payout_timer(now, overdue_only=False).values("due_at")[:1]),
        overdue=Q(expected_by__lt=now) | Exists(_payout_timer(now, overdue_only=True)),
    )
    if overdue:
        qs = qs.filter(overdue=True)
    return qs.select_related("dispute").order_by("created_at", "id")


def payouts_done(
    user, *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Payout]:
    """Payouts to customers recorded (paid, or bounced since), newest first;
    `date_from`/`date_to`: days in Asia/Shanghai, both included."""
    qs = Payout.objects.filter(
        direction=Payout.Direction.TO_CUSTOMER,
        aftersale_order__dispute__in=scope_disputes(user, Dispute.objects.all()),
    )
    if date_from:
        qs = qs.filter(paid_at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(paid_at__lt=_start_of(date_to + dt.timedelta(days=1)))
    return qs.select_related("aftersale_order", "aftersale_order__dispute").order_by(
        "-paid_at", "-id"
    )


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def returns_awaiting_receipt(user) -> QuerySet[AfterSaleOrder]:
    """Orders whose goods the customer sent back (买家已退货), longest quiet first, with
    their return parcels."""
    # Shipping first (先发后退), the replacement may have left while the return is away.
    away = Q(state=State.RETURN_SHIPPED) | Q(variant=flows.Variant.SHIP_FIRST, state=State.SHIPPED)
    qs = _scoped(user, AfterSaleOrder.objects.filter(away))
    return (
        qs.select_related("dispute")
        .prefetch_related(
            Prefetch(
                "parcels",
                queryset=Parcel.objects.filter(direction=Parcel.Direction.FROM_CUSTOMER).order_by(
                    "-shipped_at", "-id"
                ),
                to_attr="return_parcels",
            )
        )
        .order_by("updated_at", "id")
    )


def ship_first_due() -> Q:
    """A ship-first exchange (先发后退) whose replacement may leave: the customer's return
    parcel is moving (the flow's `return_moving` guard)."""
    moving = Exists(
        Parcel.objects.filter(
            aftersale_order=OuterRef("pk"), direction=Parcel.Direction.FROM_CUSTOMER, moved=True
        )
    )
    return Q(moving, variant=flows.Variant.SHIP_FIRST, state=State.RETURN_SHIPPED)


def shipments_to_send(user) -> QuerySet[AfterSaleOrder]:
    """Orders waiting for us to ship (待发货: re-shipments, exchange items, gifts,
    repaired goods), oldest first."""
    qs = _scoped(
        user, AfterSaleOrder.objects.filter(Q(state=State.AWAITING_SHIPMENT) | ship_first_due())
    )
    return qs.select_related("dispute", "order_line__product").order_by("updated_at", "id")


def insurance_payouts(
    user, *, now: dt.datetime | None = None, status: str = "expected"
) -> QuerySet[AfterSaleOrder]:
    """运费险 payouts: `expected` (the refund succeeded, the insurer has not paid),
    `missing` (expected and past the insurer's 72 hours), `paid`."""
    now = now or timezone.now()
    qs = _scoped(
        user,
        AfterSaleOrder.objects.filter(shipping_insurance=True, insurance_expected_by__isnull=False),
    )
    if status == "paid":
        qs = qs.filter(insurance_paid_at__isnull=False).order_by("-insurance_paid_at", "-id")
    else:
        qs = qs.filter(insurance_paid_at__isnull=True)
        if status == "missing":
            qs = qs.filter(insurance_expected_by__lt=now)
        qs = qs.order_by("insurance_expected_by", "id")
    return qs.select_related("dispute")


def quiet_days(parcel: Parcel | None, now: dt.datetime) -> int | None:
    """Whole days since a parcel's last tracking movement (its shipping until the first)."""
    if parcel is None:
        return None
    return max(0, (now - parcel.last_movement_at).days)


def latest_references(orders: Iterable[AfterSaleOrder]) -> dict[int, Payout]:
    """The latest payout to the customer of each order, in one query."""
    ids = [o.pk for o in orders]
    latest: dict[int, Payout] = {}
    for payout in Payout.objects.filter(
        aftersale_order_id__in=ids, direction=Payout.Direction.TO_CUSTOMER
    ).order_by("paid_at", "id"):
        latest[payout.aftersale_order_id] = payout
    return latest
