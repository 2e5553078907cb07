"""Timers start, stop, pause and resume as a dispute moves through its life (through the
real intake and lifecycle services), with due times from the working calendar."""

import pytest

from aftersales.common.errors import Conflict, ValidationFailed
from aftersales.disputes.models import Dispute, Event
from aftersales.mediation.investigation import case_meeting_record, responsibility_determine
from aftersales.parties.actors import SYSTEM
from aftersales.sla import services
from aftersales.sla import timers as sla_timers
from aftersales.sla.models import PolicyLimit, PolicyVersion, Timer, TimerKind
from aftersales.sla.selectors import remaining_seconds
from tests.factories import make_dispute, step

from .conftest import at

pytestmark = pytest.mark.django_db

SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"
LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"


def timers(dispute):
    """The dispute's own clocks (each after-sale order's are its own: subject)."""
    return [
        (t.kind.code, t.state, t.started_at, t.due_at, t.stopped_at, t.stopped_by)
        for t in Timer.objects.filter(dispute=dispute, subject="")
        .select_related("kind")
        .order_by("id")
    ]


def state_of(dispute):
    return {
        t.kind.code: t.state
        for t in Timer.objects.filter(dispute=dispute).select_related("kind").order_by("id")
    }


def apply(dispute, action, when, **payload):
    """One lifecycle action at `when`, through its own door (`tests.factories.step`)."""
    return step(dispute, action, at=when, **payload)


def test_a_major_platform_dispute_walked_through_its_life(lead):
    # Monday 2026-03-02 10:00 (a working day), a platform complaint classified major.
    d = make_dispute(description=SHOCK, channel="platform", received_at="2026-03-02T10:00:00+08:00")
    assert d.severity == "major"
    t0 = at("2026-03-02 10:00")
    assert timers(d) == [
        ("classify", "stopped", t0, at("2026-03-02 10:10"), t0, "event:classified"),
        ("acknowledge", "stopped", t0, at("2026-03-03 10:00"), t0, "event:acknowledgement"),
        ("first_contact", "running", t0, at("2026-03-02 10:30"), None, ""),
        ("seller_response", "running", t0, at("2026-03-03 10:00"), None, ""),
    ]
    # The queue sorts by the most urgent running timer.
    assert Dispute.objects.get(pk=d.pk).due_at == at("2026-03-02 10:30")

    d = apply(d, "triage", at("2026-03-02 10:20"))
    assert state_of(d) | {} == {
        "classify": "stopped",
        "acknowledge": "stopped",
        "first_contact": "stopped",
        "seller_response": "stopped",
    }
    assert d.due_at is None

    d = apply(d, "investigate", at("2026-03-02 10:40"))
    inv = Timer.objects.get(dispute=d, kind__code="investigation")
    assert (inv.state, inv.due_at) == ("running", at("2026-03-03 10:40"))
    assert inv.risk_at == at("2026-03-03 05:52")  # 80 % of 24 h
    assert Dispute.objects.get(pk=d.pk).due_at == at("2026-03-03 10:40")

    # Waiting on the customer's photos for two hours pushes the due time back two hours.
    sla_timers.timers_pause(
        dispute=d, actor=SYSTEM, reason="等顾客补充照片", at=at("2026-03-02 11:00")
    )
    inv.refresh_from_db()
    assert (inv.state, inv.paused_at) == ("paused", at("2026-03-02 11:00"))
    assert Dispute.objects.get(pk=d.pk).due_at is None  # nothing counts while paused
    sla_timers.timers_resume(dispute=d, actor=SYSTEM, at=at("2026-03-02 13:00"))
    inv.refresh_from_db()
    assert (inv.state, inv.paused_seconds, inv.due_at) == ("running", 7200, at("2026-03-03 12:40"))
    assert Dispute.objects.get(pk=d.pk).due_at == at("2026-03-03 12:40")
    assert list(
        Event.objects.filter(dispute=d, kind__startswith="sla_").values_list("kind", "reason")
    ) == [("sla_paused", "等顾客补充照片"), ("sla_resumed", "")]

    # Escalated to the platform: the investigation ends, the platform has 3 working days.
    d = apply(d, "escalate", at("2026-03-03 09:00"), route="platform", reason="顾客申请平台介入")
    assert state_of(d)["investigation"] == "stopped"
    review = Timer.objects.get(dispute=d, kind__code="platform_review")
    assert (review.state, review.unit, review.due_at) == (
        "running",
        "working_days",
        at("2026-03-06 23:59:59"),
    )

    d = apply(d, "propose", at("2026-03-05 10:00"))
    d = apply(d, "settle", at("2026-03-05 11:00"))
    d = apply(d, "complete", at("2026-03-05 15:00"))
    follow = Timer.objects.get(dispute=d, kind__code="follow_up")
    assert (follow.state, follow.due_at) == ("running", at("2026-03-06 15:00"))
    d = apply(d, "close", at("2026-03-06 10:00"), customer_confirmed=True)

    t = at
    assert timers(d)[4:] == [
        (
            "investigation",
            "stopped",
            t("2026-03-02 10:40"),
            t("2026-03-03 12:40"),
            t("2026-03-03 09:00"),
            "action:escalate",
        ),
        (
            "platform_review",
            "stopped",
            t("2026-03-03 09:00"),
            t("2026-03-06 23:59:59"),
            t("2026-03-05 10:00"),
            "action:propose",
        ),
        (
            "follow_up",
            "stopped",
            t("2026-03-05 15:00"),
            t("2026-03-06 15:00"),
            t("2026-03-06 10:00"),
            "action:close",
        ),
    ]
    assert Dispute.objects.get(pk=d.pk).due_at is None
    # Starting and stopping are not timeline events; only the pause and resume were.
    assert Event.objects.filter(dispute=d, kind__startswith="sla_").count() == 2


