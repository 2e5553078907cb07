"""/api/v1/disputes/{number}/aftersale-orders…: the after-sale orders (售后单) of a dispute
for staff — read them with the moves the reader may make (`allowed_actions`), create one
by hand (with a reason), and one endpoint per move, each calling one fulfilment service:
finance approves and pays, logistics receives and ships, QC inspects and repairs. Bodies
take `version` (optional; a stale one is a 409). A dispute outside the reader's scope is
a 404, as everywhere. docs/api-aftersale.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja import Status as Reply

from aftersales.disputes import selectors as dispute_selectors
from aftersales.fulfilment import aftersale_orders, goods, insurance, parcels, payouts, repairs
from aftersales.fulfilment import selectors as reads
from aftersales.fulfilment.flows import Action
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.fulfilment.steps import lock_order

from .aftersale_schemas import (
    BODY_ERRORS,
    ERRORS,
    AddressIn,
    AfterSaleOut,
    CouponIn,
    CreateIn,
    CustomerPaymentIn,
    InspectionIn,
    InsurancePayoutIn,
    MovementIn,
    ParcelOut,
    PayoutIn,
    ReasonIn,
    RepairIn,
    TrackingIn,
    VersionIn,
    order_out,
    parcel_out,
)

router = Router()
BASE = "/{number}/aftersale-orders"
ONE = BASE + "/{order_number}"
MOVED = {200: AfterSaleOut, **BODY_ERRORS}


def _dispute(request: HttpRequest, number: str):
    return dispute_selectors.dispute_get(number=number, user=request.auth)


def _order(request: HttpRequest, number: str, order_number: str) -> AfterSaleOrder:
    return reads.dispute_aftersale_order(_dispute(request, number), order_number)


def _fresh(request: HttpRequest, order: AfterSaleOrder) -> dict:
    return order_out(reads.dispute_aftersale_order(order.dispute, order.number), request.auth)


def _move(
    request: HttpRequest,
    number: str,
    order_number: str,
    service: Callable[..., object],
    *,
    locked_version: int | None = None,
    **values,
) -> dict:
    """The body of every move: the order of a dispute in the reader's scope (404 outside
    it), `service(order=…, actor=…, **values)` in one transaction, and the order as it
    now stands, with the moves left to the reader. The service checks the permission
    predicate (`steps.may_step`, `may`) and raises domain errors, which
    `api.errors` maps to 403/409/422 like everywhere. `locked_version` is for services
    that take no `version`: the one the client sent is checked under the order's lock
    first (409 when someone moved it in between)."""
    order = _order(request, number, order_number)
    with transaction.atomic():
        if locked_version is not None:
            lock_order(order, version=locked_version)
        service(order=order, actor=request.auth, **values)
    return _fresh(request, order)


def _door(path: str, summary: str):
    """POST …/aftersale-orders/{order_number}/<path>: one move, answered with the order."""
    return router.post(ONE + path, response=MOVED, summary=summary)


def _values(payload, *, text: tuple[str, ...] = ()) -> dict:
    """The body as the service's keywords (the schemas use its names); the `text` fields
    a client left out are blank rather than None."""
    values = payload.model_dump()
    values.update({name: values[name] or "" for name in text})
    return values


def _step(request, number: str, order_number: str, action: Action, payload: VersionIn) -> dict:
    return _move(
        request,
        number,
        order_number,
        aftersale_orders.aftersale_step,
        action=action.value,
        version=payload.version,
        note=payload.note,
    )


def _key(request: HttpRequest, payload: PayoutIn | CustomerPaymentIn) -> str:
    return request.headers.get("Idempotency-Key") or payload.idempotency_key or ""


@router.get(
    BASE,
    response={200: list[AfterSaleOut], **ERRORS},
    summary="售后单列表 / The dispute's after-sale orders",
)
def list_orders(request: HttpRequest, number: str):
    dispute = _dispute(request, number)
    return [order_out(o, request.auth) for o in reads.dispute_aftersale_orders(dispute)]


@router.post(
    BASE,
    response={201: AfterSaleOut, **BODY_ERRORS},
    summary="手工登记售后单 / An after-sale order by hand (reason required)",
)
def create_order(request: HttpRequest, number: str, payload: CreateIn):
    order = aftersale_orders.aftersale_order_create(
        dispute=_dispute(request, number),
        actor=request.auth,
        **_values(payload, text=("reason",)),
    )
    return Reply(201, _fresh(request, order))


@router.get(ONE, response={200: AfterSaleOut, **ERRORS}, summary="售后单 / One after-sale order")
def get_order(request: HttpRequest, number: str, order_number: str):
    return order_out(_order(request, number, order_number), request.auth)


@_door("/cancel", "取消")
def cancel(request: HttpRequest, number: str, order_number: str, payload: ReasonIn):
    return _move(
        request,
        number,
        order_number,
        aftersale_orders.aftersale_cancel,
        **_values(payload, text=("reason",)),
    )


@_door("/finance-approval", "财务审核通过 / Finance approves (待财审 → 待打款)")
def finance_approval(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _step(request, number, order_number, Action.FINANCE_APPROVE, payload)


@_door("/repair-start", "开始维修 / Start the repair")
def repair_start(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _step(request, number, order_number, Action.START_REPAIR, payload)


@_door("/payout", "登记打款 / Record the payout (Idempotency-Key header or body field)")
def payout(request: HttpRequest, number: str, order_number: str, payload: PayoutIn):
    return _move(
        request,
        number,
        order_number,
        payouts.payout_record,
        **_values(payload, text=("reference",)) | {"idempotency_key": _key(request, payload)},
    )


@_door("/bounce", "退款被退回 / The payout bounced (back to finance with the reason)")
def bounce(request: HttpRequest, number: str, order_number: str, payload: ReasonIn):
    return _move(
        request, number, order_number, payouts.payout_bounce, **_values(payload, text=("reason",))
    )


@_door("/customer-payment", "登记买家补款 / The customer paid the difference (买家应补)")
def customer_payment(
    request: HttpRequest, number: str, order_number: str, payload: CustomerPaymentIn
):
    return _move(
        request,
        number,
        order_number,
        payouts.customer_payment_record,
        amount=payload.amount,
        reference=payload.reference or "",
        idempotency_key=_key(request, payload),
        locked_version=payload.version,
    )


@_door("/arrival", "确认退款到账 / The refund arrived (on the customer's word)")
def arrival(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _move(
        request, number, order_number, payouts.arrival_confirm, locked_version=payload.version
    )


@_door("/return-address", "发送退货地址 / Send the return address")
def return_address(request: HttpRequest, number: str, order_number: str, payload: AddressIn):
    return _move(request, number, order_number, goods.return_address_send, **_values(payload))


@_door("/return-shipment", "登记退货物流 / The customer's return carrier and tracking number")
def return_shipment(request: HttpRequest, number: str, order_number: str, payload: TrackingIn):
    return _move(
        request,
        number,
        order_number,
        goods.return_ship,
        **_values(payload, text=("carrier", "tracking_no")),
    )


@_door("/receipt", "确认收到退货 / The return arrived")
def receipt(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _move(request, number, order_number, goods.return_receive, version=payload.version)


@_door("/inspection", "验货（退货入库）/ Inspect the returned goods")
def inspection(request: HttpRequest, number: str, order_number: str, payload: InspectionIn):
    return _move(
        request, number, order_number, goods.return_inspect, **_values(payload, text=("report",))
    )


@_door("/shipment", "发货 / Ship to the customer (carrier and tracking number)")
def shipment(request: HttpRequest, number: str, order_number: str, payload: TrackingIn):
    return _move(
        request,
        number,
        order_number,
        goods.shipment_send,
        **_values(payload, text=("carrier", "tracking_no")),
    )


@_door("/delivery", "确认签收 / The customer received what we shipped")
def delivery(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _move(
        request,
        number,
        order_number,
        goods.delivery_confirm,
        version=payload.version,
        note=payload.note,
    )


@_door("/out-of-stock", "缺货 / Out of stock (the dispute goes back to mediation)")
def out_of_stock(request: HttpRequest, number: str, order_number: str, payload: ReasonIn):
    return _move(
        request, number, order_number, goods.out_of_stock, **_values(payload, text=("reason",))
    )


@_door("/repair", "登记维修结果（维修单）/ Record the repair")
def repair(request: HttpRequest, number: str, order_number: str, payload: RepairIn):
    return _move(
        request,
        number,
        order_number,
        repairs.repair_record,
        **_values(payload, text=("fault", "technician")),
    )


@_door("/coupon", "发放优惠券 / Issue the coupon")
def coupon(request: HttpRequest, number: str, order_number: str, payload: CouponIn):
    return _move(
        request, number, order_number, goods.coupon_issue, **_values(payload, text=("reference",))
    )


@_door("/insurance-payout", "登记运费险理赔 / The insurer paid the return postage")
def insurance_payout(
    request: HttpRequest, number: str, order_number: str, payload: InsurancePayoutIn
):
    return _move(
        request,
        number,
        order_number,
        insurance.insurance_payout_record,
        amount=payload.amount,
        reference=payload.reference or "",
        locked_version=payload.version,
    )


def _aware(at: dt.datetime) -> dt.datetime:
    """A time sent without a zone is Asia/Shanghai's."""
    return at if timezone.is_aware(at) else timezone.make_aware(at)


@router.post(
    "/{number}/parcels/{parcel_id}/movements",
    response={200: ParcelOut, **BODY_ERRORS},
    summary="登记物流轨迹 / A tracking movement of a parcel",
)
def parcel_movement(request: HttpRequest, number: str, parcel_id: int, payload: MovementIn):
    parcel = reads.dispute_parcel(_dispute(request, number), parcel_id)
    moved = parcels.parcel_track(
        parcel=parcel,
        at=_aware(payload.at) if payload.at else timezone.now(),
        actor=request.auth,
        description=payload.description,
        delivered=payload.delivered,
    )
    return parcel_out(moved)
