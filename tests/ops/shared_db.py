"""This test's database for other processes (a worker, the `aftersales` command line).

On PostgreSQL they open the test database itself; the test must commit what they are
to see (`django_db(transaction=True)`). SQLite's test database lives in this process's
memory, so they get a file copy, copied back when the block ends: the test then reads
what the other processes wrote through the ORM as usual."""

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

AFTERSALES = Path(sys.executable).with_name("aftersales")
REPO = Path(__file__).resolve().parents[2]


def url_of(settings_dict: dict) -> str:
    s = settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = quote(s.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(s['NAME'], safe='')}"


@contextmanager
def shared_database(directory: Path) -> Iterator[str]:
    """A DATABASE_URL another process can open, holding what this test's database holds."""
    if connection.vendor == "postgresql":
        yield url_of(connection.settings_dict)
        return
    if not connection.is_in_memory_db():
        yield f"sqlite:///{connection.settings_dict['NAME']}"
        return
    path = directory / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    try:
        yield f"sqlite:///{path}"
    finally:
        source = sqlite3.connect(path)
        source.backup(connection.connection)
        source.close()


def process_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of an `aftersales` process on `database_url`: the test settings,
    its own data folder, and the repository importable (for tests.ops.tasks)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aftersales.settings_test",
        "DATABASE_URL": database_url,
        "AFTERSALES_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(REPO),
    }
