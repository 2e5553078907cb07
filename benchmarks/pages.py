"""Workbench pages at scale (issue 13): server time p95 of the queue's first page with
filters (the page /workbench/ as a logged-in agent and the REST list /api/v1/disputes),
the search (a common two-character Chinese word and a rare term) and the dispute page.

    .venv/bin/python benchmarks/pages.py [--count 100000] [--seed 2000]
        [--database-url URL] [--repeat 40] [--generic-plans] [--reuse | --load-only]

URL: a SQLite file (default /tmp/aftersales_pages_bench.sqlite3) or PostgreSQL
(postgres://postgres@127.0.0.1:5432/aftersales_pages_bench). Without `--reuse` the
database is deleted / dropped and created, then loaded (`benchmarks/pages_load.py`: the
first `--seed` disputes through the product's services, ≈ 8 events, 4 timers and 1
department task each, the rest copied from them by set-based SQL; its docstring says
exactly what is real and what is copied), the copies checked (a few open on the dispute
page with their timeline, the search finds them) and every table holding rows
ANALYZEd; `--load-only` stops there. `--reuse` measures a database loaded before: its
migrations are run (a new one may have landed) and its tables ANALYZEd again. The
database is kept after the run. Descriptions are drawn from a vocabulary in which 漏水
is in about one dispute in eight; the rare term in one in 20,011.

Each measurement is `--repeat` requests in this process through Django's test Client
(production settings, DEBUG off), after 6 warm-up requests — more than the prepare
threshold (PG_PREPARE_THRESHOLD=5), so a prepared statement's generic plan, if the
server picks one, is what gets measured. On PostgreSQL the settings' connections run
with plan_cache_mode=force_custom_plan; `--generic-plans` sets it back to the server's
`auto` (the trap of issue 13).
The floor: GET /api/v1/disputes/<number> (one dispute and its timeline), measured in
the same run; each figure is also printed as a multiple of it. Load average before and
after.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import prepare_database  # noqa: E402 (after the path)

DEFAULT_URL = "sqlite:////tmp/aftersales_pages_bench.sqlite3"
WARM = 6


def p95(samples: list[float]) -> float:
    return (
        statistics.quantiles(samples, n=20, method="inclusive")[18]
        if len(samples) > 1
        else samples[0]
    )


def measure(get, paths: list[str], repeat: int) -> tuple[float, float]:
    """(p95, median) in ms of `repeat` requests cycling through `paths`."""
    for k in range(WARM):
        get(paths[k % len(paths)])
    times = []
    for k in range(repeat):
        began = time.perf_counter()
        get(paths[k % len(paths)])
        times.append((time.perf_counter() - began) * 1000)
    return p95(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2000, help="disputes made by the services")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--generic-plans", action="store_true")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--reuse", action="store_true", help="measure the loaded database")
    mode.add_argument("--load-only", action="store_true", help="load, check and stop")
    args = parser.parse_args()

    if not args.reuse:
        prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from pages_load import analyze, check_copies, counts, load
    from pages_seed import RARE

    from aftersales.disputes.models import Dispute
    from aftersales.parties.services import token_create

    if connection.vendor == "postgresql" and args.generic_plans:

        def generic_plans(sender, connection, **kwargs):
            with connection.cursor() as cursor:
                cursor.execute("SET plan_cache_mode = auto")

        connection_created.connect(generic_plans)

    call_command("migrate", verbosity=0)
    if args.reuse:
        agent = get_user_model().objects.get(username="agent")
    else:
        agent, took = load(args.count, args.seed, timezone.now())
        print(f"load: {args.seed:,} disputes by the services in {took['seed']:.0f} s, "
              f"copied to {args.count:,} in {took['copy']:.0f} s", flush=True)  # fmt: skip
    began = time.perf_counter()
    analyzed = analyze(connection)
    n = Dispute.objects.count()
    rows = counts(connection)
    print(f"ANALYZE of {len(analyzed)} tables in {time.perf_counter() - began:.1f} s; "
          + ", ".join(f"{t} {c:,}" for t, c in rows.items()), flush=True)  # fmt: skip
    per = {t: rows[t] / n for t in ("disputes_event", "sla_timer", "disputes_task")}
    print(f"per dispute: {per['disputes_event']:.2f} events, {per['sla_timer']:.2f} timers, "
          f"{per['disputes_task']:.2f} tasks", flush=True)  # fmt: skip
    if not args.reuse:
        problems = check_copies(agent, n, min(args.seed, n))
        print("copies checked: " + ("; ".join(problems) or "dispute pages and search OK"))
        if problems:
            sys.exit(1)
    if args.load_only:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            db = cursor.fetchone()[0].split(",")[0]
            cursor.execute("SHOW plan_cache_mode")
            db += f"; plan_cache_mode={cursor.fetchone()[0]}"
    else:
        import sqlite3

        db = f"SQLite {sqlite3.sqlite_version}"
    prepare = connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold")
    print(f"{db}; prepare_threshold={prepare}; Python {platform.python_version()}; "
          f"{os.cpu_count()} CPUs; {platform.node()}")  # fmt: skip

    page = Client()
    page.force_login(agent)
    api = Client(headers={"Authorization": f"Bearer {token_create(user=agent)}"})

    def get(client):
        def fetch(path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return fetch

    queue = reverse("workbench:dispute_list")
    numbers = list(
        Dispute.objects.order_by("?").values_list("number", flat=True)[: max(10, args.repeat)]
    )
    filters = [
        "status=investigating&severity=general",
        "category=quality&channel=phone",
        "needs_review=1",
        "breaching=1",
        "severity=complex&escalation_risk=1",
        "assignee=none&category=logistics",
    ]
    common_word, rare_word = "q=%E6%BC%8F%E6%B0%B4", f"q={RARE}"
    found = Dispute.objects.filter(search_tokens__contains="漏水").count()
    rare = Dispute.objects.filter(search_tokens__contains="面包").count()
    print(f"漏水 in {found:,} disputes, {RARE} in {rare:,}")
    cases = [
        ("floor: REST dispute", get(api), [f"/api/v1/disputes/{x}" for x in numbers]),
        ("queue page, filters", get(page), [f"{queue}?{f}" for f in filters]),
        ("queue page, no filter", get(page), [queue]),
        ("REST list, filters", get(api), [f"/api/v1/disputes?{f}" for f in filters]),
        ("REST list, no filter", get(api), ["/api/v1/disputes"]),
        ("search page 漏水", get(page), [f"{queue}?{common_word}"]),
        (f"search page {RARE}", get(page), [f"{queue}?{rare_word}"]),
        ("search REST 漏水", get(api), [f"/api/v1/disputes?{common_word}"]),
        (f"search REST {RARE}", get(api), [f"/api/v1/disputes?{rare_word}"]),
        ("search page phone tail", get(page), [f"{queue}?q={x[-4:]}" for x in ("13900012345",)]),
        (
            "dispute page",
            get(page),
            [reverse("workbench:dispute_detail", args=[x]) for x in numbers],
        ),
    ]
    load_before = os.getloadavg()
    results, broken = [], []
    for name, fetch, paths in cases:
        try:
            results.append((name, *measure(fetch, paths, args.repeat)))
        except Exception as error:  # a page being built elsewhere: say so, measure the rest
            broken.append((name, f"{type(error).__name__}: {str(error)[:120]}"))
    load_after = os.getloadavg()
    floor = results[0][1]
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f}")  # fmt: skip
    print(f"{'':28} {'p95 ms':>8} {'median':>8} {'× floor':>8}")
    for name, p, median in results:
        print(f"{name:28} {p:8.1f} {median:8.1f} {p / floor:8.1f}")
    for name, why in broken:
        print(f"{name:28} not measured: {why}")


if __name__ == "__main__":
    main()
