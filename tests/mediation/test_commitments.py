"""Commitments to the customer (承诺): made, kept or cancelled once, each a timeline
event; refused without a trace when not allowed."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Event
from aftersales.mediation.models import Commitment
from aftersales.mediation.services import commitment_cancel, commitment_keep, commitment_make
from aftersales.parties.roles import Role
from tests.factories import make_held_dispute, make_staff

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def dispute(agent):
    return make_held_dispute(agent, received_at=NOW - dt.timedelta(hours=2))


def timeline(dispute) -> list[str]:
    return list(
        Event.objects.filter(dispute=dispute, kind__startswith="commitment")
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_a_promise_is_made_and_kept_once(dispute, agent):
    due = NOW + dt.timedelta(days=1)
    promise = commitment_make(dispute=dispute, actor=agent, text=" 明天下午三点前回电 ", due_at=due)
    assert (promise.text, promise.due_at, promise.state, promise.made_by) == (
        "明天下午三点前回电",
        due,
        "open",
        agent,
    )
    kept = commitment_keep(commitment=promise, actor=agent, at=NOW + dt.timedelta(hours=3))
    assert (kept.state, kept.kept_at) == ("kept", NOW + dt.timedelta(hours=3))
    with pytest.raises(Conflict):
        commitment_keep(commitment=promise, actor=agent)
    with pytest.raises(Conflict):
        commitment_cancel(commitment=promise, actor=agent, reason="不需要了")
    assert timeline(dispute) == ["commitment_made", "commitment_kept"]
    made = Event.objects.get(kind="commitment_made")
    assert (made.actor, made.payload["due_at"]) == (agent, due.isoformat())


def test_cancelling_needs_a_reason(dispute, agent):
    promise = commitment_make(
        dispute=dispute, actor=agent, text="寄送质检报告", due_at=NOW + dt.timedelta(days=2)
    )
    with pytest.raises(ValidationFailed):
        commitment_cancel(commitment=promise, actor=agent, reason="")
    cancelled = commitment_cancel(commitment=promise, actor=agent, reason="顾客已自行取件")
    assert cancelled.state == "cancelled" and cancelled.cancelled_at is not None
    assert timeline(dispute) == ["commitment_made", "commitment_cancelled"]
    assert Event.objects.get(kind="commitment_cancelled").reason == "顾客已自行取件"


@pytest.mark.parametrize(
    ("text", "due", "field"),
    [
        ("", dt.timedelta(days=1), "text"),
        ("回电" * 251, dt.timedelta(days=1), "text"),
        ("回电", -dt.timedelta(minutes=5), "due_at"),
    ],
)
def test_bad_promises_are_refused(dispute, agent, text, due, field):
    with pytest.raises(ValidationFailed) as refused:
        commitment_make(dispute=dispute, actor=agent, text=text, due_at=NOW + due, at=NOW)
    assert field in refused.value.fields
    assert not Commitment.objects.exists() and timeline(dispute) == []


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.AGENT, True),
        (Role.TEAM_LEAD, True),
        (Role.ADMIN, True),
        (Role.SUPERVISOR, False),
        (Role.MANAGEMENT, False),
        (Role.FINANCE, False),
        (Role.LOGISTICS, False),
    ],
)
def test_who_may_promise(dispute, role, allowed):
    user = make_staff(role, team=dispute.team)  # handlers: the dispute's own team
    due = NOW + dt.timedelta(days=1)
    if allowed:
        commitment_make(dispute=dispute, actor=user, text="回电", due_at=due)
        assert Commitment.objects.count() == 1
    else:
        with pytest.raises(Forbidden):
            commitment_make(dispute=dispute, actor=user, text="回电", due_at=due)
        assert not Commitment.objects.exists() and timeline(dispute) == []
