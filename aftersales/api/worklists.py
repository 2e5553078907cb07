"""/api/v1/aftersale-orders/…: the finance and logistics work lists over after-sale orders
(售后单) — payouts due, overdue and done, returns awaiting receipt, parcels to ship, 运费险
payouts expected or missing. Each is paginated, limited to the disputes in the reader's
scope, and read in a fixed number of queries. `?format=xlsx` returns the whole list (not
one page, at most EXPORT_MAX rows) as an XLSX attachment with Chinese headers.
docs/api-aftersale.md."""

from __future__ import annotations

import datetime as dt
import math

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from aftersales.common.errors import ValidationFailed
from aftersales.common.money import format_yuan
from aftersales.fulfilment import export
from aftersales.fulfilment import selectors as reads
from aftersales.fulfilment.models import AfterSaleOrder, Payout
from aftersales.fulfilment.selectors import Worklist, platform_label
from aftersales.parties.models import Order

from .aftersale_schemas import ERRORS

router = Router()
PAGE_MAX = 10_000
EXPORT_MAX = 10_000
PAYOUT_STATUSES = ("due", "overdue", "done")
INSURANCE_STATUSES = ("expected", "missing", "paid")


class WorkRowOut(Schema):
    dispute: str
    number: str
    type: str
    type_label: str
    state: str
    state_label: str
    platform_status: str
    platform_status_label: str
    amount: str | None = None
    paid_amount: str | None = None
    payment_channel: str = ""
    payment_channel_label: str = ""
    reference: str = ""
    paid_at: dt.datetime | None = None
    payout_state: str = ""
    payout_state_label: str = ""
    bounce_reason: str = ""
    expected_from: dt.datetime | None = None
    expected_by: dt.datetime | None = None
    expected_rule: str = ""
    finance_due_at: dt.datetime | None = None
    overdue: bool = False
    carrier: str = ""
    tracking_no: str = ""
    shipped_at: dt.datetime | None = None
    last_movement_at: dt.datetime | None = None
    last_movement: str = ""
    quiet_days: int | None = None
    replacement: str = ""
    product: str = ""
    quantity: int | None = None
    waiting_since: dt.datetime | None = None
    deadline_at: dt.datetime | None = None
    insurance_expected_by: dt.datetime | None = None
    insurance_amount: str | None = None
    insurance_paid_at: dt.datetime | None = None
    insurance_reference: str = ""
    missing: bool = False


class WorkPageOut(Schema):
    list: str
    status: str
    items: list[WorkRowOut]
    count: int
    page: int
    page_size: int
    pages: int


class ListFilters(Schema):
    page: int = 1
    page_size: int = 50
    format: str = Field("json", description="json（默认）或 xlsx（整张清单导出为 Excel）")


class PayoutFilters(ListFilters):
    status: str = Field("due", description="due 待处理 | overdue 已逾期 | done 已打款")
    date_from: dt.date | None = Field(None, alias="from", description="打款日期起（含）")
    date_to: dt.date | None = Field(None, alias="to", description="打款日期止（含）")


class InsuranceFilters(ListFilters):
    status: str = Field("expected", description="expected 待理赔 | missing 逾期未赔 | paid")


def _check(filters: ListFilters, fields: dict[str, str] | None = None) -> None:
    fields = dict(fields or {})
    if filters.page < 1:
        fields["page"] = _("页码从 1 开始")
    elif filters.page > PAGE_MAX:
        fields["page"] = _("页码不能超过 %(max)d") % {"max": PAGE_MAX}
    if not 1 <= filters.page_size <= 200:
        fields["page_size"] = _("每页条数应在 1 到 200 之间")
    if filters.format not in ("json", "xlsx"):
        fields["format"] = _("未知的取值“%(value)s”，可选：%(choices)s") % {
            "value": filters.format,
            "choices": "json, xlsx",
        }
    if fields:
        raise ValidationFailed(_("查询条件有误"), fields=fields)


