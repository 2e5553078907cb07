"""Reads of disputes, always through the permission scope; and what intake reads."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.common.fastinsert import from_row
from aftersales.common.text import search_form
from aftersales.parties.models import Customer, Order, OrderLine, Product
from aftersales.sla.models import PolicyVersion

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


@dataclass(frozen=True)
class IntakeFacts:
    """What an intake needs to know before it writes, read in one statement."""

    order: Order | None  # with its buyer (`order.customer`), None if unknown
    product_id: int | None  # the product when the order has exactly one line
    product_name: str
    lines: int  # how many lines the order has (0, 1, or 2 for "more than one")
    same_order: tuple[int, str] | None  # (id, number): the order's earliest open dispute
    same_customer: tuple[int, str] | None  # the same for the complainant's phone
    key_taken_by: int | None  # id of the dispute made with this intake key
    ref_taken_by: int | None  # id of the dispute with this external_ref
    policy_key: tuple | None  # (id, created_at) of the current SLA policy version


_intake_sql: str | None = None


def _intake_facts_sql() -> str:
    """Scalar subqueries around the order's row, all on unique or (x, is_open) indexes;
    the one-row base keeps the answers when the order is unknown."""
    global _intake_sql
    if _intake_sql is None:
        q = connection.ops.quote_name
        d, o, c = (q(m._meta.db_table) for m in (Dispute, Order, Customer))
        line, product = q(OrderLine._meta.db_table), q(Product._meta.db_table)
        policy = q(PolicyVersion._meta.db_table)
        open_first = "AND d.is_open ORDER BY d.received_at, d.id LIMIT 1"
        by_phone = f"JOIN {c} dc ON dc.id = d.customer_id WHERE dc.phone = %s {open_first}"
        _intake_sql = (
            "SELECT o.id, o.order_no, o.amount_paid, bc.id, bc.name, bc.phone, bc.email, "
            f"(SELECT COUNT(*) FROM (SELECT 1 FROM {line} l WHERE l.order_id = o.id LIMIT 2) x), "
            f"(SELECT l.product_id FROM {line} l WHERE l.order_id = o.id LIMIT 1), "
            f"(SELECT p.name FROM {line} l JOIN {product} p ON p.id = l.product_id "
            "WHERE l.order_id = o.id LIMIT 1), "
            f"(SELECT d.id FROM {d} d WHERE d.order_id = o.id {open_first}), "
            f"(SELECT d.number FROM {d} d WHERE d.order_id = o.id {open_first}), "
            f"(SELECT d.id FROM {d} d {by_phone}), "
            f"(SELECT d.number FROM {d} d {by_phone}), "
            f"(SELECT d.id FROM {d} d WHERE d.intake_key = %s), "
            f"(SELECT d.id FROM {d} d WHERE d.external_ref = %s), "
            f"(SELECT v.id FROM {policy} v ORDER BY v.number DESC LIMIT 1), "
            f"(SELECT v.created_at FROM {policy} v ORDER BY v.number DESC LIMIT 1) "
            f"FROM (SELECT 1 AS one) base LEFT JOIN {o} o ON o.order_no = %s "
            f"LEFT JOIN {c} bc ON bc.id = o.customer_id"
        )
    return _intake_sql


def intake_facts(
    *, order_no: str, phone: str, intake_key: str | None, external_ref: str | None
) -> IntakeFacts:
    with connection.cursor() as cursor:
        cursor.execute(_intake_facts_sql(), [phone, phone, intake_key, external_ref, order_no])
        row = cursor.fetchone()
    (order_id, number, amount, buyer_id, name, buyer_phone, email, lines, product_id) = row[:9]
    order = None
    if order_id is not None:
        if not isinstance(amount, Decimal):  # SQLite answers a number
            amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        order = from_row(
            Order, id=order_id, order_no=number, amount_paid=amount, customer_id=buyer_id
        )
        if buyer_id is not None:
            order.customer = from_row(
                Customer, id=buyer_id, name=name, phone=buyer_phone, email=email
            )
    single = lines == 1
    same_order = (row[10], row[11]) if row[10] is not None else None
    same_customer = (row[12], row[13]) if row[12] is not None else None
    return IntakeFacts(
        order=order,
        product_id=product_id if single else None,
        product_name=(row[9] or "") if single else "",
        lines=lines or 0,
        same_order=same_order,
        same_customer=same_customer,
        key_taken_by=row[14],
        ref_taken_by=row[15],
        policy_key=(row[16], row[17]) if row[16] is not None else None,
    )


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
