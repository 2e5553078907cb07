"""No tests here: the set-up the after-sale order and work-list tests share — a dispute
settled through a proposal the customer accepted (its agreement made a 退货退款 order),
carried forward with the real services to the state a test needs, and staff of each
department."""

from __future__ import annotations

import re

from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, carry_to, make_dispute, make_staff, walk_to


def settled():
    """A dispute walked to `executing` (its proposal accepted) and its agreed order."""
    dispute = walk_to(make_dispute(OrderFactory()), "executing")
    order = AfterSaleOrder.objects.filter(dispute=dispute).order_by("id").first()
    assert order is not None and order.agreement_id is not None
    return dispute, order


def agreed_order_at(state: str):
    """The agreed order of a new settled dispute, carried to `state`."""
    dispute, order = settled()
    carry_to(order, state)
    order.refresh_from_db()
    return Dispute.objects.get(pk=dispute.pk), order


def staff(role: Role):
    return make_staff(role, team=Team.objects.get(is_default=True))


def logged_in(client, role: Role):
    user = staff(role)
    client.force_login(user)
    return user


def order_url(order, door: str) -> str:
    return f"/workbench/disputes/{order.dispute.number}/aftersale-orders/{order.number}/{door}/"


def form_data(order, door: str, **fields) -> dict:
    """A form's POST body with its prefix, as the page renders it."""
    prefix = f"as-{order.pk}-{door}"
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def section(html: str, section_id: str) -> str:
    """The HTML of one <section id=…> of a page."""
    found = re.search(rf'<section id="{section_id}".*?</section>', html, re.S)
    assert found, f"no section {section_id}"
    return found.group(0)
