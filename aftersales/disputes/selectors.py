"""Reads of disputes, always through the permission scope; and what intake reads."""

from decimal import Decimal

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.common.text import search_form
from aftersales.parties.models import OrderLine

from .models import Dispute, Event
from .permissions import scope_disputes

QUEUE_ORDER = (
    F("is_open").desc(),
    F("severity_rank").desc(),
    F("due_at").asc(nulls_last=True),
    F("received_at").asc(),
    F("id").asc(),
)


def disputes_visible_to(user) -> QuerySet[Dispute]:
    return scope_disputes(user, Dispute.objects.all())


def dispute_queue(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    channel: str | None = None,
    assignee: str | None = None,
    q: str | None = None,
) -> QuerySet[Dispute]:
    """The disputes a user may see, filtered, most urgent first: open before ended, then
    severity, then the nearest due time, then the oldest."""
    qs = disputes_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if severity:
        qs = qs.filter(severity=severity)
    if channel:
        qs = qs.filter(channel=channel)
    if assignee:
        if assignee == "me":
            qs = qs.filter(assignee=user)
        elif assignee == "none":
            qs = qs.filter(assignee__isnull=True)
        else:
            qs = qs.filter(assignee__username=assignee)
    if q and q.strip():
        qs = qs.filter(search_text__contains=search_form(q.strip()))
    return qs.select_related("customer", "assignee", "team").order_by(*QUEUE_ORDER)


def dispute_get(*, number: str, user) -> Dispute:
    if "\x00" in number:  # no number has one, and PostgreSQL refuses to compare it
        raise NotFound(_("找不到投诉 %(number)s") % {"number": number.replace("\x00", "")})
    dispute = (
        disputes_visible_to(user)
        .select_related("customer", "order", "order__store", "assignee", "team", "duplicate_of")
        .filter(number=number)
        .first()
    )
    if dispute is None:
        raise NotFound(_("找不到投诉 %(number)s") % {"number": number})
    return dispute


def dispute_timeline(dispute: Dispute) -> QuerySet[Event]:
    return dispute.events.select_related("actor").order_by("at", "id")


def dispute_for_creator(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_related(
        "customer", "order", "assignee", "team", "duplicate_of"
    ).get(pk=dispute.pk)


def order_line_named(order_id: int, product_name: str) -> tuple[int, Decimal] | None:
    """The line of a several-line order that a complaint names by its product: (product
    id, what was paid for it), when exactly one line's product has that name (or the
    name is a part of exactly one line's product name, or contains it). The law counts
    the price paid for the goods complained of, not the order's total (legal.md R06)."""
    name = (product_name or "").strip().casefold()
    if not name:
        return None
    lines = list(
        OrderLine.objects.filter(order_id=order_id).values_list(
            "product_id", "product__name", "paid", "unit_price", "quantity"
        )
    )

    def paid_of(row) -> Decimal:
        return row[2] if row[2] is not None else row[3] * row[4]

    exact = [r for r in lines if r[1].strip().casefold() == name]
    if len(exact) != 1:
        exact = [r for r in lines if name in r[1].casefold() or r[1].casefold() in name]
    if len({r[0] for r in exact}) != 1:
        return None
    return exact[0][0], sum((paid_of(r) for r in exact), Decimal("0.00"))
