"""Re-shipment (补发) of missing or wrong items: shipped with a carrier and tracking number,
then delivered — confirmed by the customer, by staff on their word, or by the carrier's
tracking marking our parcel delivered (签收), which confirms the order by itself."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Dispute, Event
from aftersales.fulfilment import goods
from aftersales.fulfilment.aftersale_orders import aftersale_cancel
from aftersales.fulfilment.models import AfterSaleOrder, Parcel
from aftersales.fulfilment.parcels import parcel_track
from aftersales.parties.actors import SYSTEM, customer_actor
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def only_order(dispute, make_order, type_, **kw) -> AfterSaleOrder:
    """A hand-made order replacing the agreed one (cancelled); the dispute still executing."""
    mine = make_order(dispute, type_, **kw)
    for other in AfterSaleOrder.objects.filter(dispute=dispute).exclude(pk=mine.pk):
        if other.is_open:
            aftersale_cancel(order=other, actor=SYSTEM, reason="改为补发")
    return AfterSaleOrder.objects.get(pk=mine.pk)


def snapshot(order):
    fresh = AfterSaleOrder.objects.get(pk=order.pk)
    return (
        fresh.state,
        fresh.version,
        list(
            Parcel.objects.filter(aftersale_order=order).values_list("tracking_no", "delivered_at")
        ),
        Event.objects.filter(dispute_id=order.dispute_id).count(),
    )


def states_of(order) -> list[str]:
    return list(
        Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk)
        .order_by("id")
        .values_list("payload__to", flat=True)
    )


def test_a_reshipment_delivered_by_the_carrier_completes_itself(
    executing_dispute, make_order, logistics
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "reship", replacement="配件包（缺少的安装支架）")
    assert order.state == "awaiting_shipment" and order.department == "logistics"

    goods.shipment_send(order=order, carrier="顺丰速运", tracking_no="SF5550001", actor=logistics)
    parcel = Parcel.objects.get(aftersale_order=order)
    assert parcel.direction == "to_customer"

    scanned = timezone.now() - dt.timedelta(hours=20)
    parcel_track(parcel=parcel, at=scanned, actor=SYSTEM, description="运输中")
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "shipped"  # moving is not arriving

    signed = timezone.now() - dt.timedelta(hours=2)
    parcel_track(parcel=parcel, at=signed, actor=SYSTEM, description="本人签收", delivered=True)

    order.refresh_from_db()
    assert order.state == "done" and order.completed_at == signed
    done = Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk).latest(
        "id"
    )
    assert done.payload["action"] == "confirm_delivery" and done.payload["by"] == "tracking"
    assert done.actor_id is None  # the system, on the carrier's word
    assert states_of(order) == ["awaiting_shipment", "shipped", "done"]
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"


def test_staff_confirm_the_delivery_on_the_customers_word(
    executing_dispute, make_order, logistics, agent
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "reship")
    goods.shipment_send(order=order, carrier="中通快递", tracking_no="ZT5550002", actor=logistics)
    goods.delivery_confirm(order=order, actor=agent)
    order.refresh_from_db()
    assert order.state == "done"
    assert Parcel.objects.get(aftersale_order=order).delivered_at == order.completed_at


def test_only_the_disputes_customer_confirms_their_delivery(
    executing_dispute, make_order, logistics, finance
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "reship")
    goods.shipment_send(order=order, carrier="中通快递", tracking_no="ZT5550003", actor=logistics)
    before = snapshot(order)
    with pytest.raises(Forbidden):
        goods.delivery_confirm(order=order, actor=customer_actor(CustomerFactory()))
    with pytest.raises(Forbidden):
        goods.shipment_send(order=order, carrier="中通快递", tracking_no="ZT1", actor=finance)
    assert snapshot(order) == before
    goods.delivery_confirm(order=order, actor=customer_actor(dispute.customer))
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "done"


def test_nothing_is_delivered_before_it_ships(executing_dispute, make_order, agent):
    order = only_order(executing_dispute(), make_order, "reship")
    before = snapshot(order)
    with pytest.raises(Conflict) as refused:
        goods.delivery_confirm(order=order, actor=agent)
    assert refused.value.code == "step_not_allowed"
    assert refused.value.extra["allowed"] == ["ship", "cancel"]
    assert snapshot(order) == before


@pytest.mark.parametrize("tracking_no", ["", "  ", "SF 555 0004", "顺丰5550004"])
def test_a_bad_tracking_number_is_422_and_nothing_ships(
    executing_dispute, make_order, logistics, tracking_no
):
    order = only_order(executing_dispute(), make_order, "reship")
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as refused:
        goods.shipment_send(
            order=order, carrier="顺丰速运", tracking_no=tracking_no, actor=logistics
        )
    assert set(refused.value.fields) == {"tracking_no"}
    assert snapshot(order) == before


def test_the_same_tracking_number_twice_on_one_order_is_refused(
    executing_dispute, make_order, logistics
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "reship")
    goods.shipment_send(order=order, carrier="顺丰速运", tracking_no="SF5550005", actor=logistics)
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "shipped"
    with pytest.raises(Conflict):  # shipped already: no second shipment of the same order
        goods.shipment_send(
            order=order, carrier="顺丰速运", tracking_no="SF5550005", actor=logistics
        )
    assert Parcel.objects.filter(aftersale_order=order).count() == 1
