"""A dispute in follow-up: taken in, walked to `executing` through the real services (the
accepted proposal's after-sale orders with it), then its orders finished as the test
says, the last one completing the dispute (`complete`, executing -> follow_up)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.disputes.models import Dispute
from aftersales.fulfilment import flows
from aftersales.fulfilment.aftersale_orders import aftersale_cancel
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, make_dispute, make_staff, walk_to

DAYS_AGO = 3  # intake three days before the follow-up


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team)


def finished_order(dispute, type_: str, *, amount: str, paid: str, at: dt.datetime, **fields):
    """An after-sale order already carried out (done), with the money paid out: the rows
    the closure summary reads. (Walking each type end to end is fulfilment's tests.)"""
    n = AfterSaleOrder.objects.filter(dispute=dispute).count() + 1
    return AfterSaleOrder.objects.create(
        number=f"{dispute.number}-F{n:02d}",
        dispute=dispute,
        type=type_,
        state=flows.State.DONE,
        amount=Decimal(amount),
        paid_amount=Decimal(paid),
        completed_at=at,
        created_at=at,
        updated_at=at,
        **fields,
    )


@pytest.fixture
def executing(db, default_team):
    """`executing()`: a dispute of the default team, received three days ago, walked to
    `executing` (it carries the accepted proposal's after-sale orders)."""

    def make():
        received = timezone.now() - dt.timedelta(days=DAYS_AGO)
        dispute = make_dispute(OrderFactory(), received_at=received.isoformat())
        Dispute.objects.filter(pk=dispute.pk).update(team=default_team)
        return walk_to(Dispute.objects.get(pk=dispute.pk), "executing")

    return make


def complete(dispute, *, reason: str = "顾客改为线下处理") -> Dispute:
    """Cancel the dispute's open after-sale orders (with a reason): the last one completes
    the dispute, as fulfilment does."""
    for order in AfterSaleOrder.objects.filter(
        dispute=dispute, state__in=[s.value for s in flows.OPEN]
    ):
        aftersale_cancel(order=order, actor=SYSTEM, reason=reason)
    return Dispute.objects.get(pk=dispute.pk)


@pytest.fixture
def in_follow_up(executing):
    """`in_follow_up(with_refund=False)`: a dispute in follow-up; with a refund of 100.00
    and compensation of 50.00 carried out and paid when `with_refund`."""

    def make(*, with_refund: bool = False):
        dispute = executing()
        if with_refund:
            at = timezone.now()
            finished_order(dispute, "refund_shipped", amount="100.00", paid="100.00", at=at)
            finished_order(
                dispute,
                "compensation",
                amount="50.00",
                paid="50.00",
                at=at,
                compensation_form="money",
            )
        dispute = complete(dispute)
        assert dispute.status == "follow_up"
        return dispute

    return make
