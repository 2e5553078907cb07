"""Compensation in kind (补偿: 优惠券 / 赠品): a coupon issued with its code or batch as
the reference the customer can look up; a gift shipped and delivered like a re-shipment."""

import pytest

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Dispute, Event
from aftersales.fulfilment import goods
from aftersales.fulfilment.aftersale_orders import aftersale_cancel
from aftersales.fulfilment.models import AfterSaleOrder, Payout
from aftersales.parties.actors import SYSTEM, customer_actor
from aftersales.parties.roles import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def only_order(dispute, make_order, type_, **kw) -> AfterSaleOrder:
    """A hand-made order replacing the agreed one (cancelled); the dispute still executing."""
    mine = make_order(dispute, type_, **kw)
    for other in AfterSaleOrder.objects.filter(dispute=dispute).exclude(pk=mine.pk):
        if other.is_open:
            aftersale_cancel(order=other, actor=SYSTEM, reason="改为补偿")
    return AfterSaleOrder.objects.get(pk=mine.pk)


def snapshot(order):
    fresh = AfterSaleOrder.objects.get(pk=order.pk)
    return fresh.state, fresh.version, Event.objects.filter(dispute_id=order.dispute_id).count()


def last_state_event(order) -> Event:
    return Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk).latest(
        "id"
    )


def test_a_coupon_is_issued_with_its_code(executing_dispute, make_order, agent):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "compensation", compensation_form="coupon")
    assert order.state == "awaiting_issue" and order.department == "operations"
    assert order.payment_channel == ""  # no money moves through finance

    goods.coupon_issue(order=order, reference=" CPN-20250315-0088 ", actor=agent)

    order.refresh_from_db()
    assert order.state == "done"
    assert last_state_event(order).payload["reference"] == "CPN-20250315-0088"
    assert not Payout.objects.filter(aftersale_order=order).exists()
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"


def test_a_coupon_without_its_code_is_422_and_nothing_changes(executing_dispute, make_order, agent):
    order = only_order(executing_dispute(), make_order, "compensation", compensation_form="coupon")
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as refused:
        goods.coupon_issue(order=order, reference="   ", actor=agent)
    assert set(refused.value.fields) == {"reference"}
    assert snapshot(order) == before


def test_a_coupon_is_issued_once(executing_dispute, make_order, agent):
    order = only_order(executing_dispute(), make_order, "compensation", compensation_form="coupon")
    goods.coupon_issue(order=order, reference="CPN-1", actor=agent)
    with pytest.raises(Conflict) as refused:
        goods.coupon_issue(order=order, reference="CPN-2", actor=agent)
    assert refused.value.code == "step_not_allowed"
    assert refused.value.extra["allowed"] == []  # done: nothing more to do


def test_customers_and_roles_without_the_step_do_not_issue_coupons(
    executing_dispute, make_order, qc
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "compensation", compensation_form="coupon")
    before = snapshot(order)
    for someone in (customer_actor(dispute.customer), qc):
        with pytest.raises(Forbidden):
            goods.coupon_issue(order=order, reference="CPN-3", actor=someone)
    assert snapshot(order) == before


def test_operations_who_own_the_step_issue_the_coupon(executing_dispute, make_order, default_team):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "compensation", compensation_form="coupon")
    operations = make_staff(Role.OPERATIONS, team=default_team)
    goods.coupon_issue(order=order, reference="CPN-4", actor=operations)
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "done"


def test_a_gift_ships_and_is_delivered(executing_dispute, make_order, logistics):
    dispute = executing_dispute()
    order = only_order(
        dispute, make_order, "compensation", compensation_form="gift", replacement="保温杯 1 个"
    )
    assert order.state == "awaiting_shipment" and order.department == "logistics"
    goods.shipment_send(
        order=order, carrier="韵达快递", tracking_no="YD3100002222", actor=logistics
    )
    goods.delivery_confirm(order=order, actor=customer_actor(dispute.customer))
    order.refresh_from_db()
    assert order.state == "done"
    assert order.parcels.get().tracking_no == "YD3100002222"
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"


def test_a_gift_is_never_issued_like_a_coupon(executing_dispute, make_order, agent):
    order = only_order(executing_dispute(), make_order, "compensation", compensation_form="gift")
    with pytest.raises(Conflict) as refused:
        goods.coupon_issue(order=order, reference="CPN-5", actor=agent)
    assert refused.value.extra["allowed"] == ["ship", "cancel"]
