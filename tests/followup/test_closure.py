"""The closure summary (结案小结): how the dispute closed, the money by after-sale type,
days open, and the deadlines it missed — here a follow-up visit made late."""

import datetime as dt

import pytest

from aftersales.disputes.models import Event
from aftersales.followup.closure import Outcome, days_open, outcome_of
from aftersales.followup.models import FollowUpVisit
from aftersales.followup.visits import followup_record
from aftersales.sla.scan import sla_scan

pytestmark = pytest.mark.django_db


def test_a_late_visit_counts_as_a_missed_deadline(in_follow_up, agent):
    dispute = in_follow_up()
    visit = FollowUpVisit.objects.get(dispute=dispute)
    late = visit.due_at + dt.timedelta(hours=2)
    sla_scan(now=visit.due_at + dt.timedelta(minutes=5))  # the scan finds it breached

    followup_record(
        dispute=dispute,
        actor=agent,
        reached=True,
        resolved=True,
        satisfaction=3,
        channel="phone",
        at=late,
    )

    summary = Event.objects.get(dispute=dispute, kind="closure_summary").payload
    assert "follow_up" in summary["deadlines_missed"]["kinds"]
    assert summary["deadlines_missed"]["count"] >= 1
    assert summary["days_open"] == days_open(dispute.received_at, late)
    assert summary["outcome"] == Outcome.FOLLOW_UP_SATISFIED
    assert summary["money"]["by_type"][0]["type"] == "return_refund"  # the agreed return


@pytest.mark.parametrize(
    ("from_status", "payload", "reason", "outcome"),
    [
        (
            "follow_up",
            {"follow_up": 7, "satisfaction": 4, "resolved": True},
            "",
            "follow_up_satisfied",
        ),
        ("follow_up", {"customer_confirmed": True}, "", "customer_confirmed"),
        ("escalated", {}, "12315 调解：商家退款并补偿 100 元", "escalation_outcome"),
    ],
)
def test_how_it_closed(from_status, payload, reason, outcome):
    close = Event(kind="action", action="close", from_status=from_status, payload=payload)
    close.reason = reason
    assert outcome_of(close) == outcome


def test_days_open_is_intake_to_close_in_days():
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert days_open(start, start + dt.timedelta(days=2, hours=12)) == 2.5
