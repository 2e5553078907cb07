"""Loading N disputes for the pages benchmark (`benchmarks/pages.py`): K real, the rest
copied from them by set-based SQL.

What is real: the first K disputes (`--seed`, 2,000 by default) are taken in and worked
by the product's services (`benchmarks/pages_seed.py`): bulk intake with a history and
routing, four SLA clocks each, a recorded call, an internal note and a department task
where routing made none. Every row of theirs is what the product writes.

What is copied: the disputes K … N-1, one `INSERT … SELECT` per table over a recursive
series of copy numbers j = 1 … ⌈N/K⌉-1 (one statement shape for SQLite and PostgreSQL), of
every table the seed wrote per dispute — customers, orders, order lines, disputes,
events, department tasks, SLA timers, outbound messages. Copy j of seed dispute i is
dispute i + j·K:
- keys: id + j·(the table's largest seed id), foreign keys to copied tables likewise;
  the intake key `bench:<i + j·K>`, order number `P<i + j·K>`, platform order number,
  phone `139<i + j·K>`, the dispute number's per-day sequence + j·(largest seed
  sequence) (the day's counter raised to match, so a later intake gets a fresh number);
- times (every date-time column) j·7 seconds earlier than the seed's, so the intake
  times, clocks and due times keep the seed's spread over 20 days;
- search: `search_tokens` as the product would write them for the copy (the seed's
  text tokens, then the copy's order numbers, phone and its last four digits unless
  already a token); SQLite's FTS5 table is filled by the product's triggers on insert,
  PostgreSQL's `search_vector` is a generated column;
- texts naming the dispute (acknowledgement message, its event) name the copy's number,
  the intake event the copy's order number. Not rewritten: ids inside event payloads
  (the acknowledgement's message id, a requested task's id) still name the seed's.
The rare search term (`RARE`) is then added to one dispute in `RARE_EVERY` (its
description and search columns rewritten, as an edit would), so its count grows with N.

On PostgreSQL the copied tables' non-unique indexes are dropped before the copy and
built again after it, foreign-key triggers are off during the copy
(session_replication_role=replica; the keys are consistent by construction), and the
tables are then VACUUMed — what autovacuum does to a table this size in production.
Last, ANALYZE of every table that holds rows.
"""

import datetime as dt
import time

from pages_seed import RARE_EVERY, RARE_TEXT, seed

SHIFT_SECONDS = 7  # copy j is j·7 s earlier than its seed
# Tables copied per dispute, parents first: {table: {column: parent table}} for the
# foreign keys that point at copied rows (other keys — store, product, team, users,
# timer kinds — are shared with the seed).
COPIED = {
    "parties_customer": {},
    "parties_order": {"customer_id": "parties_customer"},
    "parties_orderline": {"order_id": "parties_order"},
    "disputes_dispute": {
        "customer_id": "parties_customer",
        "order_id": "parties_order",
        "duplicate_of_id": "disputes_dispute",
    },
    "disputes_event": {"dispute_id": "disputes_dispute"},
    "disputes_task": {"dispute_id": "disputes_dispute"},
    "sla_timer": {"dispute_id": "disputes_dispute"},
    "notifications_outboundmessage": {
        "dispute_id": "disputes_dispute",
        "customer_id": "parties_customer",
    },
}


class Sql:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def pad(self, expr: str, width: int) -> str:
        if self.pg:
            return f"lpad(({expr})::text, {width}, '0')"
        return f"printf('%0{width}d', {expr})"

    def num(self, expr: str) -> str:
        return f"CAST({expr} AS {'bigint' if self.pg else 'INTEGER'})"

    def find(self, haystack: str, needle: str) -> str:
        return f"{'strpos' if self.pg else 'instr'}({haystack}, {needle})"

    def shift(self, column: str) -> str:
        if self.pg:
            return f"{column} - c.j * interval '{SHIFT_SECONDS} seconds'"
        # Whole seconds earlier, the microseconds kept: the text Django stores.
        return (
            f"strftime('%Y-%m-%d %H:%M:%S', {column}, '-' || (c.j * {SHIFT_SECONDS}) || "
            f"' seconds') || substr({column}, 20)"
        )

    def text(self, column: str) -> tuple[str, str]:
        """A JSON column as text and back."""
        return (f"{column}::text", "::jsonb") if self.pg else (column, "")


def load(n: int, k: int, now: dt.datetime):
    """Seed K disputes through the services, copy them to N; returns (agent, timings)."""
    from django.db import connection

    k = min(k, n)
    began = time.perf_counter()
    agent = seed(k, now)
    seeded = time.perf_counter()
    multiply(connection, n, k)
    mark_rare(n)
    copied = time.perf_counter()
    return agent, {"seed": seeded - began, "copy": copied - seeded}


