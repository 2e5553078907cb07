"""One generated demo shared by every test in this folder.

Generating the demo takes seconds; the tests here only read it (or write and have their
writes rolled back). So the demo is built once, inside a transaction opened for this
folder, when its first test starts; each test runs in a savepoint of it (pytest-django's
`db`), so no test sees another's writes; and the transaction is rolled back when the
folder is done, so no test elsewhere sees the demo. Under pytest-xdist each worker builds
its own. Tests that need an empty database (the command) live outside this folder.
"""

import datetime as dt
import os
import time
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone

from aftersales.demo.populate import DemoSummary, demo_populate

COUNT, SEED = 600, 7


@dataclass(frozen=True)
class Demo:
    summary: DemoSummary
    now: object  # the aware datetime the demo was generated "now" for
    seconds: float


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # As django.test.TestCase opens its class-wide transaction: marked as a test
        # case's, so the services' durable blocks and the per-test savepoints nest in it.
        outer = transaction.atomic()
        outer._from_testcase = True
        outer.__enter__()
        try:
            # DEMO_NOW=2026-12-05T17:28:02+00:00 replays the demo of a given moment (a
            # failure that depends on the hour the demo was generated at).
            fixed = os.environ.get("DEMO_NOW")
            now = dt.datetime.fromisoformat(fixed) if fixed else timezone.now()
            started = time.monotonic()
            summary = demo_populate(count=COUNT, seed=SEED, now=now)
            yield Demo(summary=summary, now=now, seconds=time.monotonic() - started)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
