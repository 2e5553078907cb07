"""The contact log (联系记录) and internal notes (内部备注): one timeline event each, the
permission predicates and the input rules; the first recorded contact stops the
first-contact clock, and triage no longer does."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.common.errors import Forbidden, ValidationFailed
from aftersales.disputes.contacts import contact_label, contact_record, note_add
from aftersales.disputes.models import Event
from aftersales.disputes.services import dispute_apply
from aftersales.parties.roles import Role
from aftersales.sla.models import PolicyVersion, Timer, TimerKind
from tests.factories import TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(default_team, agent):
    return make_dispute(
        description="热水器用了三天就漏水，地板都泡坏了，要求退货退款。",
        received_at=(timezone.now() - dt.timedelta(minutes=20)).isoformat(),
    )


def first_contact(dispute):
    return Timer.objects.get(dispute=dispute, kind__code="first_contact", subject="")


def test_a_contact_is_one_event_with_channel_and_direction(dispute, agent):
    before = Event.objects.filter(dispute=dispute).count()
    event = contact_record(
        dispute=dispute,
        actor=agent,
        channel="phone",
        direction="outbound",
        summary="  已致电顾客，确认漏水情况，请顾客拍照上传。 ",
        outcome="顾客同意拍照",
    )
    assert Event.objects.filter(dispute=dispute).count() == before + 1
    event.refresh_from_db()
    assert event.kind == "customer_contacted"
    assert event.kind_label == "联系顾客"
    assert event.actor == agent
    assert event.reason == "已致电顾客，确认漏水情况，请顾客拍照上传。"
    assert event.payload == {"channel": "phone", "direction": "outbound", "outcome": "顾客同意拍照"}
    assert contact_label(event.payload) == "电话 · 我方联系顾客"


def test_the_first_recorded_contact_stops_the_first_contact_clock(dispute, agent):
    assert first_contact(dispute).state == "running"
    called = timezone.now() - dt.timedelta(minutes=3)
    contact_record(
        dispute=dispute,
        actor=agent,
        channel="sms",
        direction="outbound",
        summary="短信告知已受理，稍后来电",
        at=called,
    )
    timer = first_contact(dispute)
    assert (timer.state, timer.stopped_at, timer.stopped_by) == (
        "stopped",
        called,
        "event:customer_contacted",
    )
    # A second contact changes nothing on the stopped clock.
    contact_record(
        dispute=dispute, actor=agent, channel="phone", direction="inbound", summary="顾客回电"
    )
    assert first_contact(dispute).stopped_at == called


def test_triage_no_longer_counts_as_first_contact(dispute, agent):
    dispute_apply(dispute=dispute, action="triage", actor=agent, version=dispute.version)
    assert first_contact(dispute).state == "running"
    kind = TimerKind.objects.get(code="first_contact")
    assert kind.stop_signals == ["event:customer_contacted"]
    latest = PolicyVersion.objects.order_by("-number").first()
    stops = {k["code"]: k["stops"] for k in latest.snapshot["kinds"]}
    assert stops["first_contact"] == ["event:customer_contacted"]


def test_a_note_is_an_internal_event(dispute, agent):
    event = note_add(dispute=dispute, actor=agent, text="顾客情绪激动，回电时请组长陪同")
    assert (event.kind, event.kind_label, event.reason) == (
        "internal_note",
        "内部备注",
        "顾客情绪激动，回电时请组长陪同",
    )
    # A note is no contact: the clock keeps running.
    assert first_contact(dispute).state == "running"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"channel": "fax"}, "channel", "请选择：电话、短信、在线聊天、电子邮件、当面、其他"),
        ({"direction": "sideways"}, "direction", "请选择：我方联系顾客、顾客联系我方"),
        ({"summary": "   "}, "summary", "必须填写"),
        ({"summary": "长" * 2001}, "summary", "不能超过 2000 个字符"),
        ({"outcome": "长" * 501}, "outcome", "不能超过 500 个字符"),
    ],
)
def test_bad_contact_input_names_the_field(dispute, agent, fields, field, message):
    body = {"channel": "phone", "direction": "outbound", "summary": "已联系"} | fields
    with pytest.raises(ValidationFailed) as caught:
        contact_record(dispute=dispute, actor=agent, **body)
    assert caught.value.fields == {field: message}
    assert not Event.objects.filter(dispute=dispute, kind="customer_contacted").exists()


def test_a_contact_time_must_lie_between_intake_and_now(dispute, agent):
    body = {"channel": "phone", "direction": "outbound", "summary": "已联系"}
    with pytest.raises(ValidationFailed) as later:
        contact_record(
            dispute=dispute, actor=agent, at=timezone.now() + dt.timedelta(hours=1), **body
        )
    assert later.value.fields == {"at": "联系时间不能晚于现在"}
    with pytest.raises(ValidationFailed) as earlier:
        contact_record(
            dispute=dispute, actor=agent, at=dispute.received_at - dt.timedelta(days=1), **body
        )
    assert earlier.value.fields == {"at": "联系时间不能早于受理时间"}


def test_every_bad_field_is_named_at_once(dispute, agent):
    with pytest.raises(ValidationFailed) as caught:
        contact_record(dispute=dispute, actor=agent, channel="", direction="", summary="")
    assert set(caught.value.fields) == {"channel", "direction", "summary"}


def test_an_empty_note_is_refused(dispute, agent):
    with pytest.raises(ValidationFailed) as caught:
        note_add(dispute=dispute, actor=agent, text=" \n ")
    assert caught.value.fields == {"text": "必须填写"}


@pytest.mark.parametrize("role", [Role.QUALITY_CONTROL, Role.MANAGEMENT])
def test_roles_without_the_grant_may_not_record_a_contact(dispute, role):
    user = make_staff(role)
    with pytest.raises(Forbidden):
        contact_record(
            dispute=dispute, actor=user, channel="phone", direction="outbound", summary="x"
        )


def test_management_may_not_add_notes_but_supervisors_may(dispute):
    with pytest.raises(Forbidden):
        note_add(dispute=dispute, actor=make_staff(Role.MANAGEMENT), text="看看")
    assert note_add(dispute=dispute, actor=make_staff(Role.SUPERVISOR), text="请加快").pk


def test_an_agent_of_another_team_is_refused(dispute):
    outsider = make_staff(Role.AGENT, team=TeamFactory(code="team-x"))
    with pytest.raises(Forbidden):
        note_add(dispute=dispute, actor=outsider, text="看看")
