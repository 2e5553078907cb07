"""The rows of an imported file (`aftersales import`, intake.importing): the file's
columns mapped to intake fields, and each row validated into a `BulkRow` keyed for
re-imports, or explained in the file's own column names. Nothing here writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed
from aftersales.disputes.bulk import BulkRow, OrderFacts, row_hash
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
from aftersales.disputes.import_readers import ImportFileError, store_code_for
from aftersales.disputes.import_reviews import REVIEW_COLUMNS
from aftersales.disputes.intake import IntakeRequest, parse_datetime_loose, validate_intake
from aftersales.disputes.models import Channel
from aftersales.parties.models import Store

if TYPE_CHECKING:
    from .importing import ImportResult

PLATFORMS = frozenset(Store.Platform.values)


class RowReader:
    """Reads the rows of one file against its header; `importing._Run` writes them."""

    def __init__(self, result: ImportResult, now: dt.datetime):
        self.result = result
        self.now = now
        self.no_order_hint: dict[int, str] = {}  # line -> why no order can be made
        self.columns: dict[str, str] = {}  # file column -> field
        self.column_of: dict[str, str] = {}  # field -> file column
        self.ignored: dict[str, None] = {}

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
