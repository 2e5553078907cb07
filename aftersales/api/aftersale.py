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
    call: Callable[[AfterSaleOrder], object],
    *,
    version: int | None = None,
) -> dict:
    """Run one service on the order; a `version` the client sent is checked under the
    order's lock first (409 when someone moved it in between), in the same transaction."""
    order = _order(request, number, order_number)
    with transaction.atomic():
        if version is not None:
            lock_order(order, version=version)
        call(order)
    return _fresh(request, order)


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
    dispute = _dispute(request, number)
    order = aftersale_orders.aftersale_order_create(
        dispute=dispute,
        type=payload.type,
        actor=request.auth,
        reason=payload.reason or "",
        amount=payload.amount,
        customer_pays=payload.customer_pays,
        variant=payload.variant,
        compensation_form=payload.compensation_form,
        replacement=payload.replacement,
        note=payload.note,
    )
    return Reply(201, _fresh(request, order))


@router.get(ONE, response={200: AfterSaleOut, **ERRORS}, summary="售后单 / One after-sale order")
def get_order(request: HttpRequest, number: str, order_number: str):
    return order_out(_order(request, number, order_number), request.auth)


@router.post(ONE + "/cancel", response={200: AfterSaleOut, **BODY_ERRORS}, summary="取消")
def cancel(request: HttpRequest, number: str, order_number: str, payload: ReasonIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: aftersale_orders.aftersale_cancel(
            order=o, actor=request.auth, reason=payload.reason or "", version=payload.version
        ),
    )


def _step(request, number: str, order_number: str, action: Action, payload: VersionIn) -> dict:
    return _move(
        request,
        number,
        order_number,
        lambda o: aftersale_orders.aftersale_step(
            order=o,
            action=action.value,
            actor=request.auth,
            version=payload.version,
            note=payload.note,
        ),
    )


