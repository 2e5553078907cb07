"""Run a function in several threads at the same moment, each with its own database
connection (PostgreSQL; transactional tests)."""

import threading

from django.db import connection


def at_once(fn, *, threads: int = 2) -> list:
    start = threading.Barrier(threads)
    results: list = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait(timeout=10)
            results.append(fn())
        except BaseException as exc:  # the test judges
            errors.append(exc)
        finally:
            connection.close()

    running = [threading.Thread(target=run) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=60)
    assert not errors, errors
    return results
