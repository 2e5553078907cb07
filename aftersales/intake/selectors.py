"""What intake reads before it writes, in one statement: the order and its buyer, open
disputes the complaint may repeat, the keys already taken and the SLA policy version
in force (which is why it lives above both disputes and sla)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from aftersales.common.fastinsert import from_row
from aftersales.disputes.models import Dispute
from aftersales.parties.models import Customer, Order, OrderLine, Product
from aftersales.sla.models import PolicyVersion


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
