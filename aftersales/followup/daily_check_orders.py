"""The after-sale order (售后单) lists of the daily check (三主动, SPEC §8), per agent —
the dispute's assignee: stale parcels, late orders, refunds not confirmed arrived,
exchanges not shipped, 运费险 payouts missing. Each is one query on a partial index of
the rows still outstanding (see fulfilment.models); `daily_checks` gathers them."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Q, QuerySet, Subquery

from aftersales.fulfilment.flows import OPEN, AfterSaleType, State
from aftersales.fulfilment.models import AfterSaleOrder, Parcel, Payout
from aftersales.fulfilment.selectors import ship_first_due

if TYPE_CHECKING:
    from .daily_checks import CheckWindow

UNFINISHED = [s.value for s in OPEN]
GAVE_UP = [State.CANCELLED.value, State.FAILED.value]


@dataclass(frozen=True)
class StaleParcel:
    number: str
    carrier: str
    tracking_no: str
    direction: str
    direction_label: str
    shipped_at: dt.datetime
    last_movement_at: dt.datetime
    quiet_days: int
    aftersale_order: str = ""  # the after-sale order's number (售后单号)


@dataclass(frozen=True)
class LateExecution:
    """An after-sale order past its expected date, not finished."""

    number: str
    execution: int  # the after-sale order's id
    kind: str  # its type (售后类型)
    kind_label: str
    state: str
    amount: Decimal | None
    expected_by: dt.datetime
    late_hours: int
    aftersale_order: str = ""  # its number (售后单号)
    state_label: str = ""


@dataclass(frozen=True)
class UnconfirmedRefund:
    """Money paid to the customer, expected to have arrived, not confirmed arrived."""

    number: str
    aftersale_order: str
    kind: str
    kind_label: str
    amount: Decimal  # what was paid
    channel: str
    paid_at: dt.datetime
    expected_by: dt.datetime
    late_hours: int


@dataclass(frozen=True)
class UnshippedExchange:
    """An exchange whose replacement waits to ship (待发货)."""

    number: str
    aftersale_order: str
    replacement: str
    waiting_since: dt.datetime  # when it started waiting (the return inspected)
    deadline_at: dt.datetime | None
    waiting_days: int


@dataclass(frozen=True)
class MissingInsurancePayout:
    """运费险: the insurer's payout expected and not recorded."""

    number: str
    aftersale_order: str
    expected_by: dt.datetime
    late_hours: int


def scoped(qs: QuerySet, path: str, agents: QuerySet | None, *, open_only=True) -> QuerySet:
    """Only disputes with an assignee (among `agents`, when given), open ones unless
    `open_only` is False."""
    prefix = f"{path}__" if path else ""
    qs = qs.filter(**{f"{prefix}assignee__isnull": False})
    if open_only:
        qs = qs.filter(**{f"{prefix}is_open": True})
    if agents is not None:
        qs = qs.filter(**{f"{prefix}assignee__in": agents.values("pk")})
    return qs


