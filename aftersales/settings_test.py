"""Settings for the test suite: development on (explicitly), a fast password hasher.

Production is the default of aftersales.settings; the tests ask for development here,
as the demo does, and tests of production behaviour start their own process with
production settings."""

import os
import secrets
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "1")
# One BLAS thread: the triage model trains on small matrices, where OpenBLAS's threads
# spin more than they help, and pytest-xdist already runs a test process per core.
# Set before numpy is imported (this module is read first, and the variables reach the
# `aftersales` processes tests start).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

from aftersales.settings import *  # noqa: F403

# Hashing a password the production way costs ~0.3 s per user; tests make thousands.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Counters in this process's memory, never the files of a development data directory.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite makes many requests from one address: limits far above it. Tests of the
# limits themselves (tests/security) set their own rates.
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "100000/min")  # noqa: F405
# Login lockout off for the general suite (Client.login() has no request, which
# django-axes needs); tests/security turns it on.
AXES_ENABLED = False
# Customer messages (proposal links and codes) kept in memory, where tests read them
# (aftersales.notifications.channels.outbox); production has no default channel.
CUSTOMER_CHANNEL = "aftersales.notifications.channels.MemoryChannel"
# The portal's code requests take half a second each on purpose (matched or not, the same
# time); tests that measure it set it back.
AFTERSALES_PORTAL_CODE_MIN_SECONDS = 0

# Files the tests write (evidence, agreement PDFs, retrained models) go to a temporary
# folder of this test run, one subfolder per pytest-xdist worker (PYTEST_XDIST_WORKER),
# never to the development data directory (./var). The folder is named in the
# environment, so the workers and the `aftersales` processes tests start find the same
# one; tests/conftest.py removes it when the run that made it ends. A process given its
# own AFTERSALES_DATA_DIR (tests of backups start such processes) keeps its media there.
if "AFTERSALES_DATA_DIR" not in os.environ:
    if not os.environ.get("AFTERSALES_TEST_FILES"):
        # Named, not made: only a test that writes a file creates it.
        _name = f"aftersales-tests-{os.getpid()}-{secrets.token_hex(4)}"
        os.environ["AFTERSALES_TEST_FILES"] = os.path.join(tempfile.gettempdir(), _name)
        TEST_FILES_OWNER_PID = os.getpid()
    TEST_FILES = Path(os.environ["AFTERSALES_TEST_FILES"]) / os.environ.get(
        "PYTEST_XDIST_WORKER", "main"
    )
    MEDIA_ROOT = TEST_FILES / "media"
    TRIAGE_MODEL_STORE = TEST_FILES / "triage-models"
    AFTERSALES_SMS_DEV_FILE = str(TEST_FILES / "sms-outbox.jsonl")

# PostgreSQL: a test's commit need not wait for the write-ahead log to reach the disk (the
# test database is thrown away); tests that commit (transactional tests, worker
# processes) stop paying a disk flush each.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"]["OPTIONS"]  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