def _choice(fields: dict, name: str, value: str, choices) -> None:
    if value not in choices:
        fields[name] = _("未知的取值“%(value)s”，可选：%(choices)s") % {
            "value": value,
            "choices": ", ".join(choices),
        }


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value


def _yuan(value) -> str | None:
    return None if value is None else format_yuan(value)


def _base(order: AfterSaleOrder) -> dict:
    return {
        "dispute": order.dispute.number,
        "number": order.number,
        "type": order.type,
        "type_label": order.get_type_display(),
        "state": order.state,
        "state_label": order.get_state_display(),
        "platform_status": order.platform_status,
        "platform_status_label": platform_label(order.platform_status),
        "amount": _yuan(order.amount),
        "paid_amount": format_yuan(order.paid_amount),
        "payment_channel": order.payment_channel,
        "payment_channel_label": _label(Order.PaymentChannel, order.payment_channel),
        "expected_from": order.expected_from,
        "expected_by": order.expected_by,
        "expected_rule": order.expected_rule,
        "deadline_at": order.deadline_at,
    }


def _due_rows(orders: list[AfterSaleOrder]) -> list[dict]:
    latest = reads.latest_references(orders)
    rows = []
    for order in orders:
        payout = latest.get(order.pk)
        rows.append(
            _base(order)
            | {
                "reference": payout.reference if payout else "",
                "paid_at": payout.paid_at if payout else None,
                "payout_state": payout.state if payout else "",
                "payout_state_label": payout.get_state_display() if payout else "",
                "bounce_reason": payout.bounce_reason if payout else "",
                "finance_due_at": order.finance_due_at,
                "overdue": bool(order.overdue),
            }
        )
    return rows


def _done_rows(payouts: list[Payout]) -> list[dict]:
    return [
        _base(p.aftersale_order)
        | {
            "paid_amount": format_yuan(p.amount),  # this payout's amount (实退金额)
            "payment_channel": p.channel,
            "payment_channel_label": _label(Order.PaymentChannel, p.channel),
            "reference": p.reference,
            "paid_at": p.paid_at,
            "payout_state": p.state,
            "payout_state_label": p.get_state_display(),
            "bounce_reason": p.bounce_reason,
        }
        for p in payouts
    ]


def _return_rows(orders: list[AfterSaleOrder], now: dt.datetime) -> list[dict]:
    rows = []
    for order in orders:
        parcel = order.return_parcels[0] if order.return_parcels else None
        rows.append(
            _base(order)
            | {
                "carrier": parcel.carrier if parcel else "",
                "tracking_no": parcel.tracking_no if parcel else "",
                "shipped_at": parcel.shipped_at if parcel else None,
                "last_movement_at": parcel.last_movement_at if parcel else None,
                "last_movement": parcel.last_movement if parcel else "",
                "quiet_days": reads.quiet_days(parcel, now),
            }
        )
    return rows


def _shipment_rows(orders: list[AfterSaleOrder]) -> list[dict]:
    return [
        _base(o)
        | {
            "replacement": o.replacement,
            "product": o.order_line.product.name if o.order_line_id else "",
            "quantity": o.quantity,
            "waiting_since": o.updated_at,
        }
        for o in orders
    ]


def _insurance_rows(orders: list[AfterSaleOrder], now: dt.datetime) -> list[dict]:
    return [
        _base(o)
        | {
            "insurance_expected_by": o.insurance_expected_by,
            "insurance_amount": _yuan(o.insurance_amount),
            "insurance_paid_at": o.insurance_paid_at,
            "insurance_reference": o.insurance_reference,
            "missing": o.insurance_paid_at is None and o.insurance_expected_by < now,
        }
        for o in orders
    ]