def _hours(since: dt.datetime, now: dt.datetime) -> int:
    return int((now - since).total_seconds() // 3600)


def stale_parcels(w: "CheckWindow", agents) -> list[tuple[int, StaleParcel]]:
    labels = dict(Parcel.Direction.choices)
    rows = scoped(
        Parcel.objects.filter(
            delivered_at__isnull=True,
            last_movement_at__lte=w.stale_before,
            aftersale_order__state__in=UNFINISHED,
        ),
        "aftersale_order__dispute",
        agents,
    ).order_by("last_movement_at", "id")
    return [
        (
            r["aftersale_order__dispute__assignee_id"],
            StaleParcel(
                number=r["aftersale_order__dispute__number"],
                carrier=r["carrier"],
                tracking_no=r["tracking_no"],
                direction=r["direction"],
                direction_label=str(labels.get(r["direction"], r["direction"])),
                shipped_at=r["shipped_at"],
                last_movement_at=r["last_movement_at"],
                quiet_days=(w.now - r["last_movement_at"]).days,
                aftersale_order=r["aftersale_order__number"],
            ),
        )
        for r in rows.values(
            "aftersale_order__dispute__assignee_id",
            "aftersale_order__dispute__number",
            "aftersale_order__number",
            "carrier",
            "tracking_no",
            "direction",
            "shipped_at",
            "last_movement_at",
        )
    ]


# What the more precise lists name is left out of the late orders: money paid and not
# confirmed arrived (its `expected_by` is then the arrival: `unconfirmed_refunds`) and an
# exchange waiting to ship (`unshipped_exchanges`).
_LISTED_ELSEWHERE = Q(paid_amount__gt=0, arrival_confirmed_at__isnull=True) | Q(
    type=AfterSaleType.EXCHANGE, state=State.AWAITING_SHIPMENT
)


def late_executions(w: "CheckWindow", agents) -> list[tuple[int, LateExecution]]:
    types, states = dict(AfterSaleType.choices), dict(State.choices)
    rows = (
        scoped(
            AfterSaleOrder.objects.filter(state__in=UNFINISHED, expected_by__lt=w.now),
            "dispute",
            agents,
        )
        .exclude(_LISTED_ELSEWHERE)
        .order_by("expected_by", "id")
    )
    return [
        (
            r["dispute__assignee_id"],
            LateExecution(
                number=r["dispute__number"],
                execution=r["id"],
                kind=r["type"],
                kind_label=str(types.get(r["type"], r["type"])),
                state=r["state"],
                amount=r["amount"],
                expected_by=r["expected_by"],
                late_hours=_hours(r["expected_by"], w.now),
                aftersale_order=r["number"],
                state_label=str(states.get(r["state"], r["state"])),
            ),
        )
        for r in rows.values(
            "dispute__assignee_id",
            "dispute__number",
            "id",
            "number",
            "type",
            "state",
            "amount",
            "expected_by",
        )
    ]


def unconfirmed_refunds(w: "CheckWindow", agents) -> list[tuple[int, UnconfirmedRefund]]:
    labels = dict(AfterSaleType.choices)
    live = Payout.objects.filter(
        aftersale_order=OuterRef("pk"),
        direction=Payout.Direction.TO_CUSTOMER,
        state=Payout.State.PAID,
    ).order_by("-paid_at", "-id")
    rows = (
        scoped(
            AfterSaleOrder.objects.filter(
                paid_amount__gt=0, arrival_confirmed_at__isnull=True, expected_by__lt=w.now
            ).exclude(state__in=GAVE_UP),
            "dispute",
            agents,
        )
        .annotate(paid_at=Subquery(live.values("paid_at")[:1]))
        .filter(paid_at__isnull=False)
        .order_by("expected_by", "id")
    )
    return [
        (
            r["dispute__assignee_id"],
            UnconfirmedRefund(
                number=r["dispute__number"],
                aftersale_order=r["number"],
                kind=r["type"],
                kind_label=str(labels.get(r["type"], r["type"])),
                amount=r["paid_amount"],
                channel=r["payment_channel"],
                paid_at=r["paid_at"],
                expected_by=r["expected_by"],
                late_hours=_hours(r["expected_by"], w.now),
            ),
        )
        for r in rows.values(
            "dispute__assignee_id",
            "dispute__number",
            "number",
            "type",
            "paid_amount",
            "payment_channel",
            "paid_at",
            "expected_by",
        )
    ]


def unshipped_exchanges(w: "CheckWindow", agents) -> list[tuple[int, UnshippedExchange]]:
    # An order waiting to ship is not moved until it ships: its last change is when the
    # returned goods passed inspection — or, shipping first (先发后退), when the customer
    # sent the return whose parcel now moves.
    rows = scoped(
        AfterSaleOrder.objects.filter(type=AfterSaleType.EXCHANGE)
        .filter(Q(state=State.AWAITING_SHIPMENT) | ship_first_due())
        .filter(Q(deadline_at__lt=w.now) | Q(updated_at__lte=w.ship_waiting_since)),
        "dispute",
        agents,
    ).order_by("updated_at", "id")
    return [
        (
            r["dispute__assignee_id"],
            UnshippedExchange(
                number=r["dispute__number"],
                aftersale_order=r["number"],
                replacement=r["replacement"],
                waiting_since=r["updated_at"],
                deadline_at=r["deadline_at"],
                waiting_days=(w.now - r["updated_at"]).days,
            ),
        )
        for r in rows.values(
            "dispute__assignee_id",
            "dispute__number",
            "number",
            "replacement",
            "updated_at",
            "deadline_at",
        )
    ]


def missing_insurance(w: "CheckWindow", agents) -> list[tuple[int, MissingInsurancePayout]]:
    rows = scoped(
        AfterSaleOrder.objects.filter(
            insurance_paid_at__isnull=True,
            insurance_expected_by__isnull=False,
            insurance_expected_by__lt=w.now,
        ),
        "dispute",
        agents,
        open_only=False,
    ).order_by("insurance_expected_by", "id")
    return [
        (
            r["dispute__assignee_id"],
            MissingInsurancePayout(
                number=r["dispute__number"],
                aftersale_order=r["number"],
                expected_by=r["insurance_expected_by"],
                late_hours=_hours(r["insurance_expected_by"], w.now),
            ),
        )
        for r in rows.values(
            "dispute__assignee_id", "dispute__number", "number", "insurance_expected_by"
        )
    ]
