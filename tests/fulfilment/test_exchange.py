"""Exchange (换货, SPEC §7): the original order's receipt deadline extended, the goods sent
back and inspected, the replacement shipped and delivered; a dearer item paid for before
anything moves; ship-first once the return parcel moves; out of stock → back to
mediation with the reason."""

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

pytestmark = pytest.mark.django_db

ADDRESS = "上海市浦东新区张江路 100 号 售后仓 收"


def only_order(dispute, make_order, type_, **kw) -> AfterSaleOrder:
    """A hand-made order replacing the agreed one (cancelled); the dispute still executing."""
    placeholder = make_order(dispute, "reship")
    for other in AfterSaleOrder.objects.filter(dispute=dispute).exclude(pk=placeholder.pk):
        if other.is_open:
            aftersale_cancel(order=other, actor=SYSTEM, reason="改为换货")
    mine = make_order(dispute, type_, **kw)
    aftersale_cancel(order=placeholder, actor=SYSTEM, reason="改为换货")
    return AfterSaleOrder.objects.get(pk=mine.pk)


def states_of(order) -> list[str]:
    return list(
        Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk)
        .order_by("id")
        .values_list("payload__to", flat=True)
    )


def snapshot(order):
    fresh = AfterSaleOrder.objects.get(pk=order.pk)
    return (
        fresh.state,
        fresh.version,
        Parcel.objects.filter(aftersale_order=order).count(),
        Event.objects.filter(dispute_id=order.dispute_id).count(),
    )


def returned_and_passed(order, *, agent, logistics, qc, customer):
    if order.state == "awaiting_return_address":
        goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(order=order, carrier="中通快递", tracking_no="ZT7788990011", actor=customer)
    goods.return_receive(order=order, actor=logistics)
    goods.return_inspect(
        order=order, passed=True, report="内胆渗水，确认质量问题", good_quantity=0,
        defective_quantity=1, actor=qc,
    )  # fmt: skip
    order.refresh_from_db()
    return order


def test_an_exchange_walks_to_the_replacement_delivered(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "exchange", replacement="同款 60L 白色")
    customer = customer_actor(dispute.customer)
    assert order.state == "awaiting_return_address"

    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    order.refresh_from_db()
    received = dispute.order.received_at
    assert order.receipt_deadline_extended_to == received + dt.timedelta(days=7)
    sent = Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk).latest(
        "id"
    )
    assert sent.payload["receipt_deadline_extended_from"] == received.isoformat()
    assert sent.payload["receipt_deadline_basis"] == "received"
    assert sent.payload["receipt_deadline_extended_days"] == 7

    returned_and_passed(order, agent=agent, logistics=logistics, qc=qc, customer=customer)
    assert order.state == "awaiting_shipment" and order.department == "logistics"

    goods.shipment_send(
        order=order, carrier="顺丰速运", tracking_no="SF9900112233", actor=logistics
    )
    order.refresh_from_db()
    assert order.state == "shipped"
    out = order.parcels.get(direction="to_customer")
    assert out.tracking_no == "SF9900112233" and out.delivered_at is None

    goods.delivery_confirm(order=order, actor=customer)  # the customer says it arrived
    order.refresh_from_db()
    out.refresh_from_db()
    assert order.state == "done" and out.delivered_at is not None
    assert states_of(order) == [
        "awaiting_return_address",
        "awaiting_return",
        "return_shipped",
        "received",
        "awaiting_shipment",
        "shipped",
        "done",
    ]
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"


def test_the_extension_runs_from_shipping_when_never_signed_for(
    executing_dispute, make_order, agent, settings
):
    settings.EXCHANGE_RECEIPT_EXTENSION_DAYS = 5
    dispute = executing_dispute(received_at=None)
    order = only_order(dispute, make_order, "exchange")
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    order.refresh_from_db()
    assert order.receipt_deadline_extended_to == dispute.order.shipped_at + dt.timedelta(days=5)
    sent = Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk).latest(
        "id"
    )
    assert sent.payload["receipt_deadline_basis"] == "shipped"


def test_a_dearer_item_is_paid_for_before_anything_moves(executing_dispute, make_order, agent):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "exchange", customer_pays="200.00")
    assert order.state == "awaiting_customer_payment" and order.department == "finance"
    before = snapshot(order)
    with pytest.raises(Conflict) as refused:
        goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    assert refused.value.extra["allowed"] == ["collect_payment", "out_of_stock", "cancel"]
    assert snapshot(order) == before


