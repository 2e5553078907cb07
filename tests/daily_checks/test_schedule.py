"""The worker runs the daily checks at 08:30 Asia/Shanghai: the slot is enqueued once
however many workers look, and each agent with something late gets one inbox
notification (and one e-mail) that morning."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from aftersales.followup.daily_check_notices import daily_check_notify
from aftersales.jobs.models import ScheduledRun
from aftersales.jobs.schedule import DEFAULT_JOBS, due_slot
from aftersales.jobs.services import enqueue_due
from aftersales.notifications.models import Notification
from aftersales.notifications.tasks import email_notifications
from aftersales.parties.roles import Role
from tests.factories import make_staff

from .conftest import build_morning

SH = ZoneInfo("Asia/Shanghai")
(DAILY,) = [job for job in DEFAULT_JOBS if job.code == "daily_checks"]


def shanghai(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def test_the_daily_check_is_due_from_0830_shanghai():
    assert DAILY.task == "aftersales.followup.tasks.daily_checks"
    assert due_slot(DAILY, shanghai("2026-11-23 08:29:59")) is None
    assert due_slot(DAILY, shanghai("2026-11-23 08:30")) == shanghai("2026-11-23 08:30")
    # 00:45 UTC is 08:45 in Shanghai: the same slot.
    assert due_slot(DAILY, dt.datetime(2026, 11, 23, 0, 45, tzinfo=dt.UTC)) == shanghai(
        "2026-11-23 08:30"
    )


@pytest.mark.django_db
def test_the_0830_slot_is_enqueued_once_across_workers():
    jobs = (DAILY,)
    assert enqueue_due(jobs=jobs, now=shanghai("2026-11-23 08:29")) == []
    first = enqueue_due(jobs=jobs, now=shanghai("2026-11-23 08:30:05"))
    # A second worker at the same moment, and the same worker ten minutes later.
    assert enqueue_due(jobs=jobs, now=shanghai("2026-11-23 08:30:05")) == []
    assert enqueue_due(jobs=jobs, now=shanghai("2026-11-23 08:40")) == []
    assert [(r.job, r.slot) for r in first] == [("daily_checks", shanghai("2026-11-23 08:30"))]
    assert DBTaskResult.objects.filter(task_path__endswith="daily_checks").count() == 1
    # The next morning is a new slot.
    assert len(enqueue_due(jobs=jobs, now=shanghai("2026-11-24 08:31"))) == 1
    assert ScheduledRun.objects.filter(job="daily_checks").count() == 2


@pytest.mark.django_db
def test_one_notification_per_agent_with_something_late_and_once_a_day(
    agent, default_team, django_capture_on_commit_callbacks
):
    agent.email = "agent@example.cn"
    agent.save()
    morning = build_morning(agent)
    make_staff(Role.AGENT, team=default_team)  # nothing late: not told
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (note,) = daily_check_notify(now=morning.now)
    assert len(callbacks) == 1  # the e-mail task, enqueued after commit
    assert note.recipient == agent and note.kind == "daily_check"
    assert "8 项待跟进" in note.title
    assert morning.late_refund.number in note.body and "SF0001" in note.body
    assert morning.insurance_missing.number in note.body and "运费险逾期未理赔" in note.body

    assert email_notifications.call([note.pk]) == 1
    (message,) = mail.outbox
    assert message.to == ["agent@example.cn"] and "每日主动检查" in message.subject
    assert morning.untouched.number in message.body

    # Run again the same day: nobody is told twice.
    assert daily_check_notify(now=morning.now) == []
    assert Notification.objects.filter(kind="daily_check").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_runs_the_morning_check_once(default_team):
    agent = make_staff(Role.AGENT, team=default_team)
    build_morning(agent)
    at = shanghai("2026-11-23 08:30:01")
    enqueue_due(jobs=(DAILY,), now=at)
    enqueue_due(jobs=(DAILY,), now=at)  # a second worker
    call_command("worker", "--batch", "--no-schedule", "--interval", "0")
    call_command("worker", "--batch", "--no-schedule", "--interval", "0")
    result = DBTaskResult.objects.get(task_path__endswith="daily_checks")
    assert result.status == "SUCCESSFUL"
    assert Notification.objects.filter(kind="daily_check", recipient=agent).count() == 1
