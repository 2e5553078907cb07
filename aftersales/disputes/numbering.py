"""Dispute numbers: SH + YYYYMMDD (Asia/Shanghai intake date) + 6-digit per-day sequence.

One INSERT … ON CONFLICT … RETURNING statement reserves a block of numbers; both
PostgreSQL and SQLite (≥ 3.35) run it atomically, so concurrent intakes never share one.
"""

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from django.db import connection

from .models import DaySequence, Dispute

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_PER_DAY = 999_999


def intake_day(at: dt.datetime) -> dt.date:
    return at.astimezone(SHANGHAI).date()


def format_number(day: dt.date, seq: int) -> str:
    return f"SH{day:%Y%m%d}{seq:06d}"


def reserve_numbers(day: dt.date, count: int = 1) -> list[str]:
    """Reserve `count` consecutive numbers for `day`. Inside a transaction the day's row
    stays locked until commit (bulk import: no gaps); single intakes call it outside
    theirs so concurrent intakes do not wait on one another."""
    if count < 1:
        return []
    table = connection.ops.quote_name(DaySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + %s RETURNING last",
            [day, count, count],
        )
        last = cursor.fetchone()[0]
    if last > MAX_PER_DAY:
        raise OverflowError(f"more than {MAX_PER_DAY} disputes on {day}")
    return [format_number(day, seq) for seq in range(last - count + 1, last + 1)]


def provisional_number() -> str:
    """A unique stand-in for a dispute's number until `assign_number`, in the same
    transaction, gives the real one: "~" and 15 random hex digits (never a real number,
    which starts with SH)."""
    return "~" + secrets.token_hex(8)[:15]


def assign_number(dispute_id: int, day: dt.date) -> str:
    """Reserve the day's next number and give it to the dispute (inserted under a
    provisional number in this transaction). On PostgreSQL one statement does both, so
    the counter row, locked from here until commit, costs one round trip."""
    q = connection.ops.quote_name
    sequence, disputes = q(DaySequence._meta.db_table), q(Dispute._meta.db_table)
    if connection.vendor != "postgresql":
        (number,) = reserve_numbers(day, 1)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {disputes} SET number = %s WHERE id = %s", [number, dispute_id])
        return number
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH n AS (INSERT INTO {sequence} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {sequence}.last + 1 RETURNING last) "
            f"UPDATE {disputes} SET number = %s || lpad(n.last::text, 6, '0') FROM n "
            f"WHERE {disputes}.id = %s RETURNING n.last",
            [day, f"SH{day:%Y%m%d}", dispute_id],
        )
        last = cursor.fetchone()[0]
    if last > MAX_PER_DAY:
        raise OverflowError(f"more than {MAX_PER_DAY} disputes on {day}")
    return format_number(day, last)
