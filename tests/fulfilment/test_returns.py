"""Return and refund (退货退款, SPEC §7): the return address sent, the customer's carrier and
tracking number, the goods received and inspected (良品 / 次品), then the refund — or, when
the proposal says so, the refund first and the goods after. A failed inspection sends the
dispute back to mediation with the QC report. Bad input changes nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.evidence import evidence_add
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.fulfilment import goods
from aftersales.fulfilment.aftersale_orders import aftersale_cancel, aftersale_step
from aftersales.fulfilment.models import AfterSaleOrder, Parcel, ReturnInspection
from aftersales.fulfilment.parcels import parcel_track
from aftersales.fulfilment.payouts import payout_record
from aftersales.parties.actors import SYSTEM, customer_actor
from tests.api.test_evidence_api import png_bytes
from tests.factories import CustomerFactory, make_dispute

pytestmark = pytest.mark.django_db

ADDRESS = "上海市浦东新区张江路 100 号 售后仓 收"


def agreed_return(dispute) -> AfterSaleOrder:
    """The return and refund of the proposal the customer accepted."""
    return AfterSaleOrder.objects.get(
        dispute=dispute, type="return_refund", state__in=["awaiting_return_address"]
    )


def only_order(dispute, make_order, type_, **kw) -> AfterSaleOrder:
    """A hand-made order replacing the agreed one (which is cancelled), the dispute still
    executing."""
    placeholder = make_order(dispute, "reship")
    for other in AfterSaleOrder.objects.filter(dispute=dispute).exclude(pk=placeholder.pk):
        if other.is_open:
            aftersale_cancel(order=other, actor=SYSTEM, reason="改为另行约定的办法")
    mine = make_order(dispute, type_, **kw)
    aftersale_cancel(order=placeholder, actor=SYSTEM, reason="改为另行约定的办法")
    return AfterSaleOrder.objects.get(pk=mine.pk)


def states_of(order) -> list[str]:
    return list(
        Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk)
        .order_by("id")
        .values_list("payload__to", flat=True)
    )


def last_state_event(order) -> Event:
    return Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk).latest(
        "id"
    )


def snapshot(order):
    """What a refused request must leave as it was."""
    fresh = AfterSaleOrder.objects.get(pk=order.pk)
    return (
        fresh.state,
        fresh.version,
        fresh.return_address,
        Parcel.objects.filter(aftersale_order=order).count(),
        ReturnInspection.objects.filter(aftersale_order=order).count(),
        Event.objects.filter(dispute_id=order.dispute_id).count(),
    )


def to_received(order, *, agent, logistics, customer):
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(order=order, carrier="顺丰速运", tracking_no="SF1234567890", actor=customer)
    return goods.return_receive(order=order, actor=logistics)


def test_a_return_walks_from_the_address_to_finance(executing_dispute, agent, logistics, qc):
    dispute = executing_dispute()
    order = agreed_return(dispute)
    customer = customer_actor(dispute.customer)

    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    order.refresh_from_db()
    assert order.state == "awaiting_return" and order.return_address == ADDRESS
    assert last_state_event(order).payload["return_address"] == ADDRESS
    assert order.receipt_deadline_extended_to is None  # only exchanges extend it

    goods.return_ship(order=order, carrier="顺丰速运", tracking_no=" SF1234567890 ", actor=customer)
    order.refresh_from_db()
    assert order.state == "return_shipped" and order.department == "logistics"
    (parcel,) = order.parcels.all()
    assert (parcel.direction, parcel.carrier, parcel.tracking_no) == (
        "from_customer",
        "顺丰速运",
        "SF1234567890",
    )
    assert parcel.delivered_at is None
    recorded = Event.objects.get(dispute=dispute, kind="parcel_recorded")
    assert recorded.payload["tracking_no"] == "SF1234567890"
    assert recorded.actor_id is None and recorded.actor_label == customer.label

    goods.return_receive(order=order, actor=logistics)
    order.refresh_from_db()
    parcel.refresh_from_db()
    assert order.state == "received" and order.department == "quality_control"
    assert parcel.delivered_at is not None
    assert Task.objects.filter(dispute=dispute, kind="aftersale_quality_control").exists()

    inspection = goods.return_inspect(
        order=order,
        passed=True,
        report="外包装完好，商品无使用痕迹，配件齐全",
        good_quantity=1,
        defective_quantity=0,
        serial_or_batch="SN20250301",
        actor=qc,
    )
    order.refresh_from_db()
    assert order.state == "awaiting_finance" and order.department == "finance"
    assert inspection.passed and inspection.good_quantity == 1 and inspection.inspected_by == qc
    assert inspection.received_at == parcel.delivered_at
    assert last_state_event(order).payload["report"] == "外包装完好，商品无使用痕迹，配件齐全"
    assert states_of(order) == [
        "awaiting_return_address",
        "awaiting_return",
        "return_shipped",
        "received",
        "awaiting_finance",
    ]
    assert Task.objects.filter(dispute=dispute, kind="aftersale_finance", state="open").exists()
    assert Dispute.objects.get(pk=dispute.pk).status == "executing"


def test_the_stores_default_return_address_is_used_when_none_is_typed(
    executing_dispute, agent, settings
):
    settings.AFTERSALES_RETURN_ADDRESS = "杭州市余杭区仓前街道 1 号 退货组"
    order = agreed_return(executing_dispute())
    goods.return_address_send(order=order, actor=agent)
    order.refresh_from_db()
    assert order.return_address == "杭州市余杭区仓前街道 1 号 退货组"


def test_without_any_return_address_it_is_422_and_nothing_changes(
    executing_dispute, agent, settings
):
    settings.AFTERSALES_RETURN_ADDRESS = ""
    order = agreed_return(executing_dispute())
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as refused:
        goods.return_address_send(order=order, actor=agent, address="   ")
    assert set(refused.value.fields) == {"address"}
    assert snapshot(order) == before


def test_refund_first_pays_then_waits_for_the_goods(
    executing_dispute, make_order, agent, finance, logistics, qc
):
    dispute = executing_dispute()
    order = only_order(
        dispute, make_order, "return_refund", amount="1999.00", variant="refund_first"
    )
    assert order.state == "awaiting_finance"
    aftersale_step(order=order, action="finance_approve", actor=finance)
    payout_record(order=order, reference="ALI202503150001", idempotency_key="k-rf-1", actor=finance)
    order.refresh_from_db()
    assert order.state == "awaiting_return_address"
    assert order.department == "customer_service"

    to_received(order, agent=agent, logistics=logistics, customer=customer_actor(dispute.customer))
    goods.return_inspect(
        order=order, passed=True, report="良品入库", good_quantity=1, defective_quantity=0, actor=qc
    )
    order.refresh_from_db()
    assert order.state == "done" and order.completed_at is not None
    assert states_of(order)[-6:] == [
        "awaiting_payout",
        "awaiting_return_address",
        "awaiting_return",
        "return_shipped",
        "received",
        "done",
    ]
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"  # the last order done


def test_a_failed_inspection_sends_the_dispute_back_to_mediation_with_the_report(
    executing_dispute, agent, logistics, qc
):
    dispute = executing_dispute()
    order = agreed_return(dispute)
    to_received(order, agent=agent, logistics=logistics, customer=customer_actor(dispute.customer))
    report = "机身有明显摔痕，防伪标签被撕，非质量问题"

    inspection = goods.return_inspect(
        order=order, passed=False, report=report, good_quantity=0, defective_quantity=1, actor=qc
    )

    order.refresh_from_db()
    assert inspection.passed is False and inspection.defective_quantity == 1
    assert order.state == "failed" and report in order.cancel_reason
    dispute.refresh_from_db()
    assert dispute.status == "investigating"
    back = Event.objects.filter(dispute=dispute, kind="action").latest("id")
    assert (back.action, back.from_status, back.to_status) == (
        "renegotiate",
        "executing",
        "investigating",
    )
    assert report in back.reason and back.payload["number"] == order.number
    assert report in last_state_event(order).payload["report"]


@pytest.mark.parametrize(
    ("tracking_no", "message"),
    [("", "请填写快递单号"), ("   ", "请填写快递单号"), ("SF 1234 5678", "不能有空格")],
)
def test_a_blank_or_spaced_tracking_number_is_422_and_nothing_changes(
    executing_dispute, agent, tracking_no, message
):
    dispute = executing_dispute()
    order = agreed_return(dispute)
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as refused:
        goods.return_ship(
            order=order,
            carrier="顺丰速运",
            tracking_no=tracking_no,
            actor=customer_actor(dispute.customer),
        )
    assert set(refused.value.fields) == {"tracking_no"}
    assert message in refused.value.fields["tracking_no"]
    assert snapshot(order) == before


def test_a_missing_carrier_is_named_too(executing_dispute, agent):
    order = agreed_return(executing_dispute())
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    with pytest.raises(ValidationFailed) as refused:
        goods.return_ship(order=order, carrier=" ", tracking_no="SF1", actor=agent)
    assert set(refused.value.fields) == {"carrier"}


def test_only_the_disputes_own_customer_fills_the_return_tracking(executing_dispute, agent):
    dispute = executing_dispute()
    order = agreed_return(dispute)
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    before = snapshot(order)
    stranger = customer_actor(CustomerFactory())
    with pytest.raises(Forbidden):
        goods.return_ship(order=order, carrier="中通", tracking_no="ZT100", actor=stranger)
    assert snapshot(order) == before
    # A customer does not take the warehouse's or QC's steps.
    own = customer_actor(dispute.customer)
    goods.return_ship(order=order, carrier="中通", tracking_no="ZT100", actor=own)
    with pytest.raises(Forbidden):
        goods.return_receive(order=order, actor=own)
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "return_shipped"


def test_the_return_parcel_tracked_as_delivered_still_waits_for_the_warehouse(
    executing_dispute, agent, logistics
):
    dispute = executing_dispute()
    order = agreed_return(dispute)
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(
        order=order, carrier="中通", tracking_no="ZT200", actor=customer_actor(dispute.customer)
    )
    parcel = order.parcels.get()
    parcel_track(parcel=parcel, at=timezone.now(), actor=logistics, delivered=True)
    parcel.refresh_from_db()
    assert parcel.moved and parcel.delivered_at is not None
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "return_shipped"
    goods.return_receive(order=order, actor=logistics)
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "received"


def test_staff_may_fill_the_tracking_number_on_the_customers_word(executing_dispute, agent):
    order = agreed_return(executing_dispute())
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(order=order, carrier="圆通速递", tracking_no="YT-8899", actor=agent)
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "return_shipped"


def test_roles_without_the_step_are_403_and_nothing_changes(
    executing_dispute, agent, finance, logistics
):
    dispute = executing_dispute()
    order = agreed_return(dispute)
    to_received(order, agent=agent, logistics=logistics, customer=customer_actor(dispute.customer))
    before = snapshot(order)
    for someone in (finance, logistics):  # inspection is QC's (and the handlers')
        with pytest.raises(Forbidden):
            goods.return_inspect(
                order=order,
                passed=True,
                report="良品",
                good_quantity=1,
                defective_quantity=0,
                actor=someone,
            )
    assert snapshot(order) == before


def test_finance_does_not_send_return_addresses(executing_dispute, finance):
    order = agreed_return(executing_dispute())
    # Finance records execution, but sees this dispute only through a task of its own.
    with pytest.raises(Forbidden):
        goods.return_address_send(order=order, actor=finance, address=ADDRESS)


def test_a_step_out_of_turn_is_409_naming_what_may_be_done(executing_dispute, logistics, agent):
    order = agreed_return(executing_dispute())
    before = snapshot(order)
    with pytest.raises(Conflict) as refused:
        goods.return_receive(order=order, actor=agent)
    assert refused.value.code == "step_not_allowed"
    assert refused.value.extra["allowed"] == ["send_return_address", "cancel"]
    assert refused.value.extra["state"] == "awaiting_return_address"
    assert snapshot(order) == before


def test_a_stale_version_is_409(executing_dispute, agent):
    order = agreed_return(executing_dispute())
    with pytest.raises(Conflict) as refused:
        goods.return_address_send(
            order=order, actor=agent, address=ADDRESS, version=order.version + 5
        )
    assert refused.value.code == "version_conflict"


_shots = iter(range(1, 10**6))


def photo(dispute):
    upload = SimpleUploadedFile("qc.png", png_bytes(width=next(_shots)), content_type="image/png")
    return evidence_add(dispute=dispute, upload=upload, actor=SYSTEM).evidence


def test_inspection_input_is_checked_field_by_field(executing_dispute, agent, logistics, qc):
    dispute = executing_dispute()
    order = agreed_return(dispute)
    to_received(order, agent=agent, logistics=logistics, customer=customer_actor(dispute.customer))
    before = snapshot(order)
    elsewhere = photo(make_dispute())
    with pytest.raises(ValidationFailed) as refused:
        goods.return_inspect(
            order=order,
            passed=True,
            report="  ",
            good_quantity=-1,
            defective_quantity="两件",
            photos=[elsewhere.pk],
            actor=qc,
        )
    assert set(refused.value.fields) == {
        "report",
        "good_quantity",
        "defective_quantity",
        "photos",
    }
    with pytest.raises(ValidationFailed) as refused:
        goods.return_inspect(
            order=order, passed=True, report="空箱", good_quantity=0, defective_quantity=0, actor=qc
        )
    assert set(refused.value.fields) == {"good_quantity"}
    assert snapshot(order) == before


def test_inspection_photos_of_the_dispute_are_kept(executing_dispute, agent, logistics, qc):
    dispute = executing_dispute()
    order = agreed_return(dispute)
    dispute.order.lines.update(quantity=2)  # two bought: one good, one scratched
    to_received(order, agent=agent, logistics=logistics, customer=customer_actor(dispute.customer))
    shots = [photo(dispute), photo(dispute)]
    inspection = goods.return_inspect(
        order=order,
        passed=True,
        report="1 件良品，1 件外壳划伤",
        good_quantity="1",
        defective_quantity=1,
        photos=[s.pk for s in shots],
        actor=qc,
    )
    assert sorted(inspection.photos.values_list("pk", flat=True)) == sorted(s.pk for s in shots)
    assert (inspection.good_quantity, inspection.defective_quantity) == (1, 1)


def test_the_time_given_is_the_time_recorded(executing_dispute, agent):
    order = agreed_return(executing_dispute())
    when = timezone.now() - dt.timedelta(hours=3)
    goods.return_address_send(order=order, actor=agent, address=ADDRESS, at=when)
    assert last_state_event(order).at == when