def test_a_general_dispute_has_no_investigation_timer_and_withdrawal_cancels(default_team):
    d = make_dispute(description=LEAK, received_at="2026-03-02T10:00:00+08:00")
    assert d.severity == "general"
    assert set(state_of(d)) == {"classify", "acknowledge", "first_contact"}  # not platform
    d = apply(d, "triage", at("2026-03-02 10:05"))
    d = apply(d, "investigate", at("2026-03-02 10:06"))
    assert "investigation" not in state_of(d)
    d = apply(d, "propose", at("2026-03-02 11:00"))
    d = apply(d, "settle", at("2026-03-02 12:00"))
    d = apply(d, "complete", at("2026-03-02 13:00"))
    d = apply(d, "withdraw", at("2026-03-02 14:00"))
    follow = Timer.objects.get(dispute=d, kind__code="follow_up")
    # The customer withdrew: the follow-up never came, so it is cancelled, not met.
    assert (follow.state, follow.stopped_by) == ("cancelled", "action:withdraw")
    assert not Timer.objects.filter(dispute=d, state__in=Timer.LIVE).exists()


def test_reopen_starts_a_new_investigation_timer(default_team):
    d = make_dispute(description=SHOCK, received_at="2026-03-02T10:00:00+08:00")
    d = apply(d, "triage", at("2026-03-02 10:01"))
    d = apply(d, "investigate", at("2026-03-02 10:02"))
    # A major dispute is proposed after its case meeting and responsibility finding.
    case_meeting_record(
        dispute=d,
        actor=SYSTEM,
        held_at=at("2026-03-02 10:30"),
        attendees=["组长", "质检", "法务"],
        minutes="热水器漏电致伤，责任在商家。",
        decisions=["全额退款并赔偿医疗费"],
        at=at("2026-03-02 10:40"),
    )
    responsibility_determine(
        dispute=d,
        actor=SYSTEM,
        shares={"merchant": 100},
        root_causes=["supplier_quality"],
        at=at("2026-03-02 10:50"),
    )
    for action, when in [("propose", "11:00"), ("settle", "11:10"), ("complete", "11:20")]:
        d = apply(d, action, at(f"2026-03-02 {when}"))
    d = apply(d, "reopen", at("2026-03-02 12:00"), reason="回访不满意")
    assert state_of(d)["follow_up"] == "stopped"
    d = apply(d, "investigate", at("2026-03-02 12:30"))
    runs = Timer.objects.filter(dispute=d, kind__code="investigation").order_by("id")
    assert [(t.state, t.started_at) for t in runs] == [
        ("stopped", at("2026-03-02 10:02")),
        ("running", at("2026-03-02 12:30")),
    ]


