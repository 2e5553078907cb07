"""A year whose holidays nobody has entered yet (chinesecalendar 1.11.0 stops at 2026):
deadlines are counted with weekends only and marked provisional, admins are asked in
December to enter next year, and entering it counts the provisional deadlines again."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from aftersales.notifications.models import Notification
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from aftersales.sla import services, timers, working_calendar
from aftersales.sla.calendar import default_calendar
from aftersales.sla.calendar_notices import calendar_year_warn
from aftersales.sla.models import CompanyDay, CompanyYear, Timer, TimerKind
from tests.factories import make_dispute, make_staff, step

from .conftest import at

pytestmark = pytest.mark.django_db

AFTERSALES = Path(sys.executable).with_name("aftersales")
SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"
REASON = "2027 年的法定节假日尚未录入，按周末推算，录入后自动重算"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    working_calendar.forget_calendar()
    yield
    working_calendar.forget_calendar()


def platform_review(escalated_at: str, phone: str) -> Timer:
    """A major dispute whose platform review (3 working days) starts at `escalated_at`.
    Heard as the signal the escalation sends: the lifecycle refuses dates after today,
    and these run into the new year."""
    d = make_dispute(
        description=SHOCK,
        received_at="2026-12-01T10:00:00+08:00",
        customer={"name": "张三", "phone": phone},
    )
    d = step(d, "triage", at=at("2026-12-01 10:20"))
    d = step(d, "investigate", at=at("2026-12-01 10:40"))
    kind = TimerKind.objects.get(code="platform_review")
    timers.timers_on_signals(d, [kind.start_signal], at(escalated_at))
    return Timer.objects.get(dispute=d, kind=kind)


def test_a_deadline_into_an_unknown_year_is_counted_with_weekends_and_provisional():
    due = default_calendar().due(at("2026-12-30 10:00"), 3, "working_days")
    # Thursday 12-31, Friday 01-01 (no holiday known), Monday 01-04.
    assert due.at == at("2027-01-04 23:59:59")
    assert due.provisional and due.provisional_reason == REASON


def test_a_known_year_is_never_provisional():
    due = default_calendar().due(at("2026-09-30 10:00"), 4, "working_days")
    assert due.at == at("2026-10-12 23:59:59") and not due.provisional
    wall = default_calendar().due(at("2026-12-30 10:00"), 72, "hours")
    assert not wall.provisional


def test_the_cli_prints_the_due_time_and_says_it_is_provisional():
    args = ["--start", "2026-12-30T10:00:00+08:00", "--limit", "3", "--unit", "working_days"]
    result = subprocess.run(
        [str(AFTERSALES), "sla", "due", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2027-01-04T23:59:59+08:00\n"
    assert "暂定" in result.stderr and "provisional" in result.stderr and "2027" in result.stderr


def test_the_timer_and_the_api_show_a_provisional_deadline(default_team, api_as, agent):
    timer = platform_review("2026-12-30 09:00", "13900000101")
    assert timer.due_at == at("2027-01-04 23:59:59")
    assert timer.provisional and timer.provisional_reason == REASON
    r = api_as(agent).get(f"/api/v1/disputes/{timer.dispute.number}/timers")
    assert r.status_code == 200
    (view,) = [t for t in r.json() if t["kind"] == "platform_review"]
    assert view["provisional"] is True and view["provisional_reason"] == REASON
    others = [t for t in r.json() if t["kind"] != "platform_review"]
    assert others and not any(t["provisional"] for t in others)


def test_entering_the_year_recomputes_provisional_deadlines_and_clears_the_flag(default_team):
    timer = platform_review("2026-12-30 09:00", "13900000102")
    known = platform_review("2026-12-22 09:00", "13900000103")  # due 12-25, all in 2026
    assert not known.provisional
    # New Year's Day closed: the guess moves at once, but 2027 is not entered in full yet.
    services.company_day_save(
        day=CompanyDay(day=dt.date(2027, 1, 1), kind=CompanyDay.Kind.CLOSED, note="元旦"),
        actor=SYSTEM,
    )
    timer.refresh_from_db()
    assert timer.due_at == at("2027-01-05 23:59:59") and timer.provisional
    # The year entered in full: authoritative, no longer provisional.
    services.company_day_save(day=CompanyYear(year=2027, note="按国务院通知录入"), actor=SYSTEM)
    timer.refresh_from_db()
    assert timer.due_at == at("2027-01-05 23:59:59")
    assert not timer.provisional and timer.provisional_reason == ""
    assert timer.dispute.__class__.objects.get(pk=timer.dispute_id).due_at <= timer.due_at
    known_before = known.due_at
    known.refresh_from_db()
    assert known.due_at == known_before


def test_a_pause_is_kept_when_a_provisional_deadline_is_recomputed(default_team, agent):
    kind = TimerKind.objects.get(code="platform_review")
    kind.pausable = True
    services.timer_kind_save(kind=kind, actor=SYSTEM)
    timer = platform_review("2026-12-30 09:00", "13900000104")
    d = timer.dispute
    timers.timers_pause(dispute=d, actor=agent, reason="等顾客补充照片", at=at("2026-12-31 10:00"))
    timers.timers_resume(dispute=d, actor=agent, at=at("2027-01-04 10:00"))
    timer.refresh_from_db()
    # 01-04 due, pushed back by the two working days paused (01-01 and 01-04, guessed).
    assert timer.due_at == at("2027-01-06 23:59:59") and timer.provisional
    services.company_day_save(
        day=CompanyDay(day=dt.date(2027, 1, 1), kind=CompanyDay.Kind.CLOSED), actor=SYSTEM
    )
    services.company_day_save(day=CompanyYear(year=2027), actor=SYSTEM)
    timer.refresh_from_db()
    # 3 working days from 12-30 are now 01-05; the pause still counts one (01-04).
    assert timer.due_at == at("2027-01-06 23:59:59") and not timer.provisional


def _admins():
    return [make_staff(Role.ADMIN), make_staff(Role.ADMIN)]


def test_admins_are_asked_to_enter_next_year_once_a_day_in_december(db):
    admins = _admins()
    agent = make_staff(Role.AGENT)
    assert calendar_year_warn(now=at("2026-11-30 09:00")) == []
    first = calendar_year_warn(now=at("2026-12-01 09:00"))
    assert sorted(n.recipient_id for n in first) == sorted(a.pk for a in admins)
    assert "2027" in first[0].title and "公司日历" in first[0].body
    assert calendar_year_warn(now=at("2026-12-01 15:00")) == []  # once a day
    assert len(calendar_year_warn(now=at("2026-12-02 09:00"))) == 2  # and the next day again
    assert not Notification.objects.filter(recipient=agent).exists()
    # Entered: nobody is asked any more.
    services.company_day_save(day=CompanyYear(year=2027), actor=SYSTEM)
    assert calendar_year_warn(now=at("2026-12-03 09:00")) == []


def test_a_year_the_package_knows_asks_nothing(db):
    _admins()
    assert calendar_year_warn(now=at("2025-12-15 09:00")) == []  # 2026 is in the package


def test_the_worker_asks_every_morning():
    from aftersales.jobs.schedule import DEFAULT_JOBS

    (job,) = [j for j in DEFAULT_JOBS if j.code == "calendar_years"]
    assert job.task == "aftersales.sla.tasks.calendar_years" and job.daily_at is not None
