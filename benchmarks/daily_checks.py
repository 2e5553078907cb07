"""Daily checks at scale: open disputes held by many agents, each with a timeline, plus
executions, parcels and commitments, in PostgreSQL; then the time of the whole morning's
`daily_checks()` (every agent) and of one agent's lists (what the API answers an agent).

    .venv/bin/python benchmarks/daily_checks.py [--disputes 200000] [--agents 200]

The database `aftersales_daily_bench` is dropped and recreated, migrated, and loaded
with COPY. Per dispute: three timeline events, the last one 0–96 hours ago (so about
three quarters are untouched for a day); every fifth has a refund execution (a third
of them late), every tenth a parcel (a third quiet for 3+ days), every fifth an open
commitment (due from two days ago to five days ahead). Prints EXPLAIN ANALYZE of the
untouched-disputes query, the only one that reads the timeline.
"""

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "aftersales_daily_bench"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CHUNK = 50_000


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def copy_lines(cursor, table: str, columns: list[str], lines) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= CHUNK:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))


def load(n: int, agents: int, now: dt.datetime) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from aftersales.parties.models import Customer, StaffProfile, Team

    team = Team.objects.get(is_default=True)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"agent{i:04d}", password="!") for i in range(agents)]
    )
    StaffProfile.objects.bulk_create([StaffProfile(user=u, team=team) for u in users])
    agent_ids = [u.pk for u in users]
    customer = Customer.objects.create(name="基准", phone="18800000000", email="")
    ts = dt.datetime.isoformat

    def disputes():
        for i in range(1, n + 1):
            received = ts(now - dt.timedelta(hours=100))
            yield (
                f"{i}\tSH{20260000 + i // 1_000_000}{i % 1_000_000:06d}\tphone\tinvestigating\tt\t"
                f"{customer.pk}\t商品\t基准\t基准\tother\t\tquality\t[]\tgeneral\t1\tf\t"
                f"{team.pk}\t{agent_ids[i % agents]}\t1\t{received}\t{received}\n"
            )

    def events():
        for i in range(1, n + 1):
            last = now - dt.timedelta(minutes=(i * 37) % (96 * 60))
            for k, at in enumerate((now - dt.timedelta(hours=100), last - dt.timedelta(hours=1))):
                yield f"{i}\t{'intake' if k == 0 else 'assigned'}\t\t\t\t\\N\tx\t\t{{}}\t{ts(at)}\n"
            yield f"{i}\tnote\t\t\t\t\\N\tx\t\t{{}}\t{ts(last)}\n"

    def executions():
        for i in range(5, n + 1, 5):
            expected = now + dt.timedelta(hours=(i % 3 - 1) * 30)
            state = "pending" if i % 2 else "in_progress"
            yield (
                f"{i // 5}\t{i}\trefund\t{state}\t199.00\tbank_quickpay\t{ts(expected)}\t\t\t"
                f"{ts(now)}\t{ts(now)}\n"
            )

    def parcels():
        for i in range(10, n + 1, 10):
            moved = now - dt.timedelta(hours=24 * (i % 3) * 2 + 1)
            yield (
                f"{i // 5}\tfrom_customer\t顺丰\tSF{i}\t{ts(moved)}\t{ts(moved)}\t\t{ts(moved)}\n"
            )

    def commitments():
        for i in range(5, n + 1, 5):
            due = now + dt.timedelta(hours=(i % 7 - 2) * 24)
            yield f"{i}\t回电\t{ts(due)}\topen\t{ts(now - dt.timedelta(days=3))}\n"

    with connection.cursor() as cursor:
        raw = cursor.cursor
        began = time.perf_counter()
        copy_lines(
            raw,
            "disputes_dispute",
            [
                "id",
                "number",
                "channel",
                "status",
                "is_open",
                "customer_id",
                "product_name",
                "description",
                "search_text",
                "expectation",
                "expectation_text",
                "category",
                "secondary_categories",
                "severity",
                "severity_rank",
                "escalation_risk",
                "team_id",
                "assignee_id",
                "version",
                "received_at",
                "updated_at",
            ],
            disputes(),
        )
        raw.execute("SELECT setval(pg_get_serial_sequence('disputes_dispute', 'id'), %s)", [n])
        copy_lines(
            raw,
            "disputes_event",
            [
                "dispute_id",
                "kind",
                "action",
                "from_status",
                "to_status",
                "actor_id",
                "actor_label",
                "reason",
                "payload",
                "at",
            ],
            events(),
        )
        copy_lines(
            raw,
            "fulfilment_execution",
            [
                "id",
                "dispute_id",
                "kind",
                "state",
                "amount",
                "payment_channel",
                "expected_by",
                "expected_rule",
                "note",
                "created_at",
                "updated_at",
            ],
            executions(),
        )
        copy_lines(
            raw,
            "fulfilment_parcel",
            [
                "execution_id",
                "direction",
                "carrier",
                "tracking_no",
                "shipped_at",
                "last_movement_at",
                "last_movement",
                "created_at",
            ],
            parcels(),
        )
        copy_lines(
            raw,
            "mediation_commitment",
            ["dispute_id", "text", "due_at", "state", "made_at"],
            commitments(),
        )
        for table in (
            "disputes_dispute",
            "disputes_event",
            "fulfilment_execution",
            "fulfilment_parcel",
            "mediation_commitment",
        ):
            raw.execute(f"ANALYZE {table}")
        print(
            f"loaded {n:,} disputes, {3 * n:,} events, {n // 5:,} executions, "
            f"{n // 10:,} parcels, {n // 5:,} commitments in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
    return agent_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=200_000)
    parser.add_argument("--agents", type=int, default=200)
    args = parser.parse_args()

    recreate_database()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from aftersales.followup import daily_checks as module

    call_command("migrate", verbosity=0)
    now = dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai
    agent_ids = load(args.disputes, args.agents, now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(",")[0]
    print(f"{pg}; Python {platform.python_version()}; {os.cpu_count()} CPUs")

    for _ in range(3):
        began = time.perf_counter()
        checks = module.daily_checks(now=now)
        seconds = time.perf_counter() - began
    items = sum(c.total for c in checks)
    print(f"all {len(checks)} agents: {items:,} items listed in {seconds:.2f} s")
    one = get_user_model().objects.filter(pk=agent_ids[0])
    runs = []
    for _ in range(5):
        began = time.perf_counter()
        (mine,) = module.daily_checks(now=now, agents=one, include_empty=True)
        runs.append(time.perf_counter() - began)
    print(f"one agent ({mine.total} items): {min(runs) * 1000:.0f} ms (best of 5)")

    w = module.check_window(now)
    for label, agents in (("all agents", None), ("one agent", one)):
        qs = module._untouched_queryset(w, agents)
        print(f"\nEXPLAIN ANALYZE untouched disputes, {label}:")
        print(qs.explain(analyze=True))


if __name__ == "__main__":
    main()
