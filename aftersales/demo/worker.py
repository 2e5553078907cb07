"""`aftersales worker` as the demo's child process (`python -m aftersales.demo.worker`).

The worker lives exactly as long as the demo: the demo holds the write end of this
process's stdin, so when the demo ends for any reason — Ctrl-C, SIGTERM, the server
failing to start, even SIGKILL — the read below sees end-of-file and the worker is asked
to stop (SIGTERM: it finishes the task in hand), then made to stop if it does not."""

import os
import signal
import sys
import threading
import time

# How long a task in hand may take to finish once the demo is gone.
GRACE_SECONDS = 10.0
STDIN = 0


def _stop_with_parent() -> None:
    # The raw descriptor, not sys.stdin: a daemon thread blocked in a buffered read makes
    # the interpreter abort at exit (it cannot take the buffer's lock).
    try:
        while os.read(STDIN, 4096):
            pass  # the demo writes nothing; anything written is ignored
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE_SECONDS)
    os._exit(1)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    threading.Thread(target=_stop_with_parent, name="stop-with-demo", daemon=True).start()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["aftersales", "worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
