"""Search of disputes (投诉队列的搜索): by number, order number, platform numbers, phone or
its last four digits, customer name, or words of the description, in either script.

What is indexed is `Dispute.search_tokens`, a space-separated list of tokens worked out
here in Python wherever a dispute is written (`dispute_tokens`):

- Chinese text (description, customer name) is folded to Simplified and case-folded
  (`common.text.search_form`); every run of Chinese characters gives its character
  bigrams and its last character alone ("电饭煲漏水" → 电饭 饭煲 煲漏 漏水 水), so a
  two-character word is one token and any single character is a token's prefix;
- other runs of letters and digits give the run with its punctuation removed and its
  letter/digit parts ("ABC-123" → abc123 abc 123);
- exact keys: order number, platform order number, the dispute's platform after-sale
  number (external_ref), the customer's phone and its last four digits.

The index: SQLite an FTS5 table over the column (kept by triggers), PostgreSQL a GIN
index over a stored generated column `search_vector` =
`array_to_tsvector(string_to_array(search_tokens, ' '))` — the tokens as lexemes, never
parsed again, so no text-search configuration or locale changes them.
A query is tokenised the same way and its tokens are AND-ed; a dispute number
("SH" + 14 digits) is matched on the number itself (unique index).
"""

import re

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from aftersales.common.phones import InvalidPhone, normalize_phone
from aftersales.common.text import search_form

from .models import Dispute

# CJK unified ideographs (with extension A) and compatibility ideographs.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+(?:[-_./:#][^\W_{_CJK}]+)*")
_IS_CJK = re.compile(rf"[{_CJK}]")
_PARTS = re.compile(r"[^\W\d_]+|\d+")
_NON_ALNUM = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"^sh\d{14}$")
SQLITE_TABLE = "disputes_dispute_fts"
PG_VECTOR = "array_to_tsvector(string_to_array({col}, ' '))"
MAX_QUERY_TOKENS = 24
# Longer runs of letters and digits are not indexed (PostgreSQL refuses lexemes over
# 2 KB; nobody searches for such a run).
TOKEN_MAX = 64
# From this many matching disputes on, a search walks the queue's order (see search_filter).
COMMON = 2000


def _cjk_tokens(run: str, *, query: bool = False) -> list[str]:
    if len(run) == 1:
        return [run]
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return bigrams if query else [*bigrams, run[-1]]


def _word_tokens(run: str) -> list[str]:
    compact = _NON_ALNUM.sub("", run)
    parts = _PARTS.findall(compact)
    return [compact, *(p for p in parts if p != compact)] if compact else []


def text_tokens(text: str) -> list[str]:
    """The tokens of free text as indexed (normalised first)."""
    out: list[str] = []
    for run in _RUNS.findall(search_form(text or "")):
        out.extend(_cjk_tokens(run) if _IS_CJK.match(run) else _word_tokens(run))
    return out


def key_token(value: str | None) -> str:
    """An exact key (order number, phone, …) as indexed and searched: case-folded, with
    every character but letters and digits removed."""
    return _NON_ALNUM.sub("", search_form(value or ""))


def dispute_tokens(
    *,
    description: str = "",
    customer_name: str = "",
    customer_phone: str = "",
    order_no: str = "",
    platform_order_no: str = "",
    external_ref: str | None = None,
) -> str:
    """`Dispute.search_tokens` for these values: unique tokens in first-seen order."""
    tokens = text_tokens(description) + text_tokens(customer_name)
    for key in (order_no, platform_order_no, external_ref):
        if k := key_token(key):
            tokens.append(k)
    phone = re.sub(r"\D", "", customer_phone or "")
    if phone:
        tokens.append(phone)
        if len(phone) > 4:
            tokens.append(phone[-4:])
    return " ".join(dict.fromkeys(t for t in tokens if 0 < len(t) <= TOKEN_MAX))


def tokens_of(dispute: Dispute, *, customer=None, order=None) -> str:
    """`dispute_tokens` of a dispute, its customer and order (given, or as loaded)."""
    customer = customer if customer is not None else dispute.customer
    order = order if order is not None else (dispute.order if dispute.order_id else None)
    return dispute_tokens(
        description=dispute.description,
        customer_name=customer.name if customer else "",
        customer_phone=customer.phone if customer else "",
        order_no=order.order_no if order else "",
        platform_order_no=order.platform_order_no if order else "",
        external_ref=dispute.external_ref,
    )


def query_tokens(q: str) -> list[str]:
    """The tokens a query must all match: each term as indexed (a Chinese run by its
    bigrams, a single character as a prefix), a term with punctuation compacted. A
    whole query that is a phone number ("+86 138 1234 5678") is that phone's digits."""
    try:
        return [normalize_phone(q)]
    except InvalidPhone:
        pass
    out: list[str] = []
    for run in _RUNS.findall(search_form(q or "")):
        if _IS_CJK.match(run):
            out.extend(_cjk_tokens(run, query=True))
        elif compact := _NON_ALNUM.sub("", run):
            out.append(compact[:TOKEN_MAX])
    return list(dict.fromkeys(out))[:MAX_QUERY_TOKENS]


def _prefix(token: str) -> bool:
    return len(token) == 1 and bool(_IS_CJK.match(token))


