"""`aftersales demo` serves with the background worker beside it, and the worker stops
with the server: SIGTERM to the demo, or the server failing to start (port taken).

Real processes on a temporary SQLite data directory, as a developer runs the demo."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from aftersales.jobs.models import ScheduledRun

DEMO_TIMEOUT = 240  # migrate + 20 disputes on a busy 2-core machine
GONE_WITHIN = 8.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is gone for our purpose.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state != "Z"


def _wait_until(predicate, timeout: float, what: str, output: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = predicate()
        if got:
            return got
        time.sleep(0.25)
    pytest.fail(f"{what} within {timeout} s; demo output:\n{output.read_text()[-3000:]}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer: the server runs
    except OSError:
        return False


def _scan_ran(db: Path) -> bool:
    """The worker scheduled the SLA scan and ran it (read from the demo's own database)."""
    runs, results = ScheduledRun._meta.db_table, DBTaskResult._meta.db_table
    try:
        with sqlite3.connect(db, timeout=1) as con:
            scheduled = con.execute(f"SELECT 1 FROM {runs} WHERE job = 'sla_scan'")
            done = con.execute(
                f"SELECT 1 FROM {results} WHERE task_path LIKE '%.sla_scan'"
                " AND status = 'SUCCESSFUL'"
            )
            return bool(scheduled.fetchone() and done.fetchone())
    except sqlite3.Error:
        return False


def _start_demo(data_dir: Path, port: int, out: Path, *more: str) -> subprocess.Popen:
    unset = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(DEBUG="1", AFTERSALES_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    with open(out, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "aftersales", "demo", "--count", "20",
             "--addrport", f"127.0.0.1:{port}", *more],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=data_dir,
        )  # fmt: skip


def _worker_pid(out: Path) -> int | None:
    found = re.search(r"后台任务进程已启动（进程号 (\d+)）", out.read_text())
    return int(found[1]) if found else None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_the_worker_runs_beside_the_server_and_stops_with_it(tmp_path):
    port, out = _free_port(), tmp_path / "demo.out"
    demo = _start_demo(tmp_path, port, out)
    try:
        _wait_until(lambda: _answers(f"http://127.0.0.1:{port}/workbench/"),
                    DEMO_TIMEOUT, "the demo page answers", out)  # fmt: skip
        worker = _wait_until(lambda: _worker_pid(out), 10, "the worker's pid printed", out)
        assert _alive(worker) and worker != demo.pid
        log = tmp_path / "worker.log"
        assert f"日志：{log}" in out.read_text()
        # The worker did its first rounds: the SLA scan was scheduled and ran.
        _wait_until(lambda: _scan_ran(tmp_path / "aftersales.sqlite3"), 60,
                    "the SLA scan ran", out)  # fmt: skip
        assert "已排入 sla_scan@" in log.read_text()

        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=GONE_WITHIN)
        _wait_until(lambda: not _alive(worker), GONE_WITHIN, "the worker gone", out)
        assert demo.returncode == 0
        assert f"后台任务进程已停止（进程号 {worker}，退出码 0）" in out.read_text()
    finally:
        if demo.poll() is None:
            demo.kill()

    # The server cannot start (its port is taken) and leaves at once, through
    # os._exit, skipping every `finally`: the worker still stops. The data is there.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        out = tmp_path / "demo-again.out"
        demo = _start_demo(tmp_path, taken.getsockname()[1], out)
        try:
            demo.wait(timeout=DEMO_TIMEOUT)
            assert "已存在" in out.read_text()
            worker = _worker_pid(out)
            assert worker is not None
            _wait_until(lambda: not _alive(worker), GONE_WITHIN + 12, "the worker gone", out)
        finally:
            if demo.poll() is None:
                demo.kill()

    # --no-worker: the server alone.
    port, out = _free_port(), tmp_path / "demo-alone.out"
    demo = _start_demo(tmp_path, port, out, "--no-worker")
    try:
        _wait_until(lambda: _answers(f"http://127.0.0.1:{port}/workbench/"),
                    DEMO_TIMEOUT, "the demo page answers", out)  # fmt: skip
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=GONE_WITHIN)
        assert "后台任务进程" not in out.read_text()
    finally:
        if demo.poll() is None:
            demo.kill()
