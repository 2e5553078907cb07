"""The moves of an after-sale order (售后单) the workbench offers, one address each as the
API has (`/disputes/<number>/aftersale-orders/<order>/<slug>/`): the flow action whose
allowance shows its form, the operation the service asks for, the form
(`aftersale_forms`) and the fulfilment service it calls with the API's input mapping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.disputes.grants import Op
from aftersales.fulfilment import aftersale_orders, goods, insurance, payouts, repairs
from aftersales.fulfilment.flows import Action
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.fulfilment.workbench_selectors import ARRIVAL, INSURANCE_PAYOUT

from .aftersale_forms import (
    AddressForm,
    ConfirmForm,
    CouponForm,
    CustomerPaymentForm,
    InspectionForm,
    InsurancePayoutForm,
    PayoutForm,
    ReasonForm,
    RepairForm,
    StepForm,
    TrackingForm,
)


@dataclass(frozen=True)
class Door:
    """One move of an order: its address, the flow action (or extra move) whose
    allowance shows its form, the operation the service asks for, the form and the
    service call `(request, order, cleaned_data)`."""

    slug: str
    key: str  # Action value, or an extra move's key
    op: Op
    form: type
    call: Callable[[Any, AfterSaleOrder, dict], Any]
    label: Any = ""
    # Services that take no `version` get it checked under the order's lock first.
    checks_version: bool = True
    danger: bool = False

    @property
    def url_name(self) -> str:
        return "aftersale_" + self.slug.replace("-", "_")


def _step(action: Action):
    def call(request, order, data):
        return aftersale_orders.aftersale_step(
            order=order,
            action=action.value,
            actor=request.user,
            version=data["version"],
            note=data.get("note") or "",
        )

    return call


DOORS: tuple[Door, ...] = (
    Door("finance-approval", Action.FINANCE_APPROVE, Op.PAY_OUT, StepForm,
         _step(Action.FINANCE_APPROVE)),
    Door(
        "payout", Action.RECORD_PAYOUT, Op.PAY_OUT, PayoutForm,
        lambda r, o, d: payouts.payout_record(
            order=o, reference=d["reference"], idempotency_key=d["idempotency_key"],
            actor=r.user, amount=d["amount"] or None, channel=d["channel"] or "",
            version=d["version"],
        ),
    ),
    Door(
        "bounce", Action.BOUNCE, Op.PAY_OUT, ReasonForm,
        lambda r, o, d: payouts.payout_bounce(
            order=o, reason=d["reason"], actor=r.user, version=d["version"]
        ),
        danger=True,
    ),
    Door(
        "customer-payment", Action.COLLECT_PAYMENT, Op.PAY_OUT, CustomerPaymentForm,
        lambda r, o, d: payouts.customer_payment_record(
            order=o, amount=d["amount"], reference=d["reference"],
            idempotency_key=d["idempotency_key"], actor=r.user,
        ),
        checks_version=False,
    ),
    Door(
        "arrival", ARRIVAL, Op.RECORD_EXECUTION, ConfirmForm,
        lambda r, o, d: payouts.arrival_confirm(order=o, actor=r.user),
        label=_("确认退款到账"),
        checks_version=False,
    ),
    Door(
        "return-address", Action.SEND_RETURN_ADDRESS, Op.RECORD_EXECUTION, AddressForm,
        lambda r, o, d: goods.return_address_send(
            order=o, actor=r.user, address=d["address"] or "", version=d["version"]
        ),
    ),
    Door(
        "return-shipment", Action.RETURN_SHIP, Op.RECORD_EXECUTION, TrackingForm,
        lambda r, o, d: goods.return_ship(
            order=o, carrier=d["carrier"], tracking_no=d["tracking_no"], actor=r.user,
            version=d["version"],
        ),
    ),
    Door(
        "receipt", Action.RECEIVE, Op.TRACK_PARCEL, ConfirmForm,
        lambda r, o, d: goods.return_receive(order=o, actor=r.user, version=d["version"]),
    ),
    Door(
        "inspection", Action.INSPECT, Op.INSPECT_GOODS, InspectionForm,
        lambda r, o, d: goods.return_inspect(
            order=o, passed=d["passed"], report=d["report"],
            good_quantity=d["good_quantity"], defective_quantity=d["defective_quantity"],
            actor=r.user, photos=[int(p) for p in d.get("photos") or []],
            serial_or_batch=d["serial_or_batch"] or "", version=d["version"],
        ),
    ),
    Door("repair-start", Action.START_REPAIR, Op.INSPECT_GOODS, StepForm,
         _step(Action.START_REPAIR)),
    Door(
        "repair", Action.RECORD_REPAIR, Op.INSPECT_GOODS, RepairForm,
        lambda r, o, d: repairs.repair_record(
            order=o, fault=d["fault"], technician=d["technician"], fixed=d["fixed"],
            started_on=d["started_on"], finished_on=d["finished_on"], actor=r.user,
            fault_code=d["fault_code"] or "", user_fault=bool(d["user_fault"]),
            parts=d["parts"], version=d["version"],
        ),
    ),
    Door(
        "shipment", Action.SHIP, Op.TRACK_PARCEL, TrackingForm,
        lambda r, o, d: goods.shipment_send(
            order=o, carrier=d["carrier"], tracking_no=d["tracking_no"], actor=r.user,
            version=d["version"],
        ),
    ),
    Door(
        "delivery", Action.CONFIRM_DELIVERY, Op.RECORD_EXECUTION, StepForm,
        lambda r, o, d: goods.delivery_confirm(
            order=o, actor=r.user, note=d["note"], version=d["version"]
        ),
    ),
    Door(
        "out-of-stock", Action.OUT_OF_STOCK, Op.TRACK_PARCEL, ReasonForm,
        lambda r, o, d: goods.out_of_stock(
            order=o, reason=d["reason"], actor=r.user, version=d["version"]
        ),
        danger=True,
    ),
    Door(
        "coupon", Action.ISSUE, Op.ISSUE_COUPON, CouponForm,
        lambda r, o, d: goods.coupon_issue(
            order=o, reference=d["reference"], actor=r.user, version=d["version"]
        ),
    ),
    Door(
        "insurance-payout", INSURANCE_PAYOUT, Op.PAY_OUT, InsurancePayoutForm,
        lambda r, o, d: insurance.insurance_payout_record(
            order=o, amount=d["amount"], reference=d["reference"], actor=r.user
        ),
        label=_("登记运费险理赔"),
        checks_version=False,
    ),
    Door(
        "cancel", Action.CANCEL, Op.RECORD_EXECUTION, ReasonForm,
        lambda r, o, d: aftersale_orders.aftersale_cancel(
            order=o, actor=r.user, reason=d["reason"], version=d["version"]
        ),
        danger=True,
    ),
)  # fmt: skip
DOOR_OF: dict[str, Door] = {door.key: door for door in DOORS}


def form_key(order: AfterSaleOrder, door: Door) -> str:
    """The form's key in `bound` and its prefix (unique on a page of many orders)."""
    return f"as-{order.pk}-{door.slug}"


def door_label(door: Door) -> str:
    if door.label:
        return str(door.label)
    return str(Action(door.key).label)


def make_form(door: Door, order: AfterSaleOrder, *, data=None, photos=(), seen=None):
    kwargs: dict[str, Any] = {"prefix": form_key(order, door)}
    if data is None:
        kwargs["initial"] = {"version": order.version, "seen": seen}
    if door.form is InspectionForm:
        kwargs["photos"] = photos
    return door.form(data, **kwargs)


def photo_choices(dispute) -> list[tuple[int, str]]:
    """The dispute's evidence a QC report may point at (its photos)."""
    found = dispute.evidence.filter(kind="image").order_by("id").values_list("pk", "original_name")
    return [(pk, name or str(pk)) for pk, name in found]