def _answer(worklist: str, status: str, filters: ListFilters, queryset, to_rows):
    """One page as JSON, or the whole list as XLSX."""
    if filters.format == "xlsx":
        rows = to_rows(list(queryset[:EXPORT_MAX]))
        for row in rows:
            row["overdue_label"] = _("是") if row.get("overdue") else ""
            row["missing_label"] = _("是") if row.get("missing") else ""
        response = HttpResponse(
            export.worklist_xlsx(worklist, rows), content_type=export.XLSX_CONTENT_TYPE
        )
        day = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="aftersale-{worklist}-{status}-{day}.xlsx"'
        )
        return response
    count = queryset.count()
    start = (filters.page - 1) * filters.page_size
    return {
        "list": worklist,
        "status": status,
        "items": to_rows(list(queryset[start : start + filters.page_size])),
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "pages": max(1, math.ceil(count / filters.page_size)),
    }


RESPONSES = {200: WorkPageOut, **ERRORS}


@router.get(
    "/payouts",
    response=RESPONSES,
    summary="打款清单 / Payouts due, overdue or done (finance)",
    description=(
        "`status=due`: orders waiting for finance (待财审, 待打款). `overdue`: of those, "
        "past their expected date (`expected_by`) or past their `finance_payout` SLA "
        "clock. `done`: payouts recorded (bounced ones too, marked), newest first, "
        "`from`/`to` days (Asia/Shanghai, inclusive). `format=xlsx`: the whole list."
    ),
)
def payouts(request: HttpRequest, filters: Query[PayoutFilters]):
    reads.check_worklist(request.auth, Worklist.PAYOUTS)
    fields: dict[str, str] = {}
    _choice(fields, "status", filters.status, PAYOUT_STATUSES)
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        fields["to"] = _("结束日期不能早于开始日期")
    _check(filters, fields)
    if filters.status == "done":
        qs = reads.payouts_done(request.auth, date_from=filters.date_from, date_to=filters.date_to)
        return _answer(Worklist.PAYOUTS, filters.status, filters, qs, _done_rows)
    qs = reads.payouts_due(request.auth, overdue=filters.status == "overdue")
    return _answer(Worklist.PAYOUTS, filters.status, filters, qs, _due_rows)


@router.get(
    "/returns",
    response=RESPONSES,
    summary="待收退货 / Returns awaiting receipt (logistics)",
    description="Orders in 买家已退货, oldest first, with the return parcel and its quiet days.",
)
def returns(request: HttpRequest, filters: Query[ListFilters]):
    reads.check_worklist(request.auth, Worklist.RETURNS)
    _check(filters)
    now = timezone.now()
    qs = reads.returns_awaiting_receipt(request.auth)
    return _answer(
        Worklist.RETURNS, "awaiting_receipt", filters, qs, lambda rows: _return_rows(rows, now)
    )


@router.get(
    "/shipments",
    response=RESPONSES,
    summary="待发货 / Parcels to ship (logistics)",
    description="Orders in 待发货: re-shipments, exchange items, gifts, repaired goods.",
)
def shipments(request: HttpRequest, filters: Query[ListFilters]):
    reads.check_worklist(request.auth, Worklist.SHIPMENTS)
    _check(filters)
    qs = reads.shipments_to_send(request.auth)
    return _answer(Worklist.SHIPMENTS, "awaiting_shipment", filters, qs, _shipment_rows)


@router.get(
    "/insurance",
    response=RESPONSES,
    summary="运费险理赔 / Return-shipping insurance payouts (expected, missing, paid)",
)
def insurance(request: HttpRequest, filters: Query[InsuranceFilters]):
    reads.check_worklist(request.auth, Worklist.INSURANCE)
    fields: dict[str, str] = {}
    _choice(fields, "status", filters.status, INSURANCE_STATUSES)
    _check(filters, fields)
    now = timezone.now()
    qs = reads.insurance_payouts(request.auth, now=now, status=filters.status)
    return _answer(
        Worklist.INSURANCE, filters.status, filters, qs, lambda rows: _insurance_rows(rows, now)
    )
