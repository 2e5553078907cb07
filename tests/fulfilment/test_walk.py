"""The test walker (`tests.factories.carry_out`, and `step(d, "complete")` through it):
the after-sale orders of an accepted proposal carried out through the real services, the
last one finishing completing the dispute, and the follow-up visit due next."""

import pytest

from aftersales.disputes.models import Event, Task
from aftersales.followup.models import FollowUpVisit
from aftersales.fulfilment.models import AfterSaleOrder, Payout
from aftersales.mediation import proposals
from aftersales.parties.actors import SYSTEM
from tests.factories import OrderFactory, carry_out, make_dispute, step, walk_to

pytestmark = pytest.mark.django_db


def settled(remedies=None):
    dispute = walk_to(make_dispute(OrderFactory()), "investigating")
    if remedies is not None:
        proposals.proposal_create(dispute=dispute, actor=SYSTEM, remedies_raw=remedies)
    return walk_to(dispute, "executing")


def test_carrying_out_completes_the_dispute_and_the_follow_up_starts():
    dispute = settled()
    (order,) = AfterSaleOrder.objects.filter(dispute=dispute)
    assert (order.type, order.state) == ("return_refund", "awaiting_return_address")

    dispute = carry_out(dispute)

    order.refresh_from_db()
    assert (order.state, order.paid_amount) == ("done", order.amount)
    assert order.parcels.filter(direction="from_customer", delivered_at__isnull=False).exists()
    assert order.inspections.get().passed
    (payout,) = Payout.objects.filter(aftersale_order=order)
    assert payout.amount == order.amount
    # Every state the order went through is on the timeline, in order.
    route = [
        e.payload["to"]
        for e in Event.objects.filter(dispute=dispute, kind="aftersale_state").order_by("at", "id")
    ]
    assert route == [
        "awaiting_return_address",
        "awaiting_return",
        "return_shipped",
        "received",
        "awaiting_finance",
        "awaiting_payout",
        "done",
    ]
    assert dispute.status == "follow_up"
    completed = Event.objects.filter(dispute=dispute, kind="action").latest("at", "id")
    assert (completed.action, completed.payload.get("by")) == ("complete", "fulfilment")
    assert FollowUpVisit.objects.filter(dispute=dispute, state="due").count() == 1
    assert not Task.objects.filter(dispute=dispute, kind__startswith="aftersale_", state="open")


def test_every_kind_of_order_is_carried_out_by_step_complete():
    dispute = settled(
        [
            {"code": "refund", "amount": "100.00"},
            {"code": "exchange", "customer_pays": "30.00", "ship_first": True},
            {"code": "repair"},
            {"code": "reship"},
            {"code": "gift", "amount": "10.00"},
            {"code": "coupon", "amount": "20.00"},
        ]
    )
    assert AfterSaleOrder.objects.filter(dispute=dispute).count() == 6
    dispute = step(dispute, "complete")
    assert dispute.status == "follow_up"
    assert set(AfterSaleOrder.objects.filter(dispute=dispute).values_list("state", flat=True)) == {
        "done"
    }


def test_a_dispute_with_nothing_to_carry_out_completes_as_before():
    dispute = settled([{"code": "apology"}])
    assert not AfterSaleOrder.objects.filter(dispute=dispute).exists()
    assert carry_out(dispute).status == "follow_up"


def test_walking_to_closed_goes_through_the_orders():
    dispute = walk_to(make_dispute(OrderFactory()), "closed")
    assert dispute.status == "closed"
    assert list(AfterSaleOrder.objects.filter(dispute=dispute).values_list("state", flat=True)) == [
        "done"
    ]