def test_replayed_events_start_nothing_twice(default_team):
    d = make_dispute(description=LEAK, received_at="2026-03-02T10:00:00+08:00")
    before = timers(d)
    sla_timers.timers_on_events(d, list(d.events.all()))
    assert timers(d) == before
    assert Timer.objects.filter(dispute=d, kind__code="first_contact").count() == 1


def test_business_hours_override_and_policy_versions(default_team):
    kind = TimerKind.objects.get(code="first_contact")
    v1 = PolicyVersion.objects.order_by("-number").first()  # the newest seeded version
    early = make_dispute(description=SHOCK, received_at="2026-03-06T17:30:00+08:00")
    v2 = services.policy_limit_save(
        limit=PolicyLimit(kind=kind, severity="major", limit=2, unit="business_hours"), actor=SYSTEM
    )
    assert v2.number == v1.number + 1
    # Friday 17:30: one business hour left on Friday, the second on Monday 09:00–10:00.
    late = make_dispute(
        description=SHOCK,
        received_at="2026-03-06T17:30:00+08:00",
        customer={"name": "李四", "phone": "13900000001"},
    )
    general = make_dispute(
        description=LEAK,
        received_at="2026-03-06T17:30:00+08:00",
        customer={"name": "王五", "phone": "13900000002"},
    )
    old = Timer.objects.get(dispute=early, kind=kind)
    new = Timer.objects.get(dispute=late, kind=kind)
    other = Timer.objects.get(dispute=general, kind=kind)
    # The timer that started under version 1 keeps it.
    assert (old.policy_version, old.due_at) == (v1, at("2026-03-06 18:00"))
    assert (new.policy_version, new.unit, new.due_at) == (
        v2,
        "business_hours",
        at("2026-03-09 10:00"),
    )
    assert "严重程度=major" in new.rule
    assert (other.policy_version, other.due_at) == (v2, at("2026-03-06 18:00"))  # default
    # 80 % of 2 business hours = 96 min: 60 on Friday, 36 on Monday.
    assert new.risk_at == at("2026-03-09 09:36")
    # Remaining is counted on the timer's clock: Saturday night has no business time.
    assert remaining_seconds(new, at("2026-03-07 22:00")) == 3600
    assert remaining_seconds(old, at("2026-03-06 17:50")) == 600


def test_pausing_needs_a_reason_and_a_pausable_running_timer(default_team):
    d = make_dispute(description=SHOCK, received_at="2026-03-02T10:00:00+08:00")
    with pytest.raises(ValidationFailed):
        sla_timers.timers_pause(dispute=d, actor=SYSTEM, reason=" ")
    with pytest.raises(Conflict):
        sla_timers.timers_resume(dispute=d, actor=SYSTEM)
    # Only first_contact runs, and it does not wait on the customer.
    with pytest.raises(Conflict) as exc:
        sla_timers.timers_pause(dispute=d, actor=SYSTEM, reason="等顾客回电")
    assert exc.value.code == "nothing_to_pause"
    d = apply(d, "triage", at("2026-03-02 10:05"))
    d = apply(d, "investigate", at("2026-03-02 10:06"))
    sla_timers.timers_pause(
        dispute=d, actor=SYSTEM, reason="等顾客寄回商品", at=at("2026-03-02 10:10")
    )
    with pytest.raises(Conflict) as exc:
        sla_timers.timers_pause(dispute=d, actor=SYSTEM, reason="again")
    assert exc.value.code == "already_paused"
    # Closing while paused: the paused time is still counted and shown.
    d = apply(d, "withdraw", at("2026-03-02 10:20"))
    inv = Timer.objects.get(dispute=d, kind__code="investigation")
    assert (inv.state, inv.paused_seconds, inv.paused_at) == ("cancelled", 600, None)


