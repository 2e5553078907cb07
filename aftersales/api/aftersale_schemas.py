"""Shapes of the after-sale order (售后单) endpoints: staff (api.aftersale), the work lists
(api.worklists) and the customer's door (api.customer). Amounts are strings in yuan with
two decimals ("12.30"); codes come with their labels in the reader's language. Incoming
values are loose where the service explains a bad one better than a type error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from aftersales.common.money import format_yuan
from aftersales.fulfilment import flows
from aftersales.fulfilment.flows import Action
from aftersales.fulfilment.models import AfterSaleOrder, Parcel, Payout
from aftersales.fulfilment.selectors import allowed_actions, platform_label
from aftersales.parties.models import Order
from aftersales.parties.roles import Department

from .schemas import ErrorOut

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
BODY_ERRORS = {400: ErrorOut, **ERRORS}

# The endpoint (under …/aftersale-orders/{order_number}/) of each move.
ACTION_PATH: dict[Action, str] = {
    Action.FINANCE_APPROVE: "finance-approval",
    Action.RECORD_PAYOUT: "payout",
    Action.BOUNCE: "bounce",
    Action.COLLECT_PAYMENT: "customer-payment",
    Action.SEND_RETURN_ADDRESS: "return-address",
    Action.RETURN_SHIP: "return-shipment",
    Action.RECEIVE: "receipt",
    Action.INSPECT: "inspection",
    Action.START_REPAIR: "repair-start",
    Action.RECORD_REPAIR: "repair",
    Action.SHIP: "shipment",
    Action.CONFIRM_DELIVERY: "delivery",
    Action.ISSUE: "coupon",
    Action.OUT_OF_STOCK: "out-of-stock",
    Action.CANCEL: "cancel",
}


def _yuan(value) -> str | None:
    return None if value is None else format_yuan(value)


def _label(choices, value: str) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# -- out ----------------------------------------------------------------------------------


class ActionOut(Schema):
    action: str
    label: str
    endpoint: str  # POST …/aftersale-orders/{order_number}/<endpoint>


class ParcelOut(Schema):
    id: int
    direction: str
    direction_label: str
    carrier: str
    tracking_no: str
    shipped_at: dt.datetime
    last_movement_at: dt.datetime
    last_movement: str
    moved: bool
    delivered_at: dt.datetime | None


class PayoutOut(Schema):
    id: int
    direction: str
    direction_label: str
    amount: str
    channel: str
    channel_label: str
    reference: str
    state: str
    state_label: str
    paid_at: dt.datetime
    bounced_at: dt.datetime | None
    bounce_reason: str


class InspectionOut(Schema):
    id: int
    passed: bool
    good_quantity: int
    defective_quantity: int
    report: str
    serial_or_batch: str
    photo_ids: list[int]
    received_at: dt.datetime
    inspected_at: dt.datetime


class RepairOut(Schema):
    id: int
    fault: str
    fault_code: str
    user_fault: bool
    parts: list[Any]
    technician: str
    result: str
    result_label: str
    started_on: dt.date
    finished_on: dt.date
    failed: bool
    repeat_of: int | None


class AfterSaleOut(Schema):
    number: str
    dispute: str
    type: str
    type_label: str
    variant: str
    variant_label: str
    compensation_form: str
    compensation_form_label: str
    state: str
    state_label: str
    department: str
    department_label: str
    platform_status: str
    platform_status_label: str
    platform_aftersale_no: str
    remedy_code: str
    reason: str
    amount: str | None  # 应退金额
    paid_amount: str  # 实退金额
    customer_pays: str | None  # 买家应补
    customer_paid_at: dt.datetime | None
    payment_channel: str  # 退款渠道
    payment_channel_label: str
    expected_from: dt.datetime | None
    expected_by: dt.datetime | None
    expected_rule: str
    deadline_at: dt.datetime | None
    arrival_confirmed_at: dt.datetime | None
    arrival_confirmed_by: str
    quantity: int
    return_address: str
    replacement: str
    receipt_deadline_extended_to: dt.datetime | None
    shipping_insurance: bool
    insurance_expected_by: dt.datetime | None
    insurance_amount: str | None
    insurance_paid_at: dt.datetime | None
    insurance_reference: str
    note: str
    cancel_reason: str
    completed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    parcels: list[ParcelOut]
    payouts: list[PayoutOut]
    inspections: list[InspectionOut]
    repairs: list[RepairOut]
    allowed_actions: list[ActionOut]


def parcel_out(parcel: Parcel) -> dict:
    return {
        "id": parcel.pk,
        "direction": parcel.direction,
        "direction_label": parcel.get_direction_display(),
        "carrier": parcel.carrier,
        "tracking_no": parcel.tracking_no,
        "shipped_at": parcel.shipped_at,
        "last_movement_at": parcel.last_movement_at,
        "last_movement": parcel.last_movement,
        "moved": parcel.moved,
        "delivered_at": parcel.delivered_at,
    }


def payout_out(payout: Payout) -> dict:
    return {
        "id": payout.pk,
        "direction": payout.direction,
        "direction_label": payout.get_direction_display(),
        "amount": format_yuan(payout.amount),
        "channel": payout.channel,
        "channel_label": _label(Order.PaymentChannel, payout.channel),
        "reference": payout.reference,
        "state": payout.state,
        "state_label": payout.get_state_display(),
        "paid_at": payout.paid_at,
        "bounced_at": payout.bounced_at,
        "bounce_reason": payout.bounce_reason,
    }


def order_out(order: AfterSaleOrder, actor) -> dict:
    """One order as staff read it, with the moves `actor` may make on it now."""
    return {
        "number": order.number,
        "dispute": order.dispute.number,
        "type": order.type,
        "type_label": order.get_type_display(),
        "variant": order.variant,
        "variant_label": order.get_variant_display() if order.variant else "",
        "compensation_form": order.compensation_form,
        "compensation_form_label": _label(flows.CompensationForm, order.compensation_form),
        "state": order.state,
        "state_label": order.get_state_display(),
        "department": order.department,
        "department_label": _label(Department, order.department),
        "platform_status": order.platform_status,
        "platform_status_label": platform_label(order.platform_status),
        "platform_aftersale_no": order.platform_aftersale_no,
        "remedy_code": order.remedy_code,
        "reason": order.reason,
        "amount": _yuan(order.amount),
        "paid_amount": format_yuan(order.paid_amount),
        "customer_pays": _yuan(order.customer_pays),
        "customer_paid_at": order.customer_paid_at,
        "payment_channel": order.payment_channel,
        "payment_channel_label": _label(Order.PaymentChannel, order.payment_channel),
        "expected_from": order.expected_from,
        "expected_by": order.expected_by,
        "expected_rule": order.expected_rule,
        "deadline_at": order.deadline_at,
        "arrival_confirmed_at": order.arrival_confirmed_at,
        "arrival_confirmed_by": order.arrival_confirmed_by,
        "quantity": order.quantity,
        "return_address": order.return_address,
        "replacement": order.replacement,
        "receipt_deadline_extended_to": order.receipt_deadline_extended_to,
        "shipping_insurance": order.shipping_insurance,
        "insurance_expected_by": order.insurance_expected_by,
        "insurance_amount": _yuan(order.insurance_amount),
        "insurance_paid_at": order.insurance_paid_at,
        "insurance_reference": order.insurance_reference,
        "note": order.note,
        "cancel_reason": order.cancel_reason,
        "completed_at": order.completed_at,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "version": order.version,
        "parcels": [parcel_out(p) for p in order.parcels.all()],
        "payouts": [payout_out(p) for p in order.payouts.all()],
        "inspections": [
            {
                "id": i.pk,
                "passed": i.passed,
                "good_quantity": i.good_quantity,
                "defective_quantity": i.defective_quantity,
                "report": i.report,
                "serial_or_batch": i.serial_or_batch,
                "photo_ids": sorted(p.pk for p in i.photos.all()),
                "received_at": i.received_at,
                "inspected_at": i.inspected_at,
            }
            for i in order.inspections.all()
        ],
        "repairs": [
            {
                "id": r.pk,
                "fault": r.fault,
                "fault_code": r.fault_code,
                "user_fault": r.user_fault,
                "parts": list(r.parts or []),
                "technician": r.technician,
                "result": r.result,
                "result_label": r.get_result_display(),
                "started_on": r.started_on,
                "finished_on": r.finished_on,
                "failed": r.failed,
                "repeat_of": r.repeat_of_id,
            }
            for r in order.repairs.all()
        ],
        "allowed_actions": [
            {"action": a.value, "label": str(a.label), "endpoint": ACTION_PATH[a]}
            for a in allowed_actions(actor, order)
        ],
    }


# -- in -----------------------------------------------------------------------------------


class CreateIn(Schema):
    type: str
    reason: str | None = Field(None, max_length=500, description="手工登记的原因（必填）")
    amount: Any = Field(None, description='应退/赔付金额，字符串，单位元，如 "199.00"')
    customer_pays: Any = Field(None, description="买家应补（换货到更贵的商品）")
    variant: str = ""
    compensation_form: str = ""
    replacement: str = Field("", max_length=200)
    note: str = Field("", max_length=500)


class VersionIn(Schema):
    version: int | None = Field(None, description="客户端看到的售后单版本号（乐观锁，可选）")
    note: str = Field("", max_length=500)


class ReasonIn(Schema):
    version: int | None = None
    reason: str | None = Field(None, max_length=500)


class PayoutIn(Schema):
    version: int | None = None
    reference: str | None = Field(None, max_length=100, description="流水号")
    idempotency_key: str | None = Field(
        None, max_length=100, description="幂等键；也可放在 Idempotency-Key 请求头"
    )
    amount: Any = Field(None, description="实付金额；不填为应退金额减已付")
    channel: str = ""


class CustomerPaymentIn(Schema):
    version: int | None = None
    amount: Any = None
    reference: str | None = Field(None, max_length=100)
    idempotency_key: str | None = Field(None, max_length=100)


class AddressIn(Schema):
    version: int | None = None
    address: str = Field("", max_length=300)


class TrackingIn(Schema):
    version: int | None = None
    carrier: str | None = Field(None, max_length=100)
    tracking_no: str | None = Field(None, max_length=100)


class InspectionIn(Schema):
    version: int | None = None
    passed: Any = None
    report: str | None = Field(None, max_length=6000)
    good_quantity: Any = 0
    defective_quantity: Any = 0
    photos: list[Any] = []
    serial_or_batch: str = Field("", max_length=200)


class RepairIn(Schema):
    version: int | None = None
    fault: str | None = Field(None, max_length=400)
    technician: str | None = Field(None, max_length=200)
    fixed: Any = None
    started_on: Any = None
    finished_on: Any = None
    fault_code: str = Field("", max_length=200)
    user_fault: bool = False
    parts: list[Any] = []


class CouponIn(Schema):
    version: int | None = None
    reference: str | None = Field(None, max_length=200)


class InsurancePayoutIn(Schema):
    version: int | None = None
    amount: Any = None
    reference: str | None = Field(None, max_length=100)


class MovementIn(Schema):
    at: dt.datetime | None = None  # default: now
    description: str = Field("", max_length=300)
    delivered: bool = False
