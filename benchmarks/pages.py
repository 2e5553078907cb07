"""Workbench pages at scale (issue 13): server time p95 of the queue's first page with
filters (the page /workbench/ as a logged-in agent and the REST list /api/v1/disputes),
the search (a common two-character Chinese word and a rare term) and the dispute page.

    .venv/bin/python benchmarks/pages.py [--count 100000] [--database-url URL]
        [--repeat 40] [--generic-plans]

URL: a scratch SQLite file (default /tmp/aftersales_pages_bench.sqlite3, deleted first)
or PostgreSQL (postgres://postgres@127.0.0.1:5432/aftersales_pages_bench: dropped and
recreated). Set-up, not measured: N disputes taken in by the bulk import
(`intake.bulk.bulk_intake`, its multi-row INSERT / COPY path) with a history of two
moves, routing on — about 8 events, 4 timers and a department task each — then ANALYZE
of every table written (not only the disputes: a table without statistics gets plans
made for an empty one). Descriptions are drawn from a vocabulary in which 漏水 is in
about one in eight disputes; the rare term is in 5.

Each measurement is `--repeat` requests in this process through Django's test Client
(production settings, DEBUG off), after 6 warm-up requests — more than the prepare
threshold (PG_PREPARE_THRESHOLD=5), so a prepared statement's generic plan, if the
server picks one, is what gets measured. On PostgreSQL each connection runs with
plan_cache_mode=force_custom_plan unless `--generic-plans` (the trap of issue 13).
The floor: GET /api/v1/disputes/<number> (one dispute and its timeline), measured in
the same run; each figure is also printed as a multiple of it. Load average before and
after.
"""

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "sqlite:////tmp/aftersales_pages_bench.sqlite3"
RARE = "烤面包机"
PRODUCTS = ("电热水器", "电饭煲", "洗衣机", "冰箱", "空调", "吸尘器", "燃气灶", "净水器")
PROBLEMS = (
    "用了三天就漏水",
    "收到时外包装破损",
    "快递三天没有更新物流",
    "发错了颜色",
    "开机没反应",
    "噪音特别大",
    "少发了配件",
    "直播间说有赠品但没收到",
)
WISHES = ("要求退货退款", "希望换一台新的", "请尽快安排维修", "要求补发", "要求赔偿")
WARM = 6


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


def description(i: int, rng: random.Random) -> str:
    product = PRODUCTS[i % len(PRODUCTS)]
    problem = PROBLEMS[rng.randrange(len(PROBLEMS))]
    text = f"{product}{problem}，{WISHES[rng.randrange(len(WISHES))]}。订单第{i % 97}件。"
    if i % 20_011 == 7:
        text += f"另外买的{RARE}也坏了。"
    return text


def load(n: int, now: dt.datetime):
    from aftersales.disputes import lifecycle
    from aftersales.disputes.bulk import BulkRow, HistoryStep
    from aftersales.disputes.bulk_orders import OrderFacts
    from aftersales.disputes.intake import validate_intake
    from aftersales.intake.bulk import bulk_intake
    from aftersales.parties.models import Team
    from aftersales.parties.roles import Role
    from aftersales.parties.services import staff_create

    team = Team.objects.get(is_default=True)
    agent = staff_create(username="agent", password="pass-Word-123", role=Role.AGENT, team=team)
    rng = random.Random(13)
    rows, labels = [], {}
    categories = ("quality", "logistics", "service", "wrong_or_missing")
    for i in range(n):
        received = now - dt.timedelta(minutes=30 + (i * 37) % (60 * 24 * 20))
        request = validate_intake(
            {
                "channel": ("api", "phone", "chat", "email")[i % 4],
                "order_no": f"P{i:09d}",
                "customer": {"name": f"顾客{i % 5000}号", "phone": f"139{i:08d}"},
                "description": description(i, rng),
                "product_name": PRODUCTS[i % len(PRODUCTS)],
                "amount_paid": "299.00",
                "received_at": received.isoformat(),
            },
            now=now,
        )
        moves = ("triage", "investigate")[: 1 + (i % 3 != 0)]
        history = tuple(
            HistoryStep(a, received + dt.timedelta(minutes=5 * (k + 1)), via=lifecycle.owner_of(a))
            for k, a in enumerate(moves)
        )
        facts = OrderFacts(
            store_code="bench",
            store_name="基准旗舰店",
            platform="tmall",
            amount_paid=Decimal("299.00"),
            product_name=PRODUCTS[i % len(PRODUCTS)],
            payment_channel="alipay",
            platform_order_no=f"TM{i:012d}",
            paid_at=received - dt.timedelta(days=10),
            shipped_at=received - dt.timedelta(days=9),
            received_at=received - dt.timedelta(days=7),
        )
        rows.append(
            BulkRow(
                line=i + 1, request=request, intake_key=f"bench:{i}", order=facts, history=history
            )
        )
        category = categories[i % len(categories)]
        labels[i + 1] = {
            "category": category,
            "categories": [],
            "severity": "general" if i % 10 else "complex",
            "escalation_risk": i % 50 == 0,
            "confidence": 0.35 if i % 9 == 0 else 0.86,
            "signals": [],
            "model_version": "bench",
        }
    began = time.perf_counter()
    result = bulk_intake(rows, labels=labels)
    assert not result.failed, result.failed[:3]
    add_timers(now)
    return agent, time.perf_counter() - began


