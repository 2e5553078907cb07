"""Repairs (维修单, SPEC §7; legal.md R13–R15): the item comes back, is repaired and ships
back; a repair that does not fix it fails the order and sends the dispute back to
mediation; the same non-user fault back within 30 days of a repair is flagged against the
repairer and counts as a failed repair, and two failed repairs under 三包 give the
customer return or exchange (the entitlements read them)."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.fulfilment import goods
from aftersales.fulfilment.aftersale_orders import aftersale_cancel, aftersale_step
from aftersales.fulfilment.models import AfterSaleOrder, RepairRecord
from aftersales.fulfilment.parcels import parcel_track
from aftersales.fulfilment.repairs import fault_code_of, repair_record
from aftersales.mediation import proposals
from aftersales.parties.actors import SYSTEM, customer_actor
from tests.factories import walk_to

pytestmark = pytest.mark.django_db

ADDRESS = "上海市浦东新区张江路 100 号 维修中心 收"
DAY = dt.timedelta(days=1)


def only_order(dispute, make_order, type_="repair", **kw) -> AfterSaleOrder:
    """A hand-made order replacing the agreed ones (cancelled); the dispute still executing."""
    mine = make_order(dispute, type_, **kw)
    for other in AfterSaleOrder.objects.filter(dispute=dispute).exclude(pk=mine.pk):
        if other.is_open:
            aftersale_cancel(order=other, actor=SYSTEM, reason="改为维修")
    return AfterSaleOrder.objects.get(pk=mine.pk)


def to_repairing(order, *, agent, logistics, qc):
    dispute = order.dispute
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(
        order=order,
        carrier="顺丰速运",
        tracking_no=f"SF{order.pk:08d}",
        actor=customer_actor(dispute.customer),
    )
    goods.return_receive(order=order, actor=logistics)
    aftersale_step(order=order, action="start_repair", actor=qc)
    order.refresh_from_db()
    assert order.state == "repairing" and order.department == "quality_control"
    return order


def snapshot(order):
    fresh = AfterSaleOrder.objects.get(pk=order.pk)
    return (
        fresh.state,
        fresh.version,
        RepairRecord.objects.count(),
        Event.objects.filter(dispute_id=order.dispute_id).count(),
    )


def today():
    return timezone.localdate()


def test_a_fixed_repair_ships_back_and_completes(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    order = to_repairing(only_order(dispute, make_order), agent=agent, logistics=logistics, qc=qc)

    record = repair_record(
        order=order,
        fault="加热管不工作，漏电保护跳闸",
        technician="张师傅（杭州维修点）",
        fixed=True,
        started_on=today() - 2 * DAY,
        finished_on=today(),
        parts=["加热管", "密封圈"],
        actor=qc,
    )

    order.refresh_from_db()
    assert order.state == "awaiting_shipment" and order.department == "logistics"
    assert record.result == "fixed" and record.failed is False and record.repeat_of is None
    assert record.order_id == dispute.order_id
    assert record.product_id == dispute.order.lines.get().product_id
    assert record.fault_code == "加热管不工作漏电保护跳闸"
    assert record.parts == ["加热管", "密封圈"] and record.recorded_by == qc
    event = Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk).latest(
        "id"
    )
    assert event.payload["technician"] == "张师傅（杭州维修点）" and event.payload["fixed"] is True

    goods.shipment_send(order=order, carrier="顺丰速运", tracking_no="SF77001", actor=logistics)
    parcel_track(
        parcel=order.parcels.get(direction="to_customer"),
        at=timezone.now(),
        actor=SYSTEM,
        delivered=True,
    )
    order.refresh_from_db()
    assert order.state == "done"
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"


def test_a_repair_that_does_not_fix_it_goes_back_to_mediation(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    order = to_repairing(only_order(dispute, make_order), agent=agent, logistics=logistics, qc=qc)

    record = repair_record(
        order=order,
        fault="主板烧毁",
        technician="李师傅",
        fixed=False,
        started_on=today() - DAY,
        finished_on=today(),
        actor=qc,
    )

    order.refresh_from_db()
    assert record.result == "not_fixed" and record.failed is True
    assert order.state == "failed" and "主板烧毁" in order.cancel_reason
    dispute.refresh_from_db()
    assert dispute.status == "investigating"
    back = Event.objects.filter(dispute=dispute, kind="action").latest("id")
    assert back.action == "renegotiate" and "主板烧毁" in back.reason


def test_the_same_fault_back_within_30_days_is_flagged_against_the_repairer(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    first = to_repairing(only_order(dispute, make_order), agent=agent, logistics=logistics, qc=qc)
    earlier = repair_record(
        order=first,
        fault="底部漏水",
        technician="王师傅（上海维修点）",
        fixed=True,
        started_on=today() - 24 * DAY,
        finished_on=today() - 22 * DAY,
        actor=qc,
    )
    again = to_repairing(
        make_order(dispute, "repair", reason="同一故障再次报修"),
        agent=agent,
        logistics=logistics,
        qc=qc,
    )

    record = repair_record(
        order=again,
        fault="底部 漏水。",  # the same words, typed differently
        technician="赵师傅",
        fixed=True,
        started_on=today() - 2 * DAY,  # 20 days after the first repair finished
        finished_on=today(),
        actor=qc,
    )

    assert record.repeat_of == earlier and record.failed is True
    assert RepairRecord.objects.filter(order_id=dispute.order_id, failed=True).count() == 1
    flagged = Event.objects.get(dispute=dispute, kind="repair_repeat_flagged")
    assert flagged.payload["repeat_of"] == earlier.pk
    assert flagged.payload["technician"] == "王师傅（上海维修点）"  # the earlier repairer
    assert flagged.payload["days_since"] == 20
    assert flagged.payload["subject"] == f"aftersale:{again.pk}"
    assert "王师傅（上海维修点）" in flagged.reason
    # Fixed this time: the item still goes back to the customer.
    assert AfterSaleOrder.objects.get(pk=again.pk).state == "awaiting_shipment"


def test_after_30_days_or_a_user_fault_it_is_no_repeat(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    first = to_repairing(only_order(dispute, make_order), agent=agent, logistics=logistics, qc=qc)
    repair_record(
        order=first,
        fault="漏水",
        technician="王师傅",
        fixed=True,
        started_on=today() - 45 * DAY,
        finished_on=today() - 40 * DAY,
        actor=qc,
    )
    second = to_repairing(make_order(dispute, "repair"), agent=agent, logistics=logistics, qc=qc)
    late = repair_record(
        order=second,
        fault="漏水",
        technician="王师傅",
        fixed=True,
        started_on=today() - 5 * DAY,  # 35 days after
        finished_on=today() - 4 * DAY,
        actor=qc,
    )
    third = to_repairing(make_order(dispute, "repair"), agent=agent, logistics=logistics, qc=qc)
    dropped = repair_record(
        order=third,
        fault="漏水",
        technician="王师傅",
        fixed=True,
        user_fault=True,  # the customer dropped it this time
        started_on=today() - DAY,
        finished_on=today(),
        actor=qc,
    )
    assert late.repeat_of is None and late.failed is False
    assert dropped.repeat_of is None and dropped.failed is False
    assert not Event.objects.filter(dispute=dispute, kind="repair_repeat_flagged").exists()


def qc_found_a_defect(dispute):
    from aftersales.mediation.investigation import task_report_file

    task = Task.objects.create(
        dispute=dispute, department="quality_control", kind="qc_inspection", title="质检"
    )
    task_report_file(
        task=task,
        actor=SYSTEM,
        text="通电测试后底部焊缝渗水。",
        defect_found=True,
        defect_severity="major",
    )


def test_a_repair_failing_twice_gives_return_or_exchange(
    executing_dispute, make_order, agent, logistics, qc, api_as
):
    # A 三包 water heater signed for two months ago: past the 15 days, inside validity.
    dispute = executing_dispute(received_at=timezone.now() - 60 * DAY)
    qc_found_a_defect(dispute)

    def entitled():
        body = api_as(agent).get(f"/api/v1/disputes/{dispute.number}/entitlements").json()
        return body["facts"].get("failed_repairs", 0), [e["remedy"] for e in body["entitlements"]]

    assert entitled() == (0, ["repair"])

    first = to_repairing(only_order(dispute, make_order), agent=agent, logistics=logistics, qc=qc)
    repair_record(
        order=first,
        fault="不加热",
        technician="王师傅",
        fixed=False,
        started_on=today() - 3 * DAY,
        finished_on=today() - 2 * DAY,
        actor=qc,
    )
    assert Dispute.objects.get(pk=dispute.pk).status == "investigating"
    assert entitled() == (1, ["repair"])

    # Mediation agrees a second repair (the customer accepts it); it fails too.
    proposals.proposal_create(
        dispute=dispute,
        actor=SYSTEM,
        remedies_raw=[{"code": "repair", "shipping_paid_by": "merchant"}],
    )
    walk_to(dispute, "executing")
    agreed = AfterSaleOrder.objects.get(dispute=dispute, type="repair", agreement_id__isnull=False)
    second = to_repairing(agreed, agent=agent, logistics=logistics, qc=qc)
    repair_record(
        order=second,
        fault="不加热",
        technician="王师傅",
        fixed=False,
        started_on=today() - DAY,
        finished_on=today(),
        actor=qc,
    )

    failed = RepairRecord.objects.filter(order_id=dispute.order_id, failed=True)
    assert failed.count() == 2
    assert failed.latest("id").repeat_of is not None  # the same fault, within 30 days
    assert entitled() == (2, ["return", "exchange"])  # 三包: two failed repairs


def test_repair_input_is_checked_field_by_field(
    executing_dispute, make_order, agent, logistics, qc
):
    order = to_repairing(
        only_order(executing_dispute(), make_order), agent=agent, logistics=logistics, qc=qc
    )
    before = snapshot(order)
    with pytest.raises(ValidationFailed) as refused:
        repair_record(
            order=order,
            fault=" ",
            technician="",
            fixed=True,
            started_on="2025-13-01",
            finished_on=today() + DAY,
            parts="加热管",
            actor=qc,
        )
    assert set(refused.value.fields) == {
        "fault",
        "technician",
        "started_on",
        "finished_on",
        "parts",
    }
    with pytest.raises(ValidationFailed) as refused:
        repair_record(
            order=order,
            fault="漏水",
            technician="王师傅",
            fixed=True,
            started_on=today(),
            finished_on=today() - DAY,
            actor=qc,
        )
    assert set(refused.value.fields) == {"finished_on"}
    assert "早于开始日期" in refused.value.fields["finished_on"]
    assert snapshot(order) == before


def test_repairs_are_qcs_and_the_handlers(
    executing_dispute, make_order, agent, logistics, qc, finance
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order)
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(order=order, carrier="中通", tracking_no="ZT9", actor=agent)
    goods.return_receive(order=order, actor=logistics)
    before = snapshot(order)
    for someone in (logistics, finance, customer_actor(dispute.customer)):
        with pytest.raises(Forbidden):
            aftersale_step(order=order, action="start_repair", actor=someone)
    assert snapshot(order) == before
    aftersale_step(order=order, action="start_repair", actor=agent)
    for someone in (logistics, finance):
        with pytest.raises(Forbidden):
            repair_record(
                order=order,
                fault="漏水",
                technician="王师傅",
                fixed=True,
                started_on=today(),
                finished_on=today(),
                actor=someone,
            )
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "repairing"


def test_a_repair_is_recorded_only_while_repairing(
    executing_dispute, make_order, agent, logistics, qc
):
    dispute = executing_dispute()
    order = only_order(dispute, make_order)
    goods.return_address_send(order=order, actor=agent, address=ADDRESS)
    goods.return_ship(order=order, carrier="中通", tracking_no="ZT10", actor=agent)
    goods.return_receive(order=order, actor=logistics)
    before = snapshot(order)
    with pytest.raises(Conflict) as refused:
        repair_record(
            order=order,
            fault="漏水",
            technician="王师傅",
            fixed=True,
            started_on=today(),
            finished_on=today(),
            actor=qc,
        )
    assert refused.value.extra["allowed"] == ["start_repair", "cancel"]
    assert snapshot(order) == before


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("底部漏水", "底部漏水"),
        ("  底部，漏水！ ", "底部漏水"),
        ("Power  Board-Fault", "power board fault"),
        ("E1 故障，不加热", "e1 故障不加热"),
    ],
)
def test_fault_codes_compare_the_words(fault, code):
    assert fault_code_of(fault) == code
