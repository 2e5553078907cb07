"""Serving the demo: Django's runserver in this process, the background worker (SLA scans
every minute, notifications) in a child process that stops with it.

One server process (no autoreloader, which would fork a second copy of the demo), so one
worker. The worker is stopped in `finally` when the server stops (Ctrl-C, SIGTERM,
SIGHUP, an error); if this process dies without running it (runserver leaves with
`os._exit` when the port is taken; SIGKILL), the worker sees its stdin close and stops
itself (`aftersales.demo.worker`)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management import call_command

STOP_WAIT_SECONDS = 15.0


def worker_log_path() -> Path:
    return Path(settings.DATA_DIR) / "worker.log"


def worker_start(*, log_path: Path) -> subprocess.Popen:
    """`aftersales worker` as a child: its output appended to `log_path`, its stdin a
    pipe only this process holds, in a session of its own (Ctrl-C in the terminal reaches
    the demo, which then stops the worker once, gracefully)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
        "DEBUG": "1" if settings.DEBUG else "0",
        "PYTHONUNBUFFERED": "1",
    }
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "aftersales.demo.worker"],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=os.name == "posix",
        )


def worker_stop(process: subprocess.Popen) -> int:
    """Ask the worker to stop (it finishes the task in hand), kill it if it does not."""
    if process.poll() is None:
        process.terminate()  # once: a second SIGTERM would abort the task in hand
        try:
            process.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(OSError):
        process.stdin.close()
    return process.returncode


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the server as Ctrl-C does (runserver's own way out), so the
    `finally` that stops the worker runs."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {sig: signal.signal(sig, interrupt) for sig in wanted}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(*, addrport: str, worker: bool, say: Callable[[str], None]) -> None:
    """runserver on `addrport` until it stops; with `worker`, the worker beside it."""
    with _stop_signals_interrupt():
        process = None
        if worker:
            log = worker_log_path()
            process = worker_start(log_path=log)
            say(f"后台任务进程已启动（进程号 {process.pid}），每分钟 SLA 扫描、发送通知")
            say(f"  日志：{log}")
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if process is not None:
                code = worker_stop(process)
                say(f"后台任务进程已停止（进程号 {process.pid}，退出码 {code}）")