# -- refusals ----------------------------------------------------------------------


def test_a_negative_limit_is_refused():
    versions = PolicyVersion.objects.count()
    kind = TimerKind.objects.get(code="first_contact")
    kind.limit = -5
    with pytest.raises(ValidationFailed) as exc:
        services.timer_kind_save(kind=kind, actor=SYSTEM)
    assert exc.value.fields["limit"] == "时限不能为负数：-5"
    with pytest.raises(ValidationFailed) as exc:
        services.policy_limit_save(
            limit=PolicyLimit(
                kind=TimerKind.objects.get(code="classify"), limit=-1, unit="minutes"
            ),
            actor=SYSTEM,
        )
    assert "不能为负数" in exc.value.fields["limit"]
    assert PolicyVersion.objects.count() == versions
    assert TimerKind.objects.get(code="first_contact").limit == 30


def test_a_kind_without_a_stop_event_is_refused():
    versions = PolicyVersion.objects.count()
    kind = TimerKind(
        code="callback", name="回电", start_signal="event:intake", limit=1, unit="hours"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.timer_kind_save(kind=kind, actor=SYSTEM)
    assert (
        exc.value.fields["stop_signals"] == "计时类型必须至少有一个停止事件，否则计时永远不会停止"
    )
    assert not TimerKind.objects.filter(code="callback").exists()
    assert PolicyVersion.objects.count() == versions


def test_activating_a_kind_whose_start_is_never_signalled_is_refused():
    kind = TimerKind.objects.get(code="proposal")
    kind.start_signal = "event:investigation_closed"
    with pytest.raises(ValidationFailed) as exc:
        services.timer_kind_save(kind=kind, actor=SYSTEM)
    assert "event:investigation_closed" in exc.value.fields["start_signal"]


def test_the_after_sale_and_investigation_signals_are_known():
    """An admin may time any after-sale order state, and the QC notice and conclusion;
    a state no order has is refused."""
    kind = TimerKind.objects.get(code="shipment")
    kind.start_signal = "event:aftersale_state:awaiting_issue"
    kind.stop_signals = ["event:aftersale_state:done", "event:qc_notified"]
    services.timer_kind_save(kind=kind, actor=SYSTEM)
    kind.start_signal = "event:aftersale_state:lost_in_post"
    with pytest.raises(ValidationFailed) as exc:
        services.timer_kind_save(kind=kind, actor=SYSTEM)
    assert "lost_in_post" in exc.value.fields["start_signal"]


def test_a_valid_change_is_a_new_version_and_takes_effect(default_team):
    kind = TimerKind.objects.get(code="first_contact")
    kind.limit = 15
    before = PolicyVersion.objects.order_by("-number").first()
    version = services.timer_kind_save(kind=kind, actor=SYSTEM, note="首次联系缩短为 15 分钟")
    assert version.number == before.number + 1
    assert before.snapshot["kinds"][2]["limit"] == "30"
    d = make_dispute(description=LEAK, received_at="2026-03-02T10:00:00+08:00")
    timer = Timer.objects.get(dispute=d, kind=kind)
    assert (timer.policy_version, timer.due_at) == (version, at("2026-03-02 10:15"))


def test_every_seeded_kind_is_valid_active_and_says_where_its_limit_comes_from():
    for kind in TimerKind.objects.all():
        kind.full_clean()
        assert kind.note
    # SPEC §4's QC hour and proposal hours run now (issue 12).
    assert not TimerKind.objects.filter(is_active=False).exists()
