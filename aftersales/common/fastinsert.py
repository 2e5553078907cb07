"""Multi-row INSERT for the import path, without `bulk_create`'s per-field compiler work.

`bulk_create` spends most of an import's time preparing each value of each object
through the SQL compiler. Here each column's converter is chosen once per call and the
rows go out as `INSERT … VALUES (…), (…) RETURNING id`, in batches as large as the
database's parameter limit allows. Primary keys are set on the objects, as
`bulk_create` does on both our databases. Only for plain inserts of new rows: no
signals, no conflict handling, no multi-table inheritance.
"""

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

_IDENTITY_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
)


def insert_many(
    objs: Sequence[models.Model], *, batch_rows: int = 1000, ignore_conflicts: bool = False
) -> None:
    """Insert unsaved `objs` (all of one model) and set their primary keys; with
    `ignore_conflicts`, rows that would break a unique constraint are skipped and no keys
    are set (read the rows back)."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    auto_time = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    converters = [_converter(f) for f in fields]
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else f" RETURNING {quote(meta.pk.column)}"
    per_batch = max(1, min(batch_rows, _max_params() // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            chunk = objs[start : start + per_batch]
            params: list[Any] = []
            for obj in chunk:
                for field in auto_time:
                    field.pre_save(obj, add=True)
                values = obj.__dict__
                params.extend(
                    conv(values[name]) if conv is not None else values[name]
                    for conv, name in zip(converters, attnames, strict=True)
                )
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, params)
            if ignore_conflicts:
                continue
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda v: None if v is None else ops.adapt_decimalfield_value(v, digits, places)
    if isinstance(field, (models.CharField, models.TextField)):
        # TextChoices members are str subclasses: store the plain value.
        return lambda v: v if v is None or type(v) is str else str(v)
    if isinstance(field, _IDENTITY_FIELDS):
        return None
    return lambda v: field.get_db_prep_save(v, connection)


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 60_000