def add_timers(now: dt.datetime) -> None:
    """The import starts no clocks (its histories are past): 4 per dispute as the live
    system leaves them — classification and acknowledgement stopped, first contact and
    investigation running (some already past due, some paused) — in multi-row inserts,
    then Dispute.due_at (set_due)."""
    from django.db import transaction

    from aftersales.common.fastinsert import build, insert_many
    from aftersales.disputes.models import Dispute
    from aftersales.sla.models import PolicyVersion, Timer, TimerKind

    kinds = {k.code: k for k in TimerKind.objects.all()}
    version = PolicyVersion.objects.order_by("-number").first()
    plan = (
        ("classify", 10, "minutes"),
        ("acknowledge", 24, "hours"),
        ("first_contact", 30, "minutes"),
        ("investigation", 24, "hours"),
    )
    rows = Dispute.objects.order_by("id").values_list("id", "received_at")
    batch = []

    def flush():
        with transaction.atomic():
            insert_many(batch)
        batch.clear()

    for dispute_id, received in rows.iterator(chunk_size=5000):
        for k, (code, limit, unit) in enumerate(plan):
            span = dt.timedelta(**{unit: limit})
            due = received + span
            state = Timer.State.STOPPED if k < 2 else Timer.State.RUNNING
            if k == 3:
                due = now + dt.timedelta(minutes=(dispute_id * 53) % (60 * 48) - 600)
                if dispute_id % 17 == 0:
                    state = Timer.State.PAUSED
            batch.append(
                build(
                    Timer,
                    dispute_id=dispute_id,
                    kind=kinds[code],
                    policy_version=version,
                    limit=Decimal(limit),
                    unit=unit,
                    state=state,
                    started_at=received,
                    due_at=due,
                    risk_at=due - span / 5,
                    paused_at=now if state == Timer.State.PAUSED else None,
                    stopped_at=received + span / 2 if state == Timer.State.STOPPED else None,
                    stopped_by="bench" if state == Timer.State.STOPPED else "",
                )
            )
        if len(batch) >= 20_000:
            flush()
    if batch:
        flush()
    set_due()


def set_due() -> None:
    """Dispute.due_at = the earliest due time of its running clocks (as
    sla.timers.refresh_due), by dispute in one executemany: a correlated UPDATE gets a
    plan scanning every running timer per dispute on SQLite."""
    from django.db import connection, transaction
    from django.db.models import Min

    from aftersales.sla.models import Timer

    due = (
        Timer.objects.filter(state__in=Timer.URGENT)
        .order_by()
        .values_list("dispute_id")
        .annotate(earliest=Min("due_at"))
    )
    q = connection.ops.quote_name
    rows = [(earliest, dispute_id) for dispute_id, earliest in due]
    with connection.cursor() as cursor, transaction.atomic():
        cursor.executemany(f"UPDATE {q('disputes_dispute')} SET due_at = %s WHERE id = %s", rows)


def analyze(connection) -> list[str]:
    """ANALYZE every table that holds rows (what an import writes: disputes, events,
    timers, tasks, orders, customers, notifications, …)."""
    from django.apps import apps

    tables = sorted({m._meta.db_table for m in apps.get_models()})
    counted = []
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT 1 FROM {quoted} LIMIT 1")
            if cursor.fetchone():
                cursor.execute(f"ANALYZE {quoted}")
                counted.append(table)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
    return counted


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
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--generic-plans", action="store_true")
    parser.add_argument("--keep", action="store_true", help="reuse the loaded database")
    args = parser.parse_args()
    n = args.count

    if not args.keep:
        prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from aftersales.disputes.models import Dispute, Event, Task
    from aftersales.parties.services import token_create
    from aftersales.sla.models import Timer

    if connection.vendor == "postgresql" and not args.generic_plans:

        def custom_plans(sender, connection, **kwargs):
            with connection.cursor() as cursor:
                cursor.execute("SET plan_cache_mode = force_custom_plan")

        connection_created.connect(custom_plans)

    call_command("migrate", verbosity=0)
    now = timezone.now()
    if args.keep and Dispute.objects.exists():
        from django.contrib.auth import get_user_model

        agent, took = get_user_model().objects.get(username="agent"), 0.0
        if not Dispute.objects.filter(due_at__isnull=False).exists():
            set_due()
    else:
        agent, took = load(n, now)
    began = time.perf_counter()
    analyzed = analyze(connection)
    print(
        f"set-up: {Dispute.objects.count():,} disputes, {Event.objects.count():,} events, "
        f"{Timer.objects.count():,} timers, {Task.objects.count():,} tasks in {took:.0f} s; "
        f"ANALYZE of {len(analyzed)} tables in {time.perf_counter() - began:.1f} s",
        flush=True,
    )
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
