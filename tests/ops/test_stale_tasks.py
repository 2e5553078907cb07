"""A task whose worker dies is not lost: after TASK_STALE_AFTER_SECONDS without a
heartbeat from its worker it is queued again (bounded: then FAILED with the reason), and
the next worker completes it once."""

import datetime as dt
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.disputes.models import Event
from aftersales.jobs.services import WORKER_LOST, heartbeat, reclaim_stale
from aftersales.sla.models import Timer
from tests.factories import make_dispute

from .shared_db import AFTERSALES, process_env, shared_database
from .tasks import slow_then_scan

MINUTE = dt.timedelta(minutes=1)


def running(*, started_minutes_ago: float, workers: list[str]) -> DBTaskResult:
    """A task as a worker leaves it when claimed: RUNNING, started, its worker named."""
    result = slow_then_scan.enqueue("/nowhere", 0)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - started_minutes_ago * MINUTE,
        worker_ids=workers,
    )
    return DBTaskResult.objects.get(pk=result.id)


@pytest.mark.django_db
def test_a_task_whose_worker_is_gone_is_queued_again():
    lost = running(started_minutes_ago=10, workers=["dead-worker"])
    heartbeat(
        worker_id="dead-worker",
        started_at=timezone.now() - 11 * MINUTE,
        now=timezone.now() - 6 * MINUTE,
    )
    result = reclaim_stale(stale_after=300)
    assert result.requeued == [str(lost.pk)] and result.failed == []
    lost.refresh_from_db()
    assert lost.status == "READY" and lost.started_at is None
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()  # a worker will take it
    assert reclaim_stale(stale_after=300).requeued == []  # and it is queued once


@pytest.mark.django_db
def test_a_long_task_of_a_live_worker_is_left_alone():
    long_one = running(started_minutes_ago=60, workers=["busy-worker"])
    heartbeat(worker_id="busy-worker", started_at=timezone.now() - 61 * MINUTE)
    just_claimed = running(started_minutes_ago=0.1, workers=["never-seen"])
    assert reclaim_stale(stale_after=300).requeued == []
    assert {
        t.status for t in DBTaskResult.objects.filter(pk__in=[long_one.pk, just_claimed.pk])
    } == {"RUNNING"}


@pytest.mark.django_db
def test_after_the_last_attempt_the_task_fails_with_the_reason():
    doomed = running(started_minutes_ago=10, workers=["w1", "w2", "w3"])
    result = reclaim_stale(stale_after=300, attempts=3)
    assert result.failed == [str(doomed.pk)] and result.requeued == []
    doomed.refresh_from_db()
    assert doomed.status == "FAILED" and doomed.finished_at is not None
    assert doomed.exception_class_path == WORKER_LOST
    assert "失联 3 次" in doomed.traceback and "w1, w2, w3" in doomed.traceback
    (error,) = doomed.task_result.errors  # what django-tasks users read
    assert error.exception_class_path == WORKER_LOST


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def status_in(url: str, pk) -> str:
    """The task's status as the workers see it (the shared copy on SQLite)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            row = db.execute(
                f"SELECT status FROM {DBTaskResult._meta.db_table} WHERE id = ?", [pk.hex]
            ).fetchone()
        return row[0]
    connection.close()  # read what the workers committed
    return DBTaskResult.objects.get(pk=pk).status


def start_worker(url: str, data_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(AFTERSALES), "worker", "--no-schedule", "--interval", "0.2", "--stale-after", "2"],
        env=process_env(url, data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_task_leaves_it_to_the_next_worker_which_runs_it_once(tmp_path):
    dispute = make_dispute()
    overdue = timezone.now() - 2 * dt.timedelta(hours=1)
    Timer.objects.filter(dispute=dispute, state="running").update(
        due_at=overdue, risk_at=overdue - 5 * MINUTE
    )
    markers = tmp_path / "markers"
    markers.mkdir()
    task_id = slow_then_scan.enqueue(str(markers), 120).id
    pk = DBTaskResult.objects.get(pk=task_id).pk

    with shared_database(tmp_path) as url:
        first = start_worker(url, tmp_path)
        try:
            wait_for(lambda: any(markers.glob("started-*")), timeout=60, what="the first start")
            assert status_in(url, pk) == "RUNNING"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        # Before: RUNNING forever. Nobody else would ever take it.
        assert status_in(url, pk) == "RUNNING"

        second = start_worker(url, tmp_path)
        try:
            wait_for(lambda: status_in(url, pk) == "SUCCESSFUL", timeout=90, what="the retry")
        finally:
            second.send_signal(signal.SIGTERM)
            output, _ = second.communicate(timeout=30)
        assert second.returncode == 0, output
        assert f"已重新排队失联进程的任务 {pk}" in output, output

    result = DBTaskResult.objects.get(pk=pk)
    assert result.status == "SUCCESSFUL" and len(result.worker_ids) == 2
    assert len(list(markers.glob("started-*"))) == 2  # started twice, by two processes
    # Completed once: one breach recorded, whatever the first attempt got to.
    assert result.return_value == {"at_risk": 0, "breached": 1}
    assert Event.objects.filter(dispute=dispute, kind="sla_breached").count() == 1
