"""Where a customer's personal data is held: the customer row found by phone, the orders
and disputes that point at it, and each model's personal fields. One list, read by the
export and by the erasure, so that neither forgets a table the other knows.

This app sits above every domain app (it reads parties, disputes, notifications and
mediation) and below the interfaces; nothing imports it but its command."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from aftersales.common.phones import normalize_phone
from aftersales.disputes.models import Dispute
from aftersales.parties.models import Customer, Order


@dataclass(frozen=True)
class Subject:
    """The person asked about: the phone as given, its normal form, the customer row."""

    phone: str
    customer: Customer | None


def subject_for(raw_phone: str) -> Subject:
    """Raises InvalidPhone for what is not a mainland mobile or landline number."""
    phone = normalize_phone(raw_phone)
    return Subject(phone=phone, customer=Customer.objects.filter(phone=phone).first())


def orders_of(customer: Customer) -> QuerySet[Order]:
    return (
        Order.objects.filter(customer=customer)
        .select_related("store")
        .prefetch_related("lines__product")
        .order_by("created_at", "id")
    )


def disputes_of(customer: Customer) -> QuerySet[Dispute]:
    """Disputes they brought, and disputes on their orders brought by someone else."""
    return (
        Dispute.objects.filter(Q(customer=customer) | Q(order__customer=customer))
        .select_related("order", "customer")
        .distinct()
        .order_by("received_at", "id")
    )


def identifiers(customer: Customer, orders: list[Order]) -> list[str]:
    """The strings that identify the person wherever they were typed into free text:
    name, phone (also as 138 1234 1234), e-mail, buyer accounts, addresses. Longest first,
    so that a name inside an address is not replaced before the address."""
    phone = customer.phone
    found = {customer.name, phone, customer.email, f"{phone[:3]} {phone[3:7]} {phone[7:]}"}
    found |= {f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"}
    for order in orders:
        found |= {order.address, order.buyer_account}
    return sorted((s for s in found if s and len(s) >= 2), key=len, reverse=True)
