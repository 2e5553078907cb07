"""The follow-up visit (回访, SPEC §8) through the service: due 24 hours after execution is
complete; a call that reaches the customer closes the dispute when they are satisfied and
reopens it otherwise; a call that does not is an attempt and changes nothing else."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Dispute, Event
from aftersales.followup.models import FollowUpVisit
from aftersales.followup.visits import followup_record
from aftersales.parties.roles import Role
from aftersales.sla.models import Timer
from tests.factories import make_staff

from .conftest import complete

pytestmark = pytest.mark.django_db


def kinds(dispute) -> list[str]:
    return list(Event.objects.filter(dispute=dispute).order_by("id").values_list("kind", flat=True))


def live_timer(dispute, kind: str):
    return Timer.objects.filter(dispute=dispute, kind__code=kind, state__in=Timer.LIVE).first()


def test_completing_execution_makes_a_visit_due_in_24_hours(executing):
    dispute = executing()
    before = timezone.now()

    dispute = complete(dispute)

    (visit,) = FollowUpVisit.objects.filter(dispute=dispute)
    assert visit.state == "due"
    completed = Event.objects.get(dispute=dispute, kind="action", action="complete")
    # 24 hours (the SLA keeps whole seconds).
    assert abs(visit.due_at - (completed.at + dt.timedelta(hours=24))) < dt.timedelta(seconds=1)
    assert visit.due_at > before + dt.timedelta(hours=23, minutes=59)
    # The SLA's follow-up clock says the same.
    assert live_timer(dispute, "follow_up").due_at == visit.due_at
    due = Event.objects.get(dispute=dispute, kind="follow_up_due")
    assert due.payload["visit"] == visit.pk


def test_a_satisfied_customer_closes_the_dispute(in_follow_up, agent):
    dispute = in_follow_up()

    visit = followup_record(
        dispute=dispute,
        actor=agent,
        reached=True,
        resolved=True,
        satisfaction=4,
        comment="问题解决了，谢谢",
        channel="phone",
    )

    dispute.refresh_from_db()
    assert dispute.status == "closed" and not dispute.is_open
    assert (visit.state, visit.result, visit.satisfaction) == ("done", "closed", 4)
    assert visit.refund_arrived is None  # nothing was to be refunded
    assert kinds(dispute)[-3:] == ["follow_up_recorded", "action", "closure_summary"]
    close = Event.objects.get(dispute=dispute, kind="action", action="close")
    assert close.payload["satisfaction"] == 4 and close.payload["resolved"] is True
    assert live_timer(dispute, "follow_up") is None


@pytest.mark.parametrize(
    ("answers", "problems"),
    [
        ({"resolved": True, "satisfaction": 2}, ["unsatisfied"]),
        ({"resolved": False, "satisfaction": 4}, ["unresolved"]),
        ({"resolved": False, "satisfaction": 1}, ["unresolved", "unsatisfied"]),
    ],
)
def test_an_unsatisfied_or_unresolved_customer_reopens_it(in_follow_up, agent, answers, problems):
    dispute = in_follow_up()
    assert dispute.reopen_count == 0

    visit = followup_record(dispute=dispute, actor=agent, reached=True, channel="wechat", **answers)

    dispute.refresh_from_db()
    assert dispute.status == "reopened" and dispute.is_open
    assert dispute.reopen_count == 1
    assert visit.result == "reopened"
    reopen = Event.objects.get(dispute=dispute, kind="action", action="reopen")
    assert reopen.payload["problems"] == problems
    assert "重新打开" in reopen.reason
    recorded = Event.objects.get(dispute=dispute, kind="follow_up_recorded")
    assert recorded.payload["problems"] == problems


def test_reopening_restarts_the_clock(in_follow_up, agent):
    dispute = in_follow_up()
    assert live_timer(dispute, "follow_up") is not None

    followup_record(
        dispute=dispute,
        actor=agent,
        reached=True,
        resolved=False,
        satisfaction=2,
        channel="phone",
    )

    assert live_timer(dispute, "follow_up") is None
    # Taking the reopened dispute up again is timed (the SLA's reopen_response).
    timer = live_timer(dispute, "reopen_response")
    assert timer is not None
    reopened = Event.objects.get(dispute=dispute, kind="action", action="reopen")
    assert timer.started_at == reopened.at


def test_a_refund_not_arrived_reopens_it(in_follow_up, agent):
    dispute = in_follow_up(with_refund=True)

    with pytest.raises(ValidationFailed) as refused:  # asked, with a refund to arrive
        followup_record(
            dispute=dispute,
            actor=agent,
            reached=True,
            resolved=True,
            satisfaction=5,
            channel="phone",
        )
    assert set(refused.value.fields) == {"refund_arrived"}

    followup_record(
        dispute=dispute,
        actor=agent,
        reached=True,
        resolved=True,
        satisfaction=5,
        refund_arrived=False,
        channel="phone",
    )

    dispute.refresh_from_db()
    assert (dispute.status, dispute.reopen_count) == ("reopened", 1)
    reopen = Event.objects.get(dispute=dispute, kind="action", action="reopen")
    assert reopen.payload["problems"] == ["refund_not_arrived"]


def test_not_reaching_the_customer_is_an_attempt_and_nothing_else(in_follow_up, agent):
    dispute = in_follow_up()
    version = dispute.version

    visit = followup_record(
        dispute=dispute, actor=agent, reached=False, channel="phone", comment="无人接听"
    )
    followup_record(dispute=dispute, actor=agent, reached=False, channel="sms")

    dispute.refresh_from_db()
    visit.refresh_from_db()
    assert (dispute.status, dispute.version, dispute.reopen_count) == ("follow_up", version, 0)
    assert (visit.state, visit.attempts, visit.reached) == ("due", 2, False)
    calls = Event.objects.filter(dispute=dispute, kind="follow_up_recorded").order_by("id")
    assert [(c.payload["reached"], c.payload["attempt"]) for c in calls] == [(False, 1), (False, 2)]
    assert live_timer(dispute, "follow_up") is not None  # still due


@pytest.mark.parametrize("rating", [0, 6, -1, "5", 4.5, True])
def test_a_rating_outside_1_to_5_is_refused_naming_it(in_follow_up, agent, rating):
    dispute = in_follow_up()
    before = kinds(dispute)

    with pytest.raises(ValidationFailed) as refused:
        followup_record(
            dispute=dispute,
            actor=agent,
            reached=True,
            resolved=True,
            satisfaction=rating,
            channel="phone",
        )

    assert "satisfaction" in refused.value.fields
    assert kinds(dispute) == before
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"
    assert FollowUpVisit.objects.get(dispute=dispute).state == "due"


@pytest.mark.parametrize(
    ("answers", "fields"),
    [
        ({"reached": True, "resolved": True}, {"satisfaction"}),
        ({"reached": True, "satisfaction": 4}, {"resolved"}),
        ({"reached": False, "satisfaction": 4}, {"satisfaction"}),
        (
            {"reached": True, "resolved": True, "satisfaction": 4, "refund_arrived": True},
            {"refund_arrived"},
        ),  # no refund on this dispute
        ({"reached": True, "resolved": True, "satisfaction": 4, "channel": "pigeon"}, {"channel"}),
    ],
)
def test_incomplete_answers_are_refused_naming_the_field(in_follow_up, agent, answers, fields):
    dispute = in_follow_up()
    before = kinds(dispute)
    answers.setdefault("channel", "phone")

    with pytest.raises(ValidationFailed) as refused:
        followup_record(dispute=dispute, actor=agent, **answers)

    assert set(refused.value.fields) == fields
    assert kinds(dispute) == before


def test_only_a_dispute_waiting_for_its_visit_takes_one(executing, agent):
    dispute = executing()
    with pytest.raises(Conflict) as refused:
        followup_record(
            dispute=dispute,
            actor=agent,
            reached=True,
            resolved=True,
            satisfaction=5,
            channel="phone",
        )
    assert refused.value.code == "no_follow_up_due"


@pytest.mark.parametrize("role", [Role.QUALITY_CONTROL, Role.FINANCE, Role.SUPERVISOR])
def test_who_does_not_talk_to_the_customer_may_not_record_it(in_follow_up, role, default_team):
    dispute = in_follow_up()
    with pytest.raises(Forbidden):
        followup_record(
            dispute=dispute,
            actor=make_staff(role, team=default_team),
            reached=False,
            channel="phone",
        )
    assert FollowUpVisit.objects.get(dispute=dispute).attempts == 0
