"""The four lists of the daily check (三主动, SPEC §8), read per agent through the
selector: what is late is listed, what is not is not."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.disputes.models import Event
from aftersales.disputes.services import dispute_apply, dispute_assign
from aftersales.followup.daily_checks import daily_checks
from aftersales.parties.roles import Role
from tests.factories import make_held_dispute, make_staff, staff_note

from .conftest import DAY, build_morning

pytestmark = pytest.mark.django_db


def numbers(items) -> list[str]:
    return [i.number for i in items]


def test_each_list_holds_what_is_late_and_nothing_else(agent, morning):
    m = morning
    (check,) = daily_checks(now=m.now)
    assert check.username == agent.username

    (parcel,) = check.stale_parcels
    assert (parcel.number, parcel.tracking_no, parcel.quiet_days) == (
        m.stale_parcel.number,
        "SF0001",
        5,
    )
    assert parcel.direction_label == "顾客寄回"

    (refund,) = check.late_executions
    assert (refund.number, refund.kind, str(refund.amount)) == (
        m.late_refund.number,
        "refund",
        "199.00",
    )
    assert refund.late_hours == 48  # bank quick-pay: 3 days, recorded 5 days ago

    assert [(c.number, c.text, c.overdue) for c in check.due_commitments] == [
        (m.overdue_promise.number, "昨天下午回电", True),
        (m.today_promise.number, "今天内确认退款到账", False),
    ]

    # An SLA event the system wrote a moment ago does not count as someone touching it.
    (untouched,) = check.untouched_disputes
    assert untouched.number == m.untouched.number
    assert untouched.last_touched_at == m.now - 3 * DAY


def test_the_stale_threshold_is_a_setting(agent, morning, settings):
    settings.DAILY_CHECK_PARCEL_STALE_DAYS = 6
    (check,) = daily_checks(now=morning.now)
    assert check.stale_parcels == []
    settings.DAILY_CHECK_PARCEL_STALE_DAYS = 1
    (check,) = daily_checks(now=morning.now)
    # Oldest movement first; the parcel scanned exactly a day ago now counts too.
    assert numbers(check.stale_parcels) == [
        morning.stale_parcel.number,
        morning.moving_parcel.number,
    ]


def test_a_touch_clears_the_untouched_list_and_time_brings_it_back(agent, morning):
    m = morning
    Event.objects.create(dispute=m.untouched, kind="note", actor=agent, at=m.now)
    (check,) = daily_checks(now=m.now)
    assert check.untouched_disputes == []
    (later,) = daily_checks(now=m.now + DAY + dt.timedelta(minutes=1))
    assert m.untouched.number in numbers(later.untouched_disputes)


def test_commitments_due_tomorrow_show_up_tomorrow(agent, morning):
    (tomorrow,) = daily_checks(now=morning.now + 2 * DAY)
    assert "后天上门" in [c.text for c in tomorrow.due_commitments]


def test_lists_follow_the_assignee_and_leave_ended_disputes_out(agent, default_team, morning):
    m = morning
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    colleague = make_staff(Role.AGENT, team=default_team)
    dispute_assign(
        dispute=m.late_refund,
        actor=lead,
        version=m.late_refund.version,
        team=default_team,
        assignee=colleague,
    )
    dispute_apply(
        dispute=m.untouched,
        action="withdraw",
        actor=agent,
        version=m.untouched.version,
        reason="顾客撤回",
        payload={"confirmation": staff_note()},
    )
    checks = {c.username: c for c in daily_checks(now=m.now)}
    assert numbers(checks[colleague.username].late_executions) == [m.late_refund.number]
    assert checks[agent.username].late_executions == []
    assert checks[agent.username].untouched_disputes == []


def test_only_the_agents_asked_for_and_empty_ones_on_request(agent, default_team, morning):
    idle = make_staff(Role.AGENT, team=default_team)
    users = get_user_model().objects
    assert daily_checks(now=morning.now, agents=users.filter(pk=idle.pk)) == []
    (empty,) = daily_checks(now=morning.now, agents=users.filter(pk=idle.pk), include_empty=True)
    assert (empty.username, empty.total) == (idle.username, 0)
    (mine,) = daily_checks(now=morning.now, agents=users.filter(pk__in=[agent.pk, idle.pk]))
    assert mine.username == agent.username and mine.total == 5


def test_the_number_of_queries_does_not_grow_with_agents_or_disputes(default_team):
    first = make_staff(Role.AGENT, team=default_team)
    build_morning(first)
    with CaptureQueriesContext(connection) as one_agent:
        daily_checks()
    for _ in range(2):
        build_morning(make_staff(Role.AGENT, team=default_team))
    make_held_dispute(first, received_at=timezone.now() - 3 * DAY)
    with CaptureQueriesContext(connection) as three_agents:
        checks = daily_checks()
    assert len(checks) == 3
    assert len(three_agents) == len(one_agent) == 5
