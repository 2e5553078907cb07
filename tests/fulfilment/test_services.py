"""Recording execution (SPEC §7): executions, their parcels and tracking movements,
completing and cancelling — each one timeline event on the dispute, refused without
changing anything when not allowed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Event
from aftersales.fulfilment.models import Execution, Parcel
from aftersales.fulfilment.services import (
    execution_cancel,
    execution_complete,
    execution_record,
    parcel_record,
    parcel_track,
)
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, make_execution, make_held_dispute, make_staff

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def kinds(dispute) -> list[str]:
    return [
        k
        for k in Event.objects.filter(dispute=dispute).order_by("id").values_list("kind", flat=True)
        if k.startswith(("execution", "parcel"))
    ]


@pytest.fixture
def dispute(agent):
    return make_held_dispute(agent, received_at=NOW - dt.timedelta(days=2))


def test_a_refund_is_expected_by_its_channels_late_end_and_is_on_the_timeline(dispute, agent):
    paid = NOW - dt.timedelta(hours=1)
    refund = execution_record(
        dispute=dispute,
        kind="refund",
        actor=agent,
        amount="199.00",
        payment_channel="credit_card",
        at=paid,
    )
    assert refund.state == "pending"
    assert refund.amount == Decimal("199.00")
    assert refund.expected_by == paid + dt.timedelta(days=7)
    assert "信用卡" in refund.expected_rule
    event = Event.objects.get(dispute=dispute, kind="execution_recorded")
    assert event.actor == agent
    assert event.payload["amount"] == "199.00"
    assert event.payload["expected_by"] == refund.expected_by.isoformat()


def test_the_orders_payment_channel_is_used_when_none_is_given(agent):
    order = OrderFactory(payment_channel="platform_balance")
    from tests.factories import make_dispute

    d = make_dispute(order, actor=agent, channel="phone")
    refund = execution_record(dispute=d, kind="refund", actor=agent, amount="10", at=NOW)
    assert (refund.payment_channel, refund.expected_by) == ("platform_balance", NOW)


def test_other_kinds_need_an_expected_date(dispute, agent):
    with pytest.raises(ValidationFailed) as refused:
        execution_record(dispute=dispute, kind="reship", actor=agent)
    assert "expected_by" in refused.value.fields
    reship = execution_record(
        dispute=dispute, kind="reship", actor=agent, expected_by=NOW + dt.timedelta(days=2)
    )
    assert reship.expected_rule == ""
    assert not Execution.objects.exclude(pk=reship.pk).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "teleport"}, "kind"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"payment_channel": "barter"}, "payment_channel"),
    ],
)
def test_bad_input_is_refused_naming_the_field(dispute, agent, fields, field):
    data = {"kind": "refund", "amount": "1.00", "payment_channel": "bank_quickpay", **fields}
    with pytest.raises(ValidationFailed) as refused:
        execution_record(dispute=dispute, actor=agent, **data)
    assert field in refused.value.fields
    assert not Execution.objects.exists()
    assert not Event.objects.filter(kind="execution_recorded").exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.AGENT, True),
        (Role.TEAM_LEAD, True),
        (Role.FINANCE, True),
        (Role.LOGISTICS, True),
        (Role.ADMIN, True),
        (Role.QUALITY_CONTROL, False),
        (Role.LEGAL, False),
        (Role.OPERATIONS, False),
        (Role.SUPERVISOR, False),
        (Role.MANAGEMENT, False),
    ],
)
def test_who_may_record_an_execution(dispute, role, allowed):
    user = make_staff(role)
    if allowed:
        execution_record(dispute=dispute, kind="refund", actor=user, amount="5")
        assert Execution.objects.count() == 1
    else:
        with pytest.raises(Forbidden):
            execution_record(dispute=dispute, kind="refund", actor=user, amount="5")
        assert not Execution.objects.exists()


def test_a_return_parcel_moves_until_delivered(dispute, agent):
    ret = make_execution(dispute, kind="return_refund", at=NOW, expected_by=NOW + dt.timedelta(7))
    shipped = NOW - dt.timedelta(days=2)
    parcel = parcel_record(
        execution=ret,
        direction="from_customer",
        carrier="顺丰速运",
        tracking_no=" SF1234567890 ",
        actor=agent,
        shipped_at=shipped,
    )
    ret.refresh_from_db()
    assert ret.state == "in_progress"
    assert (parcel.tracking_no, parcel.last_movement_at) == ("SF1234567890", shipped)

    scanned = NOW - dt.timedelta(days=1)
    parcel = parcel_track(parcel=parcel, at=scanned, actor=agent, description="已到达杭州转运中心")
    assert (parcel.last_movement_at, parcel.last_movement) == (scanned, "已到达杭州转运中心")
    # A late report of an older scan does not move the clock back.
    parcel = parcel_track(parcel=parcel, at=shipped + dt.timedelta(hours=3), actor=agent)
    assert parcel.last_movement_at == scanned
    parcel = parcel_track(parcel=parcel, at=NOW, actor=agent, delivered=True, description="已签收")
    assert parcel.delivered_at == NOW
    with pytest.raises(Conflict):
        parcel_track(parcel=parcel, at=NOW, actor=agent)
    assert kinds(dispute) == [
        "execution_recorded",
        "parcel_recorded",
        "parcel_moved",
        "parcel_moved",
        "parcel_moved",
    ]


def test_the_same_tracking_number_twice_is_a_conflict(dispute, agent):
    ret = make_execution(dispute, kind="exchange", at=NOW, expected_by=NOW + dt.timedelta(7))
    parcel_record(
        execution=ret, direction="to_customer", carrier="中通", tracking_no="ZT1", actor=agent
    )
    with pytest.raises(Conflict):
        parcel_record(
            execution=ret, direction="to_customer", carrier="中通", tracking_no="ZT1", actor=agent
        )
    assert Parcel.objects.count() == 1
    assert kinds(dispute).count("parcel_recorded") == 1


def test_complete_and_cancel_happen_once(dispute, agent):
    refund = make_execution(dispute, at=NOW)
    done = execution_complete(execution=refund, actor=agent, at=NOW)
    assert (done.state, done.completed_at) == ("done", NOW)
    with pytest.raises(Conflict):
        execution_complete(execution=refund, actor=agent)
    with pytest.raises(Conflict):
        execution_cancel(execution=refund, actor=agent, reason="顾客改为换货")
    with pytest.raises(Conflict):
        parcel_record(
            execution=refund, direction="to_customer", carrier="中通", tracking_no="1", actor=agent
        )

    other = make_execution(dispute, at=NOW)
    with pytest.raises(ValidationFailed):
        execution_cancel(execution=other, actor=agent, reason=" ")
    cancelled = execution_cancel(execution=other, actor=agent, reason="顾客改为换货")
    assert (cancelled.state, cancelled.completed_at) == ("cancelled", None)
    assert kinds(dispute) == [
        "execution_recorded",
        "execution_completed",
        "execution_recorded",
        "execution_cancelled",
    ]
    assert Event.objects.get(kind="execution_cancelled").reason == "顾客改为换货"


def test_a_closed_dispute_takes_no_new_execution(dispute, agent):
    from aftersales.disputes.services import dispute_apply
    from tests.factories import staff_note

    dispute = dispute_apply(
        dispute=dispute,
        action="withdraw",
        actor=agent,
        version=dispute.version,
        reason="撤回",
        payload={"confirmation": staff_note()},
    )
    with pytest.raises(Conflict):
        make_execution(dispute, at=NOW)
    assert not Execution.objects.exists()
