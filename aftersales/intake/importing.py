"""`aftersales import`: complaints from a CSV, xlsx or jsonl file (or the reviews corpus),
each row validated alone, the good ones written by `bulk_intake` in batches.

A row is imported whole or not at all: validation happens before any write and each
batch is one transaction in which a failing row leaves no trace. Re-importing a file
creates nothing new: a row with an external_ref is keyed on it, any other row on a hash
of its normalised values. The column mapping is documented in docs/import.md.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed
from aftersales.common.fastinsert import statements_planned_each_time
from aftersales.disputes.bulk import BulkRow, already_imported
from aftersales.disputes.import_columns import COLUMNS
from aftersales.disputes.import_readers import (
    BadLine,
    ImportFileError,
    RowError,
    format_for,
    open_table,
    store_code_for,
)
from aftersales.disputes.import_reviews import NotComplaint, prepare_review
from aftersales.parties.models import Store
from aftersales.triage.classification import BackgroundClassifier

from .bulk import bulk_intake
from .import_rows import RowReader

__all__ = ["COLUMNS", "ImportFileError", "ImportResult", "run_import"]
# Files from this size on (≈ 2,000 rows of CSV) are classified in a second process.
CLASSIFY_ASIDE_BYTES = 256 * 1024
# An import creating this many disputes refreshes PostgreSQL's statistics of the table.
ANALYZE_AFTER_ROWS = 5_000


@dataclass
class ImportResult:
    path: str
    format: str
    encoding: str = ""
    read: int = 0  # data rows read (blank lines not counted)
    created: int = 0
    skipped: int = 0  # already imported, or a repeat of an earlier row of the file
    not_complaints: int = 0  # reviews format: positive reviews
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), by line
    repeats: list[tuple[int, str]] = field(default_factory=list)  # repeats within the file
    ignored_columns: list[str] = field(default_factory=list)


def run_import(
    path: str | Path,
    fmt: str | None = None,
    *,
    batch_size: int = 1000,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import `path`; raises ImportFileError when the file as a whole cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(_("找不到文件：%(path)s") % {"path": path})
    fmt = format_for(path, fmt)
    run = _Run(ImportResult(path=str(path), format=fmt), now or timezone.now(), batch_size)
    run.classify_aside = path.stat().st_size >= CLASSIFY_ASIDE_BYTES and (
        limit is None or limit > batch_size
    )
    try:
        with statements_planned_each_time(), open_table(path, fmt) as table:
            run.result.encoding = table.encoding
            if table.columns is not None:
                run.map_columns(table.columns)
            for line, raw in table.rows:
                if limit is not None and run.result.read >= limit:
                    break
                run.result.read += 1
                run.take(line, raw)
                if progress and run.result.read % 10_000 == 0:
                    progress(run.result.read)
            run.flush()
    finally:
        if run.classifier is not None:
            run.classifier.close()
    if run.result.created >= ANALYZE_AFTER_ROWS:
        refresh_statistics()
    run.result.bad.sort()
    return run.result


# Every table an import writes (the intake seam: disputes with their orders, customers,
# timelines, clocks, department tasks and acknowledgements).
WRITTEN = (
    "parties.Customer",
    "parties.Order",
    "parties.OrderLine",
    "disputes.Dispute",
    "disputes.Event",
    "disputes.Task",
    "sla.Timer",
    "notifications.OutboundMessage",
)


def refresh_statistics() -> list[str]:
    """Fresh planner statistics of every table an import wrote, now rather than when
    autovacuum next looks: until then PostgreSQL plans reads for the tables' old sizes (a
    timeline read of a 4-million-row events table without statistics ran a parallel plan,
    9.6 ms instead of 0.07 ms; intake sorted every recent complaint about a product instead
    of reading the newest few from the index). ≈ 1 s for 50,000 disputes. SQLite: `PRAGMA
    optimize` (analyses the tables whose statistics it judges stale). Returns the tables."""
    tables = [apps.get_model(label)._meta.db_table for label in WRITTEN]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
    return tables


class _Run(RowReader):
    """One import: rows read (`RowReader`), repeats within the file set aside, and the
    good rows written in batches."""

    def __init__(self, result: ImportResult, now: dt.datetime, batch_size: int):
        super().__init__(result, now)
        self.batch_size = max(1, batch_size)
        self.batch: list[BulkRow] = []
        self.first_line_of: dict[str, int] = {}  # intake key -> first line with it
        self.store_codes: dict[tuple[str, str], str] = {}
        # A large file's rows are classified in a second process, a batch ahead: the
        # batch handed over last waits here with its classification under way.
        self.classify_aside = False
        self.classifier: BackgroundClassifier | None = None  # started when first needed
        self.pending: tuple[list[BulkRow], tuple[list[int], Future] | None] | None = None

    # -- rows ------------------------------------------------------------------------

    def take(self, line: int, raw: Any) -> None:
        if isinstance(raw, BadLine):
            self.result.bad.append((line, raw.reason))
            return
        try:
            if self.result.format == "reviews":
                prepared = prepare_review(line, raw, self.now)
            else:
                prepared = self.prepare(line, raw)
        except RowError as exc:
            self.result.bad.append((line, str(exc)))
            return
        except ValidationFailed as exc:
            self.result.bad.append((line, self.describe(exc.fields)))
            return
        if isinstance(prepared, NotComplaint):
            self.result.not_complaints += 1
            return
        first = self.first_line_of.setdefault(prepared.intake_key, line)
        if first != line:
            self.result.skipped += 1
            self.result.repeats.append(
                (line, _("与第 %(line)d 行重复，未重复导入") % {"line": first})
            )
            self.no_order_hint.pop(line, None)
            return
        self.batch.append(prepared)
        if len(self.batch) >= self.batch_size:
            self.hand_over()

    # -- writing ---------------------------------------------------------------------

    def hand_over(self) -> None:
        """A full batch: written now; or, for a large file, its new rows' texts handed to
        the classifier process while the batch handed over before is written."""
        batch, self.batch = self.batch, []
        if not self.classify_aside:
            self.write(batch, None)
            return
        pending, self.pending = self.pending, None
        if batch:
            taken = already_imported(batch)  # a re-run classifies nothing
            wanted = [r for r in batch if not r.category and r.intake_key not in taken]
            labelling = None
            if wanted:
                if self.classifier is None:
                    self.classifier = BackgroundClassifier.start()
                if self.classifier is not None:
                    texts = [r.request.description for r in wanted]
                    labelling = ([r.line for r in wanted], self.classifier.submit(texts))
            self.pending = (batch, labelling)
        if pending is not None:
            self.write(*pending)

    def flush(self) -> None:
        """At the end of the file: everything taken is written."""
        self.hand_over()
        pending, self.pending = self.pending, None
        if pending is not None:
            self.write(*pending)

    def write(self, batch: list[BulkRow], labelling: tuple[list[int], Future] | None) -> None:
        batch = self.resolve_stores(batch)
        if not batch:
            return
        labels = None
        if labelling is not None:
            lines, future = labelling
            try:
                labels = dict(zip(lines, future.result(), strict=True))
            except Exception:  # the classifier process failed: classified here instead
                labels = None
        written = bulk_intake(batch, batch_size=len(batch), labels=labels)
        self.result.created += len(written.created)
        self.result.skipped += len(written.skipped)
        by_line = {row.line: row for row in batch}
        for line, reason in written.failed:
            row = by_line[line]
            if row.order is None and row.request.order_no in reason:
                reason += self.no_order_hint.get(line, "")
            self.result.bad.append((line, reason))
        for row in batch:
            self.no_order_hint.pop(row.line, None)

    def resolve_stores(self, batch: list[BulkRow]) -> list[BulkRow]:
        """A store given only by name is the existing store of that name and platform, if
        any; otherwise a new one with a code derived from both."""
        named = {
            (r.order.store_name, r.order.platform)
            for r in batch
            if r.order
            and r.order.store_code == store_code_for(r.order.platform, r.order.store_name)
        }
        unknown = named - self.store_codes.keys()
        if unknown:
            names = {n for n, _p in unknown}
            for s in Store.objects.filter(name__in=names).order_by("id"):
                self.store_codes.setdefault((s.name, s.platform), s.code)
            for name, platform in unknown:
                self.store_codes.setdefault((name, platform), store_code_for(platform, name))
        out = []
        for r in batch:
            key = (r.order.store_name, r.order.platform) if r.order else None
            if key in named and self.store_codes[key] != r.order.store_code:
                r = dataclasses.replace(
                    r, order=dataclasses.replace(r.order, store_code=self.store_codes[key])
                )
            out.append(r)
        return out
