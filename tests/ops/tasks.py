"""A task for the crash test, run by real worker processes: slow the first time (so a
worker can be killed while it runs), then the real SLA scan."""

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def slow_then_scan(marker_dir: str, first_seconds: float) -> dict:
    """Leaves a file per attempt (the test counts the starts), sleeps `first_seconds` on
    the first attempt only, then runs the SLA scan as the schedule would."""
    from aftersales.sla.tasks import sla_scan

    markers = Path(marker_dir)
    first = not any(markers.glob("started-*"))
    (markers / f"started-{os.getpid()}").write_text("")
    if first:
        time.sleep(first_seconds)
    return sla_scan.call()