@router.post(
    ONE + "/finance-approval",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="财务审核通过 / Finance approves (待财审 → 待打款)",
)
def finance_approval(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _step(request, number, order_number, Action.FINANCE_APPROVE, payload)


@router.post(
    ONE + "/repair-start",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="开始维修 / Start the repair",
)
def repair_start(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _step(request, number, order_number, Action.START_REPAIR, payload)


@router.post(
    ONE + "/payout",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="登记打款 / Record the payout (Idempotency-Key header or body field)",
)
def payout(request: HttpRequest, number: str, order_number: str, payload: PayoutIn):
    key = request.headers.get("Idempotency-Key") or payload.idempotency_key or ""
    return _move(
        request,
        number,
        order_number,
        lambda o: payouts.payout_record(
            order=o,
            reference=payload.reference or "",
            idempotency_key=key,
            actor=request.auth,
            amount=payload.amount,
            channel=payload.channel,
            version=payload.version,
        ),
    )


@router.post(
    ONE + "/bounce",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="退款被退回 / The payout bounced (back to finance with the reason)",
)
def bounce(request: HttpRequest, number: str, order_number: str, payload: ReasonIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: payouts.payout_bounce(
            order=o, reason=payload.reason or "", actor=request.auth, version=payload.version
        ),
    )


@router.post(
    ONE + "/customer-payment",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="登记买家补款 / The customer paid the difference (买家应补)",
)
def customer_payment(
    request: HttpRequest, number: str, order_number: str, payload: CustomerPaymentIn
):
    key = request.headers.get("Idempotency-Key") or payload.idempotency_key or ""
    return _move(
        request,
        number,
        order_number,
        lambda o: payouts.customer_payment_record(
            order=o,
            amount=payload.amount,
            reference=payload.reference or "",
            idempotency_key=key,
            actor=request.auth,
        ),
        version=payload.version,
    )


@router.post(
    ONE + "/arrival",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="确认退款到账 / The refund arrived (on the customer's word)",
)
def arrival(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: payouts.arrival_confirm(order=o, actor=request.auth),
        version=payload.version,
    )


@router.post(
    ONE + "/return-address",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="发送退货地址 / Send the return address",
)
def return_address(request: HttpRequest, number: str, order_number: str, payload: AddressIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: goods.return_address_send(
            order=o, actor=request.auth, address=payload.address, version=payload.version
        ),
    )


@router.post(
    ONE + "/return-shipment",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="登记退货物流 / The customer's return carrier and tracking number",
)
def return_shipment(request: HttpRequest, number: str, order_number: str, payload: TrackingIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: goods.return_ship(
            order=o,
            carrier=payload.carrier or "",
            tracking_no=payload.tracking_no or "",
            actor=request.auth,
            version=payload.version,
        ),
    )


@router.post(
    ONE + "/receipt",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="确认收到退货 / The return arrived",
)
def receipt(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: goods.return_receive(order=o, actor=request.auth, version=payload.version),
    )


@router.post(
    ONE + "/inspection",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="验货（退货入库）/ Inspect the returned goods",
)
def inspection(request: HttpRequest, number: str, order_number: str, payload: InspectionIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: goods.return_inspect(
            order=o,
            passed=payload.passed,
            report=payload.report or "",
            good_quantity=payload.good_quantity,
            defective_quantity=payload.defective_quantity,
            actor=request.auth,
            photos=payload.photos,
            serial_or_batch=payload.serial_or_batch,
            version=payload.version,
        ),
    )


@router.post(
    ONE + "/shipment",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="发货 / Ship to the customer (carrier and tracking number)",
)
def shipment(request: HttpRequest, number: str, order_number: str, payload: TrackingIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: goods.shipment_send(
            order=o,
            carrier=payload.carrier or "",
            tracking_no=payload.tracking_no or "",
            actor=request.auth,
            version=payload.version,
        ),
    )


@router.post(
    ONE + "/delivery",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="确认签收 / The customer received what we shipped",
)
def delivery(request: HttpRequest, number: str, order_number: str, payload: VersionIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: goods.delivery_confirm(order=o, actor=request.auth, version=payload.version),
    )


@router.post(
    ONE + "/out-of-stock",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="缺货 / Out of stock (the dispute goes back to mediation)",
)
def out_of_stock(request: HttpRequest, number: str, order_number: str, payload: ReasonIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: goods.out_of_stock(
            order=o, reason=payload.reason or "", actor=request.auth, version=payload.version
        ),
    )


@router.post(
    ONE + "/repair",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="登记维修结果（维修单）/ Record the repair",
)
def repair(request: HttpRequest, number: str, order_number: str, payload: RepairIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: repairs.repair_record(
            order=o,
            fault=payload.fault or "",
            technician=payload.technician or "",
            fixed=payload.fixed,
            started_on=payload.started_on,
            finished_on=payload.finished_on,
            actor=request.auth,
            fault_code=payload.fault_code,
            user_fault=payload.user_fault,
            parts=payload.parts,
            version=payload.version,
        ),
    )


@router.post(
    ONE + "/coupon",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="发放优惠券 / Issue the coupon",
)
def coupon(request: HttpRequest, number: str, order_number: str, payload: CouponIn):
    return _move(
        request,
        number,
        order_number,
        lambda o: goods.coupon_issue(
            order=o, reference=payload.reference or "", actor=request.auth, version=payload.version
        ),
    )


@router.post(
    ONE + "/insurance-payout",
    response={200: AfterSaleOut, **BODY_ERRORS},
    summary="登记运费险理赔 / The insurer paid the return postage",
)
def insurance_payout(
    request: HttpRequest, number: str, order_number: str, payload: InsurancePayoutIn
):
    return _move(
        request,
        number,
        order_number,
        lambda o: insurance.insurance_payout_record(
            order=o, amount=payload.amount, reference=payload.reference or "", actor=request.auth
        ),
        version=payload.version,
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
