"""Shared set-up for the proposal, authority, negotiation and settlement PDF tests: a
dispute under investigation, staff per role, and the customer's side of the link."""

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.customer_link import last_link as last_link  # re-exported for the tests here
from tests.factories import OrderFactory, make_dispute, make_staff, step

URL = "/api/v1/disputes"
LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"


def apply(dispute, action, **payload):
    """One lifecycle action through its own door (`tests.factories.step`): escalating
    files an escalation, proposing sends a proposal, settling is the customer's accept."""
    return step(dispute, action, **payload)


def investigating_dispute(
    *,
    received_days_ago: int = 20,
    customer_name: str = "张三",
    phone: str = "13812341234",
    paid: str | None = None,
    order=None,
):
    """A quality dispute under investigation. Signed for 20 days ago, no defect found yet:
    the law gives nothing beyond goodwill. 3 days ago: the 7-day no-reason return.
    `paid`: what the order was paid (1999.00 by default); `order`: an order made already."""
    if order is None:
        extra = {} if paid is None else {"amount_paid": Decimal(paid)}
        order = OrderFactory(
            received_at=timezone.now() - dt.timedelta(days=received_days_ago), **extra
        )
    dispute = make_dispute(
        order, description=LEAK, customer={"name": customer_name, "phone": phone}
    )
    apply(dispute, "triage")
    return apply(dispute, "investigate")


def staff(role: Role):
    return make_staff(role, team=Team.objects.get(is_default=True))


def comp(amount: str) -> list[dict]:
    return [{"code": "compensation", "amount": amount}]


def proposals_url(dispute, *rest) -> str:
    return "/".join([f"{URL}/{dispute.number}/proposals", *[str(r) for r in rest]])


class CustomerClient:
    """The customer answering through the link they were sent."""

    def __init__(self, token: str, code: str | None = None):
        self.client = Client(REMOTE_ADDR="203.0.113.7")
        self.token = token
        self.code = code  # the one-time code sent with the link, needed to accept

    def get(self, path):
        return self.client.get(path, headers={"X-Customer-Token": self.token})

    def post(self, path, data=None):
        return self.client.post(
            path,
            data=data or {},
            content_type="application/json",
            headers={"X-Customer-Token": self.token, "User-Agent": "pytest-browser"},
        )
