"""Department work lists over after-sale orders (售后单): 财务付款 (payouts: approval,
payout, the customer's payment, payouts made and bounced) and 退货收货 (returns on the way,
to receive, to inspect, shipments to send), each with its action forms inline. Who may
open them and which rows they see are the API's (`fulfilment.selectors.check_worklist`,
Op.SEE_PAYOUT_LIST / SEE_PARCEL_LIST, rows in the reader's scope); 运费险 (the
insurer's payouts of insured returns) beside 财务付款; `?format=xlsx`
downloads the whole list with the export module's Chinese headers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.common.errors import Forbidden
from aftersales.fulfilment import export
from aftersales.fulfilment import selectors as reads
from aftersales.fulfilment import workbench_selectors as wb
from aftersales.fulfilment.flows import Action, State
from aftersales.fulfilment.models import Parcel
from aftersales.fulfilment.selectors import Worklist, platform_label
from aftersales.parties.models import Order

from .aftersale_sections import label_of, order_actions, yuan

PAGE_SIZE = 50
EXPORT_MAX = 10_000

PAYOUT_STATUSES = (
    ("due", pgettext_lazy("payouts filter", "待财审和待打款")),
    (State.AWAITING_FINANCE.value, State.AWAITING_FINANCE.label),
    (State.AWAITING_PAYOUT.value, State.AWAITING_PAYOUT.label),
    ("overdue", pgettext_lazy("payouts filter", "已逾期")),
    (State.AWAITING_CUSTOMER_PAYMENT.value, State.AWAITING_CUSTOMER_PAYMENT.label),
    ("done", pgettext_lazy("payouts filter", "已打款（含被退回）")),
)
RETURN_STATUSES = (
    ("", pgettext_lazy("returns filter", "全部")),
    (State.AWAITING_RETURN.value, State.AWAITING_RETURN.label),
    (State.RETURN_SHIPPED.value, State.RETURN_SHIPPED.label),
    (State.RECEIVED.value, State.RECEIVED.label),
    (State.AWAITING_SHIPMENT.value, State.AWAITING_SHIPMENT.label),
)
# The moves each page offers inline (the dispute page has them all).
PAYOUT_MOVES = frozenset(
    {Action.FINANCE_APPROVE, Action.RECORD_PAYOUT, Action.COLLECT_PAYMENT, Action.BOUNCE}
)
RETURN_MOVES = frozenset({Action.RETURN_SHIP, Action.RECEIVE, Action.INSPECT, Action.SHIP})
INSURANCE_MOVES = frozenset({wb.INSURANCE_PAYOUT})
INSURANCE_STATUSES = (
    ("expected", pgettext_lazy("insurance filter", "待理赔")),
    ("missing", pgettext_lazy("insurance filter", "逾期未赔")),
    ("paid", pgettext_lazy("insurance filter", "已理赔")),
)
_RETURN_KEYS = {c.key for c in export.COLUMNS["returns"]}
RETURN_COLUMNS = (
    *export.COLUMNS["returns"],
    *[c for c in export.COLUMNS["shipments"] if c.key not in _RETURN_KEYS],
)


def _base(order) -> dict[str, Any]:
    return {
        "order": order,
        "dispute": order.dispute.number,
        "number": order.number,
        "type_label": order.get_type_display(),
        "state_label": order.get_state_display(),
        "platform_status_label": platform_label(order.platform_status),
        "department_label": order.get_department_display() if order.department else "",
        "amount": order.amount,
        "paid_amount": order.paid_amount,
        "amount_shown": yuan(order.amount),
        "paid_shown": yuan(order.paid_amount),
        "customer_pays_shown": yuan(order.customer_pays),
        "payment_channel_label": label_of(Order.PaymentChannel, order.payment_channel),
        "expected_from": order.expected_from,
        "expected_by": order.expected_by,
        "deadline_at": order.deadline_at,
        "waiting_since": order.updated_at,
    }


def _payout_fields(payout) -> dict[str, Any]:
    if payout is None:
        return {}
    return {
        "reference": payout.reference,
        "paid_at": payout.paid_at,
        "payout_state_label": payout.get_state_display(),
        "bounce_reason": payout.bounce_reason,
        "payout_shown": yuan(payout.amount),
    }


def _due_row(order) -> dict[str, Any]:
    latest = None
    for payout in order.payouts.all():
        if payout.direction == payout.Direction.TO_CUSTOMER:
            latest = payout
    overdue = bool(getattr(order, "overdue", False))
    return (
        _base(order)
        | _payout_fields(latest)
        | {
            "finance_due_at": getattr(order, "finance_due_at", None),
            "overdue": overdue,
            "overdue_label": str(_("是")) if overdue else "",
        }
    )


def _done_row(payout) -> dict[str, Any]:
    row = _base(payout.aftersale_order) | _payout_fields(payout)
    row["paid_amount"] = payout.amount  # this payout's amount (实退金额)
    row["payment_channel_label"] = label_of(Order.PaymentChannel, payout.channel)
    return row


def _parcel_row(order, now: dt.datetime) -> dict[str, Any]:
    parcels = list(order.parcels.all())
    back = [p for p in parcels if p.direction == Parcel.Direction.FROM_CUSTOMER]
    parcel = back[-1] if back else None
    return _base(order) | {
        "parcels": parcels,
        "carrier": parcel.carrier if parcel else "",
        "tracking_no": parcel.tracking_no if parcel else "",
        "shipped_at": parcel.shipped_at if parcel else None,
        "last_movement_at": parcel.last_movement_at if parcel else None,
        "last_movement": parcel.last_movement if parcel else "",
        "quiet_days": reads.quiet_days(parcel, now),
        "replacement": order.replacement,
        "product": order.order_line.product.name if order.order_line_id else "",
        "quantity": order.quantity,
    }


def _xlsx(name: str, status: str, body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type=export.XLSX_CONTENT_TYPE)
    day = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="aftersale-{name}-{status or "all"}-{day}.xlsx"'
    )
    return response


def _check(request, worklist: str) -> None:
    try:
        reads.check_worklist(request.user, worklist)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def _status(request, choices, default: str) -> str:
    value = request.GET.get("status", request.POST.get("list_status", default))
    return value if value in {c[0] for c in choices} else default


def _with_forms(request, rows, bound, moves, page_key: str) -> None:
    for row in rows:
        order = row["order"]
        row["actions"] = order_actions(request, order, bound, photos=(), only=moves)
        row["next_page"] = page_key


def _payouts_page(request, bound, status: int):
    _check(request, Worklist.PAYOUTS)
    chosen = _status(request, PAYOUT_STATUSES, "due")
    if chosen == "done":
        queryset = reads.payouts_done(request.user)
        to_row = _done_row
    else:
        queryset = wb.finance_orders(
            request.user,
            state="" if chosen in ("due", "overdue") else chosen,
            overdue=chosen == "overdue",
        )
        to_row = _due_row
    if request.GET.get("format") == "xlsx":
        rows = [to_row(item) for item in queryset[:EXPORT_MAX]]
        return _xlsx("payouts", chosen, export.worklist_xlsx("payouts", rows))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [to_row(item) for item in page.object_list]
    if chosen == "done":  # the orders of payouts listed: their payouts for the bounce form
        _prefetch_payouts([row["order"] for row in rows])
    _with_forms(request, rows, bound, PAYOUT_MOVES, "payouts")
    request.nav_active = "payouts"
    return render(
        request,
        "workbench/worklists/payouts.html",
        {"rows": rows, "page": page, "status": chosen, "statuses": PAYOUT_STATUSES},
        status=status,
    )


def _prefetch_payouts(orders) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(list({o.pk: o for o in orders}.values()), "payouts")


def _returns_page(request, bound, status: int):
    _check(request, Worklist.RETURNS)
    chosen = _status(request, RETURN_STATUSES, "")
    queryset = wb.parcel_orders(request.user, state=chosen)
    now = timezone.now()
    if request.GET.get("format") == "xlsx":
        rows = [_parcel_row(o, now) for o in queryset[:EXPORT_MAX]]
        body = export.workbook_bytes(str(_("退货收货")), RETURN_COLUMNS, rows)
        return _xlsx("returns", chosen, body)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_parcel_row(o, now) for o in page.object_list]
    _with_forms(request, rows, bound, RETURN_MOVES, "returns")
    request.nav_active = "returns"
    return render(
        request,
        "workbench/worklists/returns.html",
        {"rows": rows, "page": page, "status": chosen, "statuses": RETURN_STATUSES},
        status=status,
    )


def _insurance_row(order, now: dt.datetime) -> dict[str, Any]:
    missing = order.insurance_paid_at is None and order.insurance_expected_by < now
    return _base(order) | {
        "insurance_expected_by": order.insurance_expected_by,
        "insurance_amount": order.insurance_amount,
        "insurance_shown": yuan(order.insurance_amount),
        "insurance_paid_at": order.insurance_paid_at,
        "insurance_reference": order.insurance_reference,
        "missing": missing,
        "missing_label": str(_("是")) if missing else "",
    }


def _insurance_page(request, bound, status: int):
    """运费险: the insurer's payouts of insured returns, expected, missing or paid."""
    _check(request, Worklist.INSURANCE)
    chosen = _status(request, INSURANCE_STATUSES, "expected")
    now = timezone.now()
    queryset = reads.insurance_payouts(request.user, now=now, status=chosen)
    if request.GET.get("format") == "xlsx":
        rows = [_insurance_row(o, now) for o in queryset[:EXPORT_MAX]]
        return _xlsx("insurance", chosen, export.worklist_xlsx("insurance", rows))
    page = Paginator(queryset.prefetch_related("payouts"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [_insurance_row(o, now) for o in page.object_list]
    _with_forms(request, rows, bound, INSURANCE_MOVES, "insurance")
    request.nav_active = "payouts"
    return render(
        request,
        "workbench/worklists/insurance.html",
        {"rows": rows, "page": page, "status": chosen, "statuses": INSURANCE_STATUSES},
        status=status,
    )


PAGES = {"payouts": _payouts_page, "returns": _returns_page, "insurance": _insurance_page}


def render_worklist(request, page: str, *, bound=None, status: int = 200):
    """The page again with a form that failed (`bound`, by form key), as it was sent."""
    return PAGES[page](request, bound or {}, status)


@login_required
def payouts(request):
    return render_worklist(request, "payouts")


@login_required
def returns(request):
    return render_worklist(request, "returns")


@login_required
def insurance(request):
    return render_worklist(request, "insurance")


urlpatterns = [
    path("payouts/", payouts, name="payouts"),
    path("payouts/insurance/", insurance, name="insurance"),
    path("returns/", returns, name="returns"),
]
