"""Counts of long lists that never scan a million rows: the count of at most `cap` + 1
rows (a LIMIT subquery), so a page says "1000+ 条" instead of reading every match; and on
PostgreSQL the planner's estimate of a whole table, for an unfiltered list."""

from typing import NamedTuple

from django.db import connections, router
from django.db.models import Model, QuerySet


class Count(NamedTuple):
    value: int  # the count, or `cap` when there are more
    exact: bool  # False: there are more than `value`

    def __str__(self) -> str:
        return str(self.value) if self.exact else f"{self.value}+"


def capped_count(queryset: QuerySet, cap: int = 1000) -> Count:
    """How many rows `queryset` has, counting no further than `cap` + 1:
    SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1). Ordering and select_related are dropped
    (they change nothing counted)."""
    if cap < 0:
        raise ValueError("cap must not be negative")
    n = queryset.order_by().select_related(None)[: cap + 1].count()
    return Count(min(n, cap), n <= cap)


def estimated_count(model: type[Model], *, using: str | None = None) -> int | None:
    """PostgreSQL: the planner's row estimate of the model's table (pg_class.reltuples,
    as fresh as the last ANALYZE or autovacuum); None elsewhere or when never analysed.
    Only for a list with no filter at all."""
    alias = using or router.db_for_read(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


def list_count(queryset: QuerySet, *, cap: int = 1000, unfiltered: bool = False) -> Count:
    """The count a list shows: on PostgreSQL an unfiltered list of more than `cap` rows
    gets the planner's estimate (marked inexact), any other the capped count."""
    counted = capped_count(queryset, cap)
    if counted.exact or not unfiltered:
        return counted
    estimate = estimated_count(queryset.model, using=queryset.db)
    return Count(max(estimate, cap), False) if estimate is not None else counted
