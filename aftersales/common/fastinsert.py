"""Multi-row INSERT for the import path, without `bulk_create`'s per-field compiler work.

`bulk_create` spends most of an import's time preparing each value of each object
through the SQL compiler. Here each column's converter is chosen once per call. SQLite
gets `INSERT … VALUES (…), (…) RETURNING id` in batches as large as its parameter limit
allows; PostgreSQL gets keys drawn from the table's sequence and then COPY (or, where
taken keys must be skipped, one array per column through `unnest`); a few rows (an API
intake's events, its dispute) go to PostgreSQL as one `INSERT … VALUES … RETURNING`
too, one round trip instead of a sequence read and a COPY. Primary keys are set on the
objects, as `bulk_create` does. Only for plain inserts of new rows: no signals, no
multi-table inheritance.
"""

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.db.models.base import ModelState

# Up to this many rows, PostgreSQL gets one INSERT … VALUES … RETURNING (a round trip
# less than nextval + COPY); above it COPY wins.
PG_VALUES_MAX_ROWS = 50

_IDENTITY_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
)


def insert_many(
    objs: Sequence[models.Model], *, batch_rows: int = 2000, skip_taken: str | None = None
) -> None:
    """Insert unsaved `objs` (all of one model) and set their primary keys. With
    `skip_taken` (the name of a unique field), a row whose value is already taken is
    skipped and its object keeps pk None: read those back."""
    if not objs:
        return
    meta = type(objs[0])._meta
    fields, auto_time, converters, attnames, head, tail = _plan(type(objs[0]), skip_taken)
    postgres = connection.vendor == "postgresql"
    if postgres and not skip_taken and len(objs) <= PG_VALUES_MAX_ROWS:
        postgres = False  # the VALUES statement below, as on SQLite
    elif postgres and not skip_taken:
        _copy_in(meta, fields, [_row(obj, auto_time, converters, attnames) for obj in objs], objs)
        return
    if skip_taken:
        key = meta.get_field(skip_taken)
    if postgres:
        # One array per column: a handful of parameters however many rows.
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        per_batch = batch_rows
    else:
        row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_batch = max(1, min(batch_rows, _max_params() // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            chunk = objs[start : start + per_batch]
            rows = [_row(obj, auto_time, converters, attnames) for obj in chunk]
            if postgres:
                sql = f"{head}SELECT * FROM unnest({arrays}){tail}"
                params = [list(column) for column in zip(*rows, strict=True)]
            else:
                sql = f"{head}VALUES {', '.join([row_sql] * len(chunk))}{tail}"
                params = [value for row in rows for value in row]
            cursor.execute(sql, params)
            if skip_taken:
                by_key = {getattr(obj, key.attname): obj for obj in chunk}
                saved = [(pk, by_key[value]) for pk, value in cursor.fetchall()]
            else:
                saved = [(pk, obj) for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True)]
            for pk, obj in saved:
                _saved(obj, pk)


_plans: dict[tuple, tuple] = {}


def _plan(model, skip_taken: str | None) -> tuple:
    """Per model (and database vendor): the fields, their converters and the statement's
    head and tail, worked out once per process."""
    plan_key = (model, connection.vendor, skip_taken)
    plan = _plans.get(plan_key)
    if plan is None:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        auto_time = [
            f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        tail = f" RETURNING {quote(meta.pk.column)}"
        if skip_taken:
            key = meta.get_field(skip_taken)
            tail = f" ON CONFLICT DO NOTHING{tail}, {quote(key.column)}"
        plan = (
            fields,
            auto_time,
            [_converter(f) for f in fields],
            [f.attname for f in fields],
            f"INSERT INTO {quote(meta.db_table)} ({columns}) ",
            tail,
        )
        _plans[plan_key] = plan
    return plan


def _row(obj, auto_time, converters, attnames) -> list:
    for field in auto_time:
        field.pre_save(obj, add=True)
    values = obj.__dict__
    return [
        conv(values[name]) if conv is not None else values[name]
        for conv, name in zip(converters, attnames, strict=True)
    ]


def _saved(obj, pk) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def _copy_in(meta, fields, rows: list[list], objs) -> None:
    """PostgreSQL: keys drawn from the table's sequence up front, then COPY, which
    psycopg streams without building SQL at all."""
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        keys = sorted(k for (k,) in cursor.fetchall())  # in order: events sort by (at, id)
        with cursor.cursor.copy(f"COPY {table} ({pk}, {columns}) FROM STDIN") as copy:
            for key, row in zip(keys, rows, strict=True):
                copy.write_row([key, *row])
    for obj, key in zip(objs, keys, strict=True):
        _saved(obj, key)


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        # A batch's rows mostly share a few instants (an import's events carry their
        # dispute's intake time): each distinct one is adapted once.
        adapted: dict = {}

        def datetime_value(v):
            if v is None:
                return None
            try:
                return adapted[v]
            except KeyError:
                if len(adapted) > 4096:
                    adapted.clear()
                value = adapted[v] = ops.adapt_datetimefield_value(v)
                return value
            except TypeError:  # not hashable: an expression
                return ops.adapt_datetimefield_value(v)

        return datetime_value
    if isinstance(field, models.JSONField):
        # What JSONField.get_db_prep_save does for a plain value, without the checks
        # for expressions (insert_many stores plain values only).
        encoder = field.encoder
        return lambda v: None if v is None else ops.adapt_json_value(v, encoder)
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
    if connection.vendor == "postgresql":
        return 65_535  # the protocol's limit on parameters per statement
    connection.ensure_connection()
    return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


def from_row(model: type[models.Model], **values: Any) -> models.Model:
    """A model instance from values a raw statement read (by attname); the fields not
    given are deferred. `Model.from_db` wants them in the model's field order."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[n] for n in names])


_build_specs: dict[type, tuple] = {}


def _build_spec(model) -> tuple:
    spec = _build_specs.get(model)
    if spec is None:
        static: dict[str, Any] = {}
        dynamic: list[tuple[str, str, models.Field]] = []
        related: dict[str, str] = {}
        for f in model._meta.concrete_fields:
            if f.is_relation:
                related[f.name] = f.attname
            if f.has_default() and callable(f.default):
                dynamic.append((f.name, f.attname, f))
            else:
                static[f.attname] = f.get_default()
        spec = _build_specs[model] = (static, dynamic, related)
    return spec


def build(model: type[models.Model], **values: Any) -> models.Model:
    """An unsaved instance for `insert_many`, as `model(**values)` makes it (defaults for
    the fields not given; a related object given by field name is cached and its key
    set), without `Model.__init__`'s per-field descriptor and signal work: an import
    makes hundreds of thousands. No pre_init/post_init signal is sent, so only for
    models without receivers for those (none in this project)."""
    static, dynamic, related = _build_spec(model)
    obj = model.__new__(model)
    state = ModelState()
    fields: dict[str, Any] = {"_state": state, **static}
    for name, attname, field in dynamic:
        if name not in values and attname not in values:
            fields[attname] = field.get_default()
    for name, value in values.items():
        attname = related.get(name)
        if attname is None or attname == name:
            fields[name] = value
        else:
            fields[attname] = None if value is None else value.pk
            state.fields_cache[name] = value
    obj.__dict__.update(fields)
    return obj


@contextmanager
def statements_planned_each_time() -> Iterator[None]:
    """PostgreSQL: no prepared statements inside (bulk statements: IN lists of a batch's
    keys, VALUES of many rows). Prepared after a few batches, such a statement gets a
    generic plan, made before the table grew and blind to the keys, and a 50,000-row
    import took three times as long; planning it per batch costs nothing beside the
    batch's work. Elsewhere a no-op."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        raw.prepare_threshold = before
