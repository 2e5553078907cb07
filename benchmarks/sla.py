"""SLA scan at scale: 1,000,000 open disputes with 3,000,000 timers in PostgreSQL, then
the time of `sla_scan` with nothing new (target < 1 s) and with 10,000 timers crossing
(target < 5 s: 5,000 at risk, 5,000 breached, each with its event and notification).

    .venv/bin/python benchmarks/sla.py [--disputes 1000000] [--crossing 10000]

The database `aftersales_sla_bench` is dropped and recreated, migrated, and loaded with
COPY (text format, written in large chunks). Per dispute: a stopped classify timer, a
running first-contact timer (a tenth of them already told at risk) and a running
investigation timer; the first `--crossing` investigation timers cross within minutes.
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
DB = "aftersales_sla_bench"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
CHUNK = 50_000


def recreate_database() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def ts(moment: dt.datetime) -> str:
    return moment.isoformat()


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


def load(n: int, crossing: int, t0: dt.datetime) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from aftersales.parties.models import Customer, Team
    from aftersales.parties.roles import Role
    from aftersales.parties.services import staff_create
    from aftersales.sla.models import PolicyVersion, TimerKind

    team = Team.objects.get(is_default=True)
    lead = staff_create(username="lead", password="pass-Word-123", role=Role.TEAM_LEAD, team=team)
    team.lead = lead
    team.save(update_fields=["lead"])
    staff_create(username="boss", password="pass-Word-123", role=Role.MANAGEMENT)
    assert get_user_model().objects.count() == 2
    customer = Customer.objects.create(name="基准", phone="18800000000", email="")
    kinds = dict(TimerKind.objects.values_list("code", "id"))
    version = PolicyVersion.objects.get(number=1).pk
    received = t0 - dt.timedelta(hours=1)

    d_columns = [
        "id", "number", "channel", "status", "is_open", "customer_id", "product_name",
        "description", "search_text", "expectation", "expectation_text", "category",
        "secondary_categories", "severity", "severity_rank", "escalation_risk", "team_id",
        "due_at", "version", "received_at", "updated_at",
    ]  # fmt: skip

    def disputes():
        rec, upd = ts(received), ts(received)
        for i in range(1, n + 1):
            severity, rank = ("major", 3) if i % 50 == 0 else ("complex", 2)
            due = ts(t0 + dt.timedelta(minutes=20 if i <= crossing // 2 else 30 + i % 10_000))
            number = f"SH{20260302 + i // 1_000_000}{i % 1_000_000:06d}"
            yield (
                f"{i}\t{number}\tapi\tinvestigating\tt\t{customer.pk}\t商品\t"
                f"基准测试投诉\t基准测试投诉\tother\t\tquality\t[]\t{severity}\t{rank}\tf\t"
                f"{team.pk}\t{due}\t1\t{rec}\t{upd}\n"
            )

    t_columns = [
        "dispute_id", "kind_id", "policy_version_id", "\"limit\"", "unit", "rule", "state",
        "started_at", "due_at", "risk_at", "at_risk_notified", "paused_seconds", "stopped_by",
        "stopped_at",
    ]  # fmt: skip

    def timers():
        start = ts(received)
        classify, contact, investigate = (
            kinds["classify"],
            kinds["first_contact"],
            kinds["investigation"],
        )
        stopped = ts(received + dt.timedelta(minutes=1))
        for i in range(1, n + 1):
            yield (
                f"{i}\t{classify}\t{version}\t10\tminutes\t\tstopped\t{start}\t"
                f"{ts(received + dt.timedelta(minutes=10))}\t"
                f"{ts(received + dt.timedelta(minutes=8))}\tf\t0\tevent:classified\t{stopped}\n"
            )
            # Later due times spread over a month; a tenth already told at risk.
            later = t0 + dt.timedelta(minutes=60 + i % 43_000)
            told = i % 10 == 0
            risk = t0 - dt.timedelta(minutes=5) if told else later - dt.timedelta(minutes=6)
            yield (
                f"{i}\t{contact}\t{version}\t30\tminutes\t\trunning\t{start}\t{ts(later)}\t"
                f"{ts(risk)}\t{'t' if told else 'f'}\t0\t\t\\N\n"
            )
            if i <= crossing // 2:  # at risk and breached at the second scan
                risk, due = t0 + dt.timedelta(minutes=5), t0 + dt.timedelta(minutes=20)
            elif i <= crossing:  # at risk only
                risk, due = t0 + dt.timedelta(minutes=5), t0 + dt.timedelta(hours=5)
            else:
                due = t0 + dt.timedelta(minutes=90 + i % 40_000)
                risk = due - dt.timedelta(minutes=30)
            yield (
                f"{i}\t{investigate}\t{version}\t24\thours\t\trunning\t{start}\t{ts(due)}\t"
                f"{ts(risk)}\tf\t0\t\t\\N\n"
            )

    with connection.cursor() as cursor:
        raw = cursor.cursor
        began = time.perf_counter()
        copy_lines(raw, "disputes_dispute", d_columns, disputes())
        raw.execute("SELECT setval(pg_get_serial_sequence('disputes_dispute', 'id'), %s)", [n])
        print(f"loaded {n:,} disputes in {time.perf_counter() - began:.1f} s", flush=True)
        began = time.perf_counter()
        copy_lines(raw, "sla_timer", t_columns, timers())
        print(f"loaded {3 * n:,} timers in {time.perf_counter() - began:.1f} s", flush=True)
        began = time.perf_counter()
        raw.execute("ANALYZE disputes_dispute")
        raw.execute("ANALYZE sla_timer")
        print(f"ANALYZE in {time.perf_counter() - began:.1f} s", flush=True)


def timed_scan(now: dt.datetime):
    from aftersales.sla.scan import sla_scan

    began = time.perf_counter()
    result = sla_scan(now=now)
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--crossing", type=int, default=10_000)
    args = parser.parse_args()

    recreate_database()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    t0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    load(args.disputes, args.crossing, t0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(",")[0]
    print(f"{pg}; Python {platform.python_version()}; {os.cpu_count()} CPUs")

    quiet = [timed_scan(t0) for _ in range(3)]
    for _seconds, result in quiet:
        assert (result.at_risk, result.breached) == (0, 0), result
    print("scan, nothing new: " + ", ".join(f"{s * 1000:.1f} ms" for s, _ in quiet))

    seconds, result = timed_scan(t0 + dt.timedelta(minutes=30))
    print(
        f"scan, {result.at_risk + result.breached:,} crossing "
        f"({result.at_risk:,} at risk, {result.breached:,} breached, "
        f"{result.notifications:,} notifications): {seconds:.2f} s"
    )
    again, repeat = timed_scan(t0 + dt.timedelta(minutes=30))
    assert (repeat.at_risk, repeat.breached) == (0, 0), repeat
    print(f"scan again at the same instant: nothing new, {again * 1000:.1f} ms")


if __name__ == "__main__":
    main()