def test_ship_first_waits_for_the_return_parcel_to_move(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "exchange", variant="ship_first")
    customer = customer_actor(dispute.customer)
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(order=order, carrier="中通快递", tracking_no="ZT1000", actor=customer)
    before = snapshot(order)

    with pytest.raises(Conflict) as refused:
        goods.shipment_send(order=order, carrier="顺丰速运", tracking_no="SF2000", actor=logistics)
    assert refused.value.code == "return_not_moving"
    assert "物流轨迹" in refused.value.message
    assert snapshot(order) == before

    back = order.parcels.get(direction="from_customer")
    parcel_track(parcel=back, at=timezone.now(), actor=logistics, description="已揽收")
    goods.shipment_send(order=order, carrier="顺丰速运", tracking_no="SF2000", actor=logistics)
    order.refresh_from_db()
    assert order.state == "shipped"

    goods.return_receive(order=order, actor=logistics)
    goods.return_inspect(
        order=order, passed=True, report="质量问题属实", good_quantity=0, defective_quantity=1,
        actor=qc,
    )  # fmt: skip
    order.refresh_from_db()
    assert order.state == "done"
    assert states_of(order)[-4:] == ["return_shipped", "shipped", "received", "done"]


def test_out_of_stock_sends_the_dispute_back_to_mediation_with_the_reason(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "exchange", replacement="同款 60L 白色")
    customer = customer_actor(dispute.customer)
    returned_and_passed(order, agent=agent, logistics=logistics, qc=qc, customer=customer)
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as refused:
        goods.out_of_stock(order=order, reason="  ", actor=logistics)
    assert set(refused.value.fields) == {"reason"}
    assert snapshot(order) == before

    goods.out_of_stock(order=order, reason="该型号已停产，全国仓无货", actor=logistics)

    order.refresh_from_db()
    assert order.state == "failed" and order.cancel_reason == "该型号已停产，全国仓无货"
    dispute.refresh_from_db()
    assert dispute.status == "investigating"
    back = Event.objects.filter(dispute=dispute, kind="action").latest("id")
    assert back.action == "renegotiate" and "该型号已停产，全国仓无货" in back.reason
    failed = Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk).latest(
        "id"
    )
    assert failed.payload["to"] == "failed" and failed.payload["out_of_stock"] == "同款 60L 白色"


def test_out_of_stock_once_shipped_is_409(executing_dispute, make_order, agent, logistics, qc):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "exchange")
    customer = customer_actor(dispute.customer)
    returned_and_passed(order, agent=agent, logistics=logistics, qc=qc, customer=customer)
    goods.shipment_send(order=order, carrier="顺丰速运", tracking_no="SF3000", actor=logistics)
    with pytest.raises(Conflict) as refused:
        goods.out_of_stock(order=order, reason="仓库盘点发现无货", actor=logistics)
    assert refused.value.extra["allowed"] == ["confirm_delivery", "cancel"]
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "shipped"


def test_a_failed_inspection_of_an_exchange_fails_it(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "exchange")
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(order=order, carrier="中通", tracking_no="ZT4000", actor=agent)
    goods.return_receive(order=order, actor=logistics)
    goods.return_inspect(
        order=order, passed=False, report="人为进水，不属于质量问题", good_quantity=0,
        defective_quantity=1, actor=qc,
    )  # fmt: skip
    order.refresh_from_db()
    assert order.state == "failed" and "人为进水" in order.cancel_reason
    assert Dispute.objects.get(pk=dispute.pk).status == "investigating"


def test_replacement_shipping_input_and_roles(
    executing_dispute, make_order, agent, logistics, qc, finance
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order, "exchange")
    customer = customer_actor(dispute.customer)
    returned_and_passed(order, agent=agent, logistics=logistics, qc=qc, customer=customer)
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as refused:
        goods.shipment_send(order=order, carrier="顺丰速运", tracking_no="SF 3000", actor=logistics)
    assert set(refused.value.fields) == {"tracking_no"}
    for someone in (finance, qc, customer):  # shipping is logistics' (and the handlers')
        with pytest.raises(Forbidden):
            goods.shipment_send(
                order=order, carrier="顺丰速运", tracking_no="SF3000", actor=someone
            )
    with pytest.raises(Forbidden):
        goods.out_of_stock(order=order, reason="无货", actor=customer)
    assert snapshot(order) == before
