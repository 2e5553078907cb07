"""The periodic schedule and the background worker: each slot is enqueued once, and
`aftersales worker` runs what is queued."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from aftersales.jobs.models import ScheduledRun
from aftersales.jobs.schedule import Job, due_slot
from aftersales.jobs.services import enqueue_due
from aftersales.parties.models import Team

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


@task()
def open_overflow_team() -> str:
    """A real task with a visible effect, for the worker to run."""
    team, _ = Team.objects.get_or_create(code="overflow", defaults={"name": "加班小组"})
    return team.code


TICK = Job("tick", f"{__name__}.open_overflow_team", every_minutes=1)
MORNING = Job("morning", f"{__name__}.open_overflow_team", daily_at=dt.time(8, 30))


def test_minute_slots_floor_to_the_minute_in_shanghai():
    now = dt.datetime(2026, 11, 23, 2, 17, 42, tzinfo=UTC)  # 10:17:42 in Shanghai
    assert due_slot(TICK, now) == dt.datetime(2026, 11, 23, 10, 17, tzinfo=SH)
    five = Job("five", TICK.task, every_minutes=5)
    assert due_slot(five, now) == dt.datetime(2026, 11, 23, 10, 15, tzinfo=SH)


def test_daily_slot_is_due_from_its_time_on_the_shanghai_date():
    before = dt.datetime(2026, 11, 23, 0, 29, tzinfo=UTC)  # 08:29 Shanghai
    after = dt.datetime(2026, 11, 23, 0, 31, tzinfo=UTC)
    late = dt.datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 01:00 on the 24th in Shanghai
    assert due_slot(MORNING, before) is None
    assert due_slot(MORNING, after) == dt.datetime(2026, 11, 23, 8, 30, tzinfo=SH)
    assert due_slot(MORNING, late) is None  # the 24th's run is not due until 08:30


def test_a_job_needs_exactly_one_kind_of_schedule():
    with pytest.raises(ValueError):
        Job("both", TICK.task, every_minutes=1, daily_at=dt.time(8, 30))
    with pytest.raises(ValueError):
        Job("neither", TICK.task)


@pytest.mark.django_db
def test_each_slot_is_enqueued_once():
    now = dt.datetime(2026, 11, 23, 1, 0, 5, tzinfo=UTC)
    first = enqueue_due(jobs=(TICK, MORNING), now=now)
    again = enqueue_due(jobs=(TICK, MORNING), now=now + dt.timedelta(seconds=30))
    assert [r.job for r in first] == ["tick", "morning"]
    assert again == []
    assert DBTaskResult.objects.count() == 2
    next_minute = enqueue_due(jobs=(TICK, MORNING), now=now + dt.timedelta(minutes=1))
    assert [r.job for r in next_minute] == ["tick"]
    assert ScheduledRun.objects.filter(job="morning").count() == 1


@pytest.mark.django_db
def test_a_job_whose_task_is_missing_is_skipped_not_fatal(caplog):
    ghost = Job("ghost", "aftersales.nowhere.tasks.nothing", every_minutes=1)
    assert enqueue_due(jobs=(ghost, TICK)) != []
    assert not ScheduledRun.objects.filter(job="ghost").exists()
    assert "aftersales.nowhere.tasks.nothing" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_runs_the_queued_tasks_and_exits_in_batch_mode():
    enqueue_due(jobs=(TICK,))
    call_command("worker", "--batch", "--no-schedule", "--interval", "0")
    assert Team.objects.filter(code="overflow").exists()
    result = DBTaskResult.objects.get()
    assert result.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_schedule_runs_the_sla_scan():
    from aftersales.disputes.models import Event
    from aftersales.sla.models import Timer
    from tests.factories import make_dispute

    dispute = make_dispute()
    overdue = timezone.now() - dt.timedelta(hours=2)
    Timer.objects.filter(dispute=dispute, state="running").update(
        due_at=overdue, risk_at=overdue - dt.timedelta(minutes=5)
    )
    call_command("worker", "--batch", "--interval", "0")
    assert ScheduledRun.objects.filter(job="sla_scan").count() == 1
    assert Event.objects.filter(dispute=dispute, kind="sla_breached").exists()
    assert DBTaskResult.objects.get(task_path__endswith="sla_scan").status == "SUCCESSFUL"