def _sqlite_match(tokens: list[str]) -> str:
    return " AND ".join(f'"{t}"*' if _prefix(t) else f'"{t}"' for t in tokens)


def _pg_tsquery(tokens: list[str]) -> str:
    return " & ".join(f"'{t}':*" if _prefix(t) else f"'{t}'" for t in tokens)


class _Matches(RawSQL):
    """SQLite's condition for a common word, `+id IN (matches)`, on a query in the
    queue's order; without an order (a count, a subquery of ids) `id IN (matches)`, so
    the matches drive: counting a page's "1000+" then reads 1,001 matches instead of
    scanning the table until it has met that many (2 ms instead of 20 at 20,000
    disputes)."""

    def __init__(self, sql: str, params: list, *, unordered: str):
        super().__init__(sql, params, BooleanField())
        self.unordered = unordered

    def as_sql(self, compiler, connection):
        if not compiler.query.order_by:
            return f"({self.unordered})", self.params
        return super().as_sql(compiler, connection)


def search_filter(q: str) -> Q | RawSQL | None:
    """A filter of Dispute rows matching `q`, to apply to a Dispute queryset; None when
    the query has nothing to search for (blank or only punctuation)."""
    term = search_form((q or "").strip())
    if _NUMBER.match(term):
        return Q(number=term.upper())
    tokens = query_tokens(q)
    if not tokens:
        return None
    table = connection.ops.quote_name(Dispute._meta.db_table)
    if connection.vendor == "postgresql":
        matches = f"SELECT m.id FROM {table} m WHERE m.{PG_COLUMN} @@ %s::tsquery"
        param = _pg_tsquery(tokens)
    elif connection.vendor == "sqlite":
        matches = f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s"
        param = _sqlite_match(tokens)
    else:
        matches = None
    if matches is not None:
        # Two plans, chosen by how many disputes match (one cheap indexed count): a
        # common word — walk the queue's order and keep the matches, the first page is
        # found after a few hundred rows; a rarer one — take the matches from the search
        # index and sort them. The planners guess a token's frequency too roughly to
        # choose alone (a rare token walked 100,000 rows: 0.6 s).
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({matches} LIMIT {COMMON}) c", [param])
            common = cursor.fetchone()[0] >= COMMON
        if connection.vendor == "postgresql":
            fence = "" if common else " OFFSET 0"  # OFFSET 0: not pulled up into the join
            return RawSQL(f"{table}.id IN ({matches}{fence})", [param], BooleanField())
        sql = f"{table}.id IN ({matches})"
        # +id: not used to drive the join, so a page walks the queue's order.
        return _Matches(f"+{sql}" if common else sql, [param], unordered=sql)
    # Any other database: the tokens as words of the column (unindexed).
    padded = Q()
    for t in tokens:
        padded &= Q(search_tokens__contains=t)
    return padded


def search(qs: QuerySet[Dispute], q: str | None) -> QuerySet[Dispute]:
    """`qs` narrowed to the disputes matching `q` (no match when `q` has nothing to
    search for but is not blank)."""
    if not q or not q.strip():
        return qs
    condition = search_filter(q)
    return qs.none() if condition is None else qs.filter(condition)


def search_ids(q: str) -> QuerySet:
    """The ids of the disputes matching `q`, as a subquery (`pk__in=search_ids(q)`)."""
    return search(Dispute.objects.all(), q).values("pk")


# --- the index (migration 0014; `install_index` again after SQLite remakes the table) --

_SQLITE_SQL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(search_tokens, "
    "content='disputes_dispute', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_TABLE}_ai AFTER INSERT ON disputes_dispute BEGIN "
    f"INSERT INTO {SQLITE_TABLE}(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_TABLE}_ad AFTER DELETE ON disputes_dispute BEGIN "
    f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, search_tokens) "
    "VALUES ('delete', old.id, old.search_tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_TABLE}_au AFTER UPDATE OF search_tokens "
    f"ON disputes_dispute BEGIN "
    f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}, rowid, search_tokens) "
    "VALUES ('delete', old.id, old.search_tokens); "
    f"INSERT INTO {SQLITE_TABLE}(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    # What the table holds now (the triggers only see changes from here on).
    f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('rebuild')",
]
PG_INDEX = "dispute_search_vector_idx"
PG_COLUMN = "search_vector"
_PG_SQL = [
    # Stored, not an expression index: a plan that filters rows by the expression would
    # build each row's vector again (the planner counts that as nearly free; at 100,000
    # disputes a scan doing so took 0.7 s). Generated by the database, so inserts (the
    # ORM, insert_many, COPY) never name it; Django's model does not know it.
    f"ALTER TABLE disputes_dispute ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR.format(col='search_tokens')}) STORED",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON disputes_dispute USING gin ({PG_COLUMN})",
]


def install_index(schema_editor) -> None:
    """Create the search index of this database (idempotent). On SQLite a table remade by
    a later migration (ALTER of disputes_dispute) loses its triggers: call this again."""
    vendor = schema_editor.connection.vendor
    for sql in _SQLITE_SQL if vendor == "sqlite" else _PG_SQL if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def drop_index(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for suffix in ("_ai", "_ad", "_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {SQLITE_TABLE}{suffix}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {SQLITE_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
        schema_editor.execute(f"ALTER TABLE disputes_dispute DROP COLUMN IF EXISTS {PG_COLUMN}")
