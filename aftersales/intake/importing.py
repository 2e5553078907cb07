"""`aftersales import`: complaints from a CSV, xlsx or jsonl file (or the reviews corpus),
each row validated alone, the good ones written by `bulk_intake` in batches.

A row is imported whole or not at all: validation happens before any write and each
batch is one transaction in which a failing row leaves no trace. Re-importing a file
creates nothing new: a row with an external_ref is keyed on it, any other row on a hash
of its normalised values. The column mapping is documented in docs/import.md.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed
from aftersales.common.fastinsert import statements_planned_each_time
from aftersales.disputes.bulk import BulkRow, OrderFacts, already_imported, row_hash
from aftersales.disputes.import_columns import (
    CHANNEL_CODES,
    COLUMNS,
    ERROR_FIELD,
    EXPECTATION_CODES,
    FIELD_BY_KEY,
    LABELS,
    PLATFORM_CODES,
    REQUIRED,
    amount_text,
    column_key,
    platform_in_name,
    time_text,
    to_code,
)
from aftersales.disputes.import_orders import facts_of, order_of_columns
from aftersales.disputes.import_readers import (
    BadLine,
    ImportFileError,
    RowError,
    format_for,
    open_table,
    store_code_for,
)
from aftersales.disputes.import_reviews import REVIEW_COLUMNS, NotComplaint, prepare_review
from aftersales.disputes.intake import IntakeRequest, parse_datetime_loose, validate_intake
from aftersales.disputes.models import Channel, Dispute
from aftersales.parties.models import Store
from aftersales.triage.classification import BackgroundClassifier

from .bulk import bulk_intake

__all__ = ["COLUMNS", "ImportFileError", "ImportResult", "run_import"]
PLATFORMS = frozenset(Store.Platform.values)
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
    if run.result.created >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        # Fresh statistics now, not when autovacuum next looks (up to a minute or more):
        # until then PostgreSQL plans intake's and the queue's reads of disputes for the
        # table's old size (e.g. sorting every recent complaint about a product instead
        # of reading the newest few hundred from the index). ≈ 0.25 s for 50,000 rows.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Dispute._meta.db_table)}")
    run.result.bad.sort()
    return run.result


class _Run:
    def __init__(self, result: ImportResult, now: dt.datetime, batch_size: int):
        self.result = result
        self.now = now
        self.batch_size = max(1, batch_size)
        self.batch: list[BulkRow] = []
        self.no_order_hint: dict[int, str] = {}  # line -> why no order can be made
        self.first_line_of: dict[str, int] = {}  # intake key -> first line with it
        self.columns: dict[str, str] = {}  # file column -> field
        self.column_of: dict[str, str] = {}  # field -> file column
        self.ignored: dict[str, None] = {}
        self.store_codes: dict[tuple[str, str], str] = {}
        # A large file's rows are classified in a second process, a batch ahead: the
        # batch handed over last waits here with its classification under way.
        self.classify_aside = False
        self.classifier: BackgroundClassifier | None = None  # started when first needed
        self.pending: tuple[list[BulkRow], tuple[list[int], Future] | None] | None = None

    # -- columns ---------------------------------------------------------------------

    def map_columns(self, columns: list[str]) -> None:
        if self.result.format == "reviews":
            missing = [c for c in REVIEW_COLUMNS if c not in columns]
            if missing:
                raise ImportFileError(
                    _("reviews 格式缺少列：%(cols)s") % {"cols": ", ".join(missing)}
                )
            self.ignored.update({c: None for c in columns if c and c not in REVIEW_COLUMNS})
            self.result.ignored_columns = list(self.ignored)
            return
        for column in columns:
            name = FIELD_BY_KEY.get(column_key(column))
            if name is None or name in self.column_of:
                if column:
                    self.ignored[column] = None
            else:
                self.columns[column] = name
                self.column_of[name] = column
        missing = [LABELS[f] for f in REQUIRED if f not in self.column_of]
        if missing:
            hint = ""
            if set(REVIEW_COLUMNS) <= set(columns):
                hint = _("（这像是评价语料，请加 --format reviews）")
            raise ImportFileError(
                _("缺少必填列：%(cols)s%(hint)s") % {"cols": "、".join(missing), "hint": hint}
            )
        self.result.ignored_columns = list(self.ignored)

    def values(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The row's values by field; for jsonl the keys are mapped as they come."""
        out: dict[str, Any] = {}
        for key, value in raw.items():
            name = self.columns.get(key)
            if name is None:
                if self.result.format != "jsonl":
                    continue  # an ignored column of the header
                if key == "order":  # the order as the API takes it (docs/orders.md)
                    out["order"] = value
                    continue
                if key == "customer":
                    for sub in ("name", "phone", "email"):
                        if isinstance(value, Mapping) and value.get(sub) not in (None, ""):
                            out.setdefault("customer_" + sub, value[sub])
                    continue
                name = FIELD_BY_KEY.get(column_key(key))
                if name is None:
                    if key not in self.ignored:
                        self.ignored[key] = None
                        self.result.ignored_columns = list(self.ignored)
                    continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            out.setdefault(name, value.strip() if isinstance(value, str) else value)
        return out

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

    def describe(self, errors: Mapping[str, str]) -> str:
        def column(key: str) -> str:
            name = ERROR_FIELD.get(key, key)
            return self.column_of.get(name) or LABELS.get(name, name)

        order = {name: i for i, name in enumerate(COLUMNS)}
        keys = sorted(errors, key=lambda k: order.get(ERROR_FIELD.get(k, k), len(order)))
        return "；".join(f"{column(k)}：{errors[k]}" for k in keys)

    def prepare(self, line: int, raw: Mapping[str, Any]) -> BulkRow:
        v = self.values(raw)
        errors: dict[str, str] = {}
        data = {
            "channel": to_code(v.get("channel"), CHANNEL_CODES) or Channel.IMPORT,
            "order_no": v.get("order_no"),
            "customer": {
                "name": v.get("customer_name"),
                "phone": v.get("customer_phone"),
                "email": v.get("customer_email"),
            },
            "description": v.get("description"),
            "product_name": v.get("product_name"),
            "amount_paid": amount_text(v.get("amount_paid")),
            "claimed_amount": amount_text(v.get("claimed_amount")),
            "occurred_at": time_text(v.get("occurred_at")),
            "received_at": time_text(v.get("received_at")),
            "expectation": to_code(v.get("expectation"), EXPECTATION_CODES),
            "expectation_text": v.get("expectation_text"),
            "external_ref": v.get("external_ref"),
        }
        if "order" in v:
            data["order"] = v["order"]
        platform = ""
        if "platform" in v:
            platform = to_code(v["platform"], PLATFORM_CODES)
            if platform not in PLATFORMS:
                errors["platform"] = _("未知的平台“%(v)s”，可选：%(choices)s") % {
                    "v": v["platform"],
                    "choices": "、".join(str(label) for label in Store.Platform.labels),
                }
        if "paid_at" in v:  # judged even when the order is known (and the value unused)
            try:
                parse_datetime_loose(time_text(v["paid_at"]))
            except (ValueError, TypeError):
                errors["paid_at"] = _("时间格式不正确，例如 2026-11-23 14:30")
        try:
            request = validate_intake(data, now=self.now)
        except ValidationFailed as exc:
            errors.update(exc.fields)
        if errors:
            raise ValidationFailed(_("提交的内容有误"), fields=errors)
        if request.received_at is None:
            request = dataclasses.replace(request, received_at=self.now)
        facts = self.order_facts(line, v, request, platform)
        if request.external_ref:
            key = "ext:" + request.external_ref
        else:
            key = "row:" + row_hash(_normalised(request, received_given=bool(data["received_at"])))
        return BulkRow(line=line, request=request, intake_key=key, order=facts)

    def order_facts(
        self,
        line: int,
        v: Mapping[str, Any],
        request: IntakeRequest,
        platform: str,
    ) -> OrderFacts | None:
        if request.order is not None:
            return facts_of(request.order, whole=True)
        store = str(v.get("store") or "").strip()
        code = str(v.get("store_code") or "").strip()
        if not store and not code:
            self.no_order_hint[line] = _("（文件没有店铺信息，无法新建订单）")
            return None
        platform = platform or platform_in_name(store)
        priced = request.amount_paid is not None or bool(v.get("unit_price"))
        missing = [
            LABELS[f] for f, ok in (("platform", platform), ("amount_paid", priced)) if not ok
        ]
        if missing:
            self.no_order_hint[line] = _("（新建订单还需要：%(cols)s）") % {
                "cols": "、".join(missing)
            }
            return None
        order, errors = order_of_columns(v, request, store=store or code, platform=platform)
        if order is None:
            raise ValidationFailed(_("提交的内容有误"), fields=errors)
        return facts_of(order, store_code=code or store_code_for(platform, store))

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


def _normalised(request: IntakeRequest, *, received_given: bool) -> list[object]:
    """What makes two rows the same complaint: the validated values, times in UTC."""

    def t(value: dt.datetime | None) -> str:
        return value.astimezone(dt.UTC).isoformat() if value else ""

    return [
        request.channel,
        request.order_no,
        request.customer.name,
        request.customer.phone,
        request.customer.email,
        request.description,
        request.product_name,
        request.amount_paid,
        request.claimed_amount,
        t(request.occurred_at),
        request.expectation,
        request.expectation_text,
        t(request.received_at) if received_given else "",
    ]
