"""A dispute is completed only when the customer got what was agreed (issue 12 item 6):
`complete` or `close` with an after-sale order still open is refused with a 409 naming the
orders, through every door; the last order finishing completes the dispute itself; a
cancelled order needs its reason; the departments who must act see the dispute through
their task."""

import pytest

from aftersales.disputes.models import Dispute, Event, Task
from aftersales.fulfilment import flows, platform
from aftersales.fulfilment.aftersale_orders import aftersale_cancel, aftersale_step
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.parties.actors import SYSTEM

pytestmark = pytest.mark.django_db


def _open_orders(dispute):
    return AfterSaleOrder.objects.filter(dispute=dispute, state__in=[s.value for s in flows.OPEN])


def _cancel_all(dispute, *, keep=None):
    for order in _open_orders(dispute).exclude(pk=getattr(keep, "pk", None)):
        aftersale_cancel(order=order, actor=SYSTEM, reason="顾客改为线下处理")


def test_complete_with_an_open_order_is_refused_naming_it(
    executing_dispute, make_order, lead, api_as
):
    dispute = executing_dispute()
    order = make_order(dispute, "reship", replacement="滤芯 x1")
    _cancel_all(dispute, keep=order)
    dispute.refresh_from_db()
    before = Event.objects.filter(dispute=dispute).count()

    response = api_as(lead).post(
        f"/api/v1/disputes/{dispute.number}/actions",
        {"action": "complete", "version": dispute.version},
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "aftersale_orders_open"
    assert order.number in error["message"]
    dispute.refresh_from_db()
    assert dispute.status == "executing"
    assert Event.objects.filter(dispute=dispute).count() == before  # nothing changed


def test_the_last_order_finishing_completes_the_dispute(executing_dispute, make_order):
    dispute = executing_dispute()
    order = make_order(dispute, "compensation", compensation_form="money", amount="20.00")
    _cancel_all(dispute, keep=order)
    assert Dispute.objects.get(pk=dispute.pk).status == "executing"
    assert order.state == "awaiting_finance" and order.department == "finance"
    assert Task.objects.filter(dispute=dispute, kind="aftersale_finance", state="open").exists()

    aftersale_step(order=order, action="finance_approve", actor=SYSTEM)
    aftersale_cancel(order=order, actor=SYSTEM, reason="顾客改要优惠券，已另行发放")

    dispute.refresh_from_db()
    assert dispute.status == "follow_up"
    assert not Task.objects.filter(dispute=dispute, kind="aftersale_finance", state="open").exists()
    states = list(
        Event.objects.filter(
            dispute=dispute, kind="aftersale_state", payload__aftersale_order=order.pk
        )
        .order_by("id")
        .values_list("payload__to", flat=True)
    )
    assert states == ["awaiting_finance", "awaiting_payout", "cancelled"]


def test_cancelling_needs_a_reason(executing_dispute, make_order):
    from aftersales.common.errors import ValidationFailed

    dispute = executing_dispute()
    order = make_order(dispute, "reship")
    with pytest.raises(ValidationFailed) as refused:
        aftersale_cancel(order=order, actor=SYSTEM, reason="  ")
    assert "reason" in refused.value.fields
    order.refresh_from_db()
    assert order.state == "awaiting_shipment"


def test_a_stale_version_is_a_conflict_not_a_lost_change(executing_dispute, make_order):
    from aftersales.common.errors import Conflict

    dispute = executing_dispute()
    order = make_order(dispute, "compensation", compensation_form="money", amount="10.00")
    stale = order.version
    aftersale_step(order=order, action="finance_approve", actor=SYSTEM, version=stale)
    with pytest.raises(Conflict) as refused:
        aftersale_cancel(order=order, actor=SYSTEM, reason="重复登记", version=stale)
    assert refused.value.code == "version_conflict"
    order.refresh_from_db()
    assert order.state == "awaiting_payout"


def test_an_order_by_hand_needs_a_reason_and_an_executing_dispute(executing_dispute, lead):
    from aftersales.common.errors import Conflict, ValidationFailed
    from aftersales.fulfilment.aftersale_orders import aftersale_order_create
    from tests.factories import OrderFactory, make_dispute

    dispute = executing_dispute()
    with pytest.raises(ValidationFailed) as refused:
        aftersale_order_create(dispute=dispute, type="reship", actor=lead, reason="")
    assert "reason" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        aftersale_order_create(dispute=dispute, type="teleport", actor=lead, reason="另行约定")
    assert "type" in refused.value.fields
    fresh = make_dispute(OrderFactory())
    with pytest.raises(Conflict):
        aftersale_order_create(dispute=fresh, type="reship", actor=lead, reason="另行约定")
    assert not AfterSaleOrder.objects.filter(dispute=fresh).exists()


def test_a_platform_dispute_shows_the_platform_status_beside_ours(executing_dispute, make_order):
    dispute = executing_dispute()
    Dispute.objects.filter(pk=dispute.pk).update(channel="platform")
    dispute.refresh_from_db()
    reship = make_order(dispute, "reship")
    assert reship.platform_status == ""  # no refund code for a re-shipment
    _cancel_all(dispute, keep=reship)  # the agreed full refund: room for a partial one
    order = make_order(dispute, "refund_shipped", amount="15.00")
    assert order.platform_status == "WAIT_SELLER_AGREE"
    assert str(platform.PlatformStatus(order.platform_status).label) == "等待卖家同意"
    aftersale_cancel(order=order, actor=SYSTEM, reason="顾客撤回退款申请")
    order.refresh_from_db()
    assert order.platform_status == "CLOSED"


def test_a_refund_bouncing_after_completion_puts_the_dispute_back_to_executing(
    executing_dispute, make_order, finance
):
    from aftersales.followup.models import FollowUpVisit
    from aftersales.fulfilment.payouts import payout_bounce, payout_record

    dispute = executing_dispute()
    order = make_order(dispute, "compensation", compensation_form="money", amount="30.00")
    _cancel_all(dispute, keep=order)
    aftersale_step(order=order, action="finance_approve", actor=finance)
    payout_record(order=order, reference="BANK-001", idempotency_key="k-1", actor=finance)
    dispute.refresh_from_db()
    assert dispute.status == "follow_up"
    assert FollowUpVisit.objects.filter(dispute=dispute, state="due").count() == 1

    payout_bounce(order=order, reason="收款账户已注销", actor=finance)

    dispute.refresh_from_db()
    order.refresh_from_db()
    assert (dispute.status, order.state) == ("executing", "awaiting_finance")
    assert not FollowUpVisit.objects.filter(dispute=dispute, state="due").exists()
    resumed = Event.objects.filter(dispute=dispute, action="resume").get()
    assert "收款账户已注销" in resumed.reason

    aftersale_step(order=order, action="finance_approve", actor=finance)
    payout_record(order=order, reference="BANK-002", idempotency_key="k-2", actor=finance)
    dispute.refresh_from_db()
    assert dispute.status == "follow_up"
    assert FollowUpVisit.objects.filter(dispute=dispute, state="due").count() == 1
