"""The benchmarks' own databases: made empty before a run (a SQLite file deleted with its
journal files; a PostgreSQL database dropped and created)."""

from pathlib import Path
from urllib.parse import urlparse


def prepare_database(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        path = Path(parsed.path)
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            file.unlink(missing_ok=True)
        return
    import psycopg

    name = parsed.path.lstrip("/")
    admin = parsed._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