def _columns(connection, table: str) -> list[tuple[str, str]]:
    """(column, Django internal type or '') of the table's stored, non-generated columns."""
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    types = {f.column: f.get_internal_type() for f in model._meta.concrete_fields}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                [table],
            )
            names = [r[0] for r in cursor.fetchall()]
        else:
            cursor.execute(f"PRAGMA table_xinfo({table})")
            names = [r[1] for r in cursor.fetchall() if r[6] == 0]  # hidden 2/3: generated
    return [(name, types.get(name, "")) for name in names]


def _expressions(sql: Sql, q, table: str, columns, strides: dict, k: int, top_seq: int) -> dict:
    """Column -> the copy's value, from seed row `s` (its dispute `d`, order `o`, seed
    index `i`) and copy number `c.j`."""
    new = f"(i + c.j * {k})"
    special = {
        "parties_customer": {"phone": f"'139' || {sql.pad(new, 8)}"},
        "parties_order": {
            "order_no": f"'P' || {sql.pad(new, 9)}",
            "platform_order_no": f"'TM' || {sql.pad(new, 12)}",
        },
        "disputes_dispute": {
            "number": f"substr(s.number, 1, 10) || "
            f"{sql.pad(sql.num('substr(s.number, 11)') + f' + c.j * {top_seq}', 6)}",
            "intake_key": f"'bench:' || {new}",
            "search_tokens": _tokens(sql, new),
        },
    }.get(table, {})
    number = (
        f"substr(d.number, 1, 10) || "
        f"{sql.pad(sql.num('substr(d.number, 11)') + f' + c.j * {top_seq}', 6)}"
    )
    if table == "notifications_outboundmessage":
        for column in ("subject", "body"):
            special[column] = f"replace(s.{column}, d.number, {number})"
        as_text, back = sql.text("s.params")
        special["params"] = f"replace({as_text}, d.number, {number}){back}"
    if table == "disputes_event":
        as_text, back = sql.text("s.payload")
        order_old, order_new = f"'P' || {sql.pad('i', 9)}", f"'P' || {sql.pad(new, 9)}"
        special["payload"] = (
            f"replace(replace({as_text}, d.number, {number}), {order_old}, {order_new}){back}"
        )
    parents = COPIED[table]
    out = {}
    for column, kind in columns:
        if column in special:
            out[column] = special[column]
        elif column == "id":
            out[column] = f"s.id + c.j * {strides[table]}"
        elif column in parents:
            out[column] = f"s.{q(column)} + c.j * {strides[parents[column]]}"
        elif kind == "DateTimeField":
            out[column] = sql.shift(f"s.{q(column)}")
        else:
            out[column] = f"s.{q(column)}"
    return out


def _tokens(sql: Sql, new: str) -> str:
    """The copy's search tokens: the seed's text tokens (all before its order number's),
    then the copy's keys as `search.dispute_tokens` orders and deduplicates them."""
    order_token = "' p' || " + sql.pad("i", 9)
    text = f"substr(s.search_tokens, 1, {sql.find('s.search_tokens', order_token)} - 1)"
    tail = sql.pad(f"{new} % 10000", 4)
    keys = (
        f"' p' || {sql.pad(new, 9)} || ' tm' || {sql.pad(new, 12)} || ' 139' || {sql.pad(new, 8)}"
    )
    seen = sql.find(f"' ' || {text} || ' '", f"' ' || {tail} || ' '")
    return f"{text} || {keys} || CASE WHEN {seen} > 0 THEN '' ELSE ' ' || {tail} END"


def _source(table: str, sql: Sql) -> tuple[str, str]:
    """FROM clause (seed rows `s`, with their dispute `d` / order `o`) and the seed index."""
    seed_index = {
        "parties_customer": ("", "substr(s.phone, 4)"),
        "parties_order": ("", "substr(s.order_no, 2)"),
        "parties_orderline": (
            " JOIN parties_order o ON o.id = s.order_id",
            "substr(o.order_no, 2)",
        ),
        "disputes_dispute": ("", "substr(s.intake_key, 7)"),
    }
    join, index = seed_index.get(
        table, (" JOIN disputes_dispute d ON d.id = s.dispute_id", "substr(d.intake_key, 7)")
    )
    return f"{table} s{join}", sql.num(index)


def multiply(connection, n: int, k: int) -> None:
    """Copy the K seed disputes (and all their rows) to N; prints each table's time."""
    from django.db import transaction

    copies = -(-n // k)
    if copies < 2:
        return
    sql = Sql(connection.vendor)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        strides = {}
        for table in COPIED:
            cursor.execute(f"SELECT MAX(id) FROM {table}")
            strides[table] = cursor.fetchone()[0] or 0
        cursor.execute("SELECT MAX(last) FROM disputes_daysequence")
        top_seq = cursor.fetchone()[0]
    # Dropping and rebuilding indexes pays for a big copy in its own transaction; inside
    # another (the smoke test's) PostgreSQL refuses CREATE INDEX while its foreign-key
    # checks are pending.
    dropped = _drop_indexes(connection) if sql.pg and not connection.in_atomic_block else []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if sql.pg:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL synchronous_commit = off")
            for table in COPIED:
                began = time.perf_counter()
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                before = cursor.fetchone()[0]
                exprs = _expressions(
                    sql, q, table, _columns(connection, table), strides, k, top_seq
                )
                source, index = _source(table, sql)
                cursor.execute(
                    f"WITH RECURSIVE c(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM c "
                    f"WHERE j < {copies - 1}), seed AS (SELECT s.*, {index} AS i FROM {source}) "
                    f"INSERT INTO {table} ({', '.join(q(c) for c in exprs)}) "
                    f"SELECT {', '.join(exprs.values())} FROM seed s"
                    + (
                        " JOIN disputes_dispute d ON d.id = s.dispute_id"
                        if "dispute_id" in exprs
                        else ""
                    )
                    + f" CROSS JOIN c WHERE s.i + c.j * {k} < {n}"
                )
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                print(f"  copied {cursor.fetchone()[0] - before:,} rows of {table} in "
                      f"{time.perf_counter() - began:.1f} s", flush=True)  # fmt: skip
            cursor.execute(
                f"UPDATE disputes_daysequence SET last = last + {(copies - 1) * top_seq}"
            )
            if sql.pg:
                for table in COPIED:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
    finally:
        _restore_indexes(connection, dropped)


def _drop_indexes(connection) -> list[str]:
    """PostgreSQL: drop the copied tables' indexes that back no constraint (built again,
    faster, after the copy); returns their definitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
            "AND i.indexdef NOT LIKE 'CREATE UNIQUE%%'",
            [list(COPIED)],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def _restore_indexes(connection, definitions: list[str]) -> None:
    if not definitions:
        return
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cursor.execute(definition)
    print(f"  {len(definitions)} indexes built again in {time.perf_counter() - began:.1f} s")


def mark_rare(n: int) -> None:
    """The rare term in one dispute of RARE_EVERY: description and search columns
    rewritten as an edit of the description would (search.tokens_of)."""
    from aftersales.common.text import search_form
    from aftersales.disputes.models import Dispute
    from aftersales.disputes.search import tokens_of

    keys = [f"bench:{i}" for i in range(7, n, RARE_EVERY)]
    for dispute in Dispute.objects.filter(intake_key__in=keys).select_related("customer", "order"):
        dispute.description += RARE_TEXT
        Dispute.objects.filter(pk=dispute.pk).update(
            description=dispute.description,
            search_text=search_form(dispute.description),
            search_tokens=tokens_of(dispute),
        )


def analyze(connection) -> list[str]:
    """ANALYZE every table that holds rows (VACUUM ANALYZE on PostgreSQL: after a bulk
    load the visibility map is empty until autovacuum runs)."""
    from django.apps import apps

    tables = sorted({m._meta.db_table for m in apps.get_models()})
    done = []
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT 1 FROM {quoted} LIMIT 1")
            if cursor.fetchone():
                done.append(table)
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            autocommit = connection.get_autocommit()
            connection.set_autocommit(True)
            try:
                for table in done:
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
            finally:
                connection.set_autocommit(autocommit)
        else:
            for table in done:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA optimize")
    return done


def counts(connection) -> dict[str, int]:
    with connection.cursor() as cursor:
        out = {}
        for table in COPIED:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            out[table] = cursor.fetchone()[0]
    return out


def check_copies(agent, n: int, k: int) -> list[str]:
    """A few copied disputes have the search tokens the product would write, open on
    the dispute page with their timeline, and the search (queue page) finds them by
    order number and phone; returns what failed (empty: sane)."""
    from django.test import Client
    from django.urls import reverse

    from aftersales.disputes.models import Dispute
    from aftersales.disputes.search import tokens_of

    client = Client()
    client.force_login(agent)
    problems = []
    picks = sorted({k, k + 1, (n + k) // 2, n - 1} & set(range(k, n)))
    for i in picks:
        dispute = (
            Dispute.objects.select_related("customer", "order")
            .filter(intake_key=f"bench:{i}")
            .first()
        )
        if dispute is None:
            problems.append(f"bench:{i} missing")
            continue
        if dispute.search_tokens != tokens_of(dispute):
            problems.append(f"search tokens of {dispute.number}: {dispute.search_tokens}")
        page = client.get(reverse("workbench:dispute_detail", args=[dispute.number]))
        text = page.content.decode()
        if page.status_code != 200 or "已致电顾客" not in text or dispute.number not in text:
            problems.append(f"dispute page of {dispute.number}: {page.status_code}")
        queue = reverse("workbench:dispute_list")
        for q in (f"P{i:09d}", f"139{i:08d}"):
            found = client.get(queue, {"q": q})
            if found.status_code != 200 or dispute.number not in found.content.decode():
                problems.append(f"search {q}: {found.status_code}, {dispute.number} not found")
    return problems
