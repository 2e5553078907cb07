"""Goods moving for after-sale orders (SPEC §7): the return address sent to the customer,
the customer's return parcel (carrier + 退货物流单号), its arrival and inspection (退货入库:
良品 / 次品), what we ship them (a replacement, a re-shipment, a gift, the repaired item),
its delivery, an exchange item out of stock, and a coupon issued. Each service is one
transaction: lock the order, check its own input, then `steps.apply_move` (which checks
the permission and the flow, and writes the `aftersale_state` event).

Delivery of what we ship is confirmed either by a person (the customer, or staff on their
word: `delivery_confirm`) or by the carrier: a tracking update marking our parcel
delivered (签收) confirms the order itself, as the system (`parcels.parcel_track`). The
return parcel's tracking never receives the goods on its own: only the warehouse knows
what arrived (`return_receive`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Forbidden, ValidationFailed
from aftersales.common.text import clean_text
from aftersales.disputes.models import Evidence
from aftersales.parties.actors import user_of
from aftersales.parties.models import BundleComponent, OrderLine

from .flows import Action, AfterSaleType
from .models import AfterSaleOrder, Parcel, ReturnInspection
from .parcels import parcel_add, tracking_number, tracking_problems
from .steps import apply_move, lock_order, may_step


def _invalid(fields: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(_("提交的内容有误，请按提示修改"), fields=fields)


def _allowed_or_403(locked: AfterSaleOrder, actor, action: Action) -> None:
    """Refuse someone who may not take the step before judging what they typed."""
    if not may_step(actor, locked, action):
        raise Forbidden(_("您没有权限执行该售后操作"))


def _parcel(locked: AfterSaleOrder, direction: str) -> Parcel | None:
    """The order's latest parcel in one direction."""
    return (
        Parcel.objects.select_for_update()
        .filter(aftersale_order=locked, direction=direction)
        .order_by("-shipped_at", "-id")
        .first()
    )


def receipt_extension_days() -> int:
    """换货: how far the original order's receipt deadline (确认收货) moves (SPEC: 5–7)."""
    return int(getattr(settings, "EXCHANGE_RECEIPT_EXTENSION_DAYS", 7))


def _receipt_extension(locked: AfterSaleOrder, now: dt.datetime) -> dict:
    """The original order's receipt deadline extended for an exchange: from an earlier
    extension, else from when the order was received (签收) or shipped, else from now."""
    order = locked.dispute.order if locked.dispute.order_id else None
    if locked.receipt_deadline_extended_to:
        base, basis = locked.receipt_deadline_extended_to, "extension"
    elif order is not None and order.received_at:
        base, basis = order.received_at, "received"
    elif order is not None and order.shipped_at:
        base, basis = order.shipped_at, "shipped"
    else:
        base, basis = now, "sent"
    days = receipt_extension_days()
    return {
        "to": base + dt.timedelta(days=days),
        "data": {
            "receipt_deadline_extended_from": base.isoformat(),
            "receipt_deadline_basis": basis,
            "receipt_deadline_extended_days": days,
        },
    }


@transaction.atomic
def return_address_send(
    *,
    order: AfterSaleOrder,
    actor,
    address: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """Send the customer the address the goods go back to (the one given, or the
    store's default AFTERSALES_RETURN_ADDRESS). An exchange also extends the original
    order's receipt deadline by EXCHANGE_RECEIPT_EXTENSION_DAYS."""
    locked = lock_order(order, version=version)
    _allowed_or_403(locked, actor, Action.SEND_RETURN_ADDRESS)
    now = at or timezone.now()
    address = clean_text(address or "", multiline=False) or clean_text(
        getattr(settings, "AFTERSALES_RETURN_ADDRESS", "") or "", multiline=False
    )
    if not address:
        raise _invalid({"address": _("请填写退货地址（未配置默认退货地址）")})
    if len(address) > 255:
        raise _invalid({"address": _("退货地址不能超过 255 个字")})
    fields: dict = {"return_address": address}
    data: dict = {"return_address": address}
    if locked.type == AfterSaleType.EXCHANGE:
        extension = _receipt_extension(locked, now)
        fields["receipt_deadline_extended_to"] = extension["to"]
        data["receipt_deadline_extended_to"] = extension["to"].isoformat()
        data.update(extension["data"])
    return apply_move(
        locked, Action.SEND_RETURN_ADDRESS, actor=actor, at=now, data=data, fields=fields
    )


@transaction.atomic
def return_ship(
    *,
    order: AfterSaleOrder,
    carrier: str,
    tracking_no: str,
    actor,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """The customer (or staff on their word) fills in the return's carrier and tracking
    number (退货物流单号)."""
    locked = lock_order(order, version=version)
    _allowed_or_403(locked, actor, Action.RETURN_SHIP)
    now = at or timezone.now()
    carrier, tracking_no = clean_text(carrier or "").strip(), tracking_number(tracking_no)
    problems = tracking_problems(carrier, tracking_no)
    if problems:
        raise _invalid(problems)
    moved = apply_move(
        locked,
        Action.RETURN_SHIP,
        actor=actor,
        at=now,
        data={"carrier": carrier, "tracking_no": tracking_no},
    )
    parcel_add(
        moved,
        direction=Parcel.Direction.FROM_CUSTOMER,
        carrier=carrier,
        tracking_no=tracking_no,
        actor=actor,
        at=now,
    )
    return moved


@transaction.atomic
def return_receive(
    *,
    order: AfterSaleOrder,
    actor,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """The returned goods arrived at the warehouse: the return parcel is delivered."""
    locked = lock_order(order, version=version)
    now = at or timezone.now()
    parcel = _parcel(locked, Parcel.Direction.FROM_CUSTOMER)
    data: dict = {}
    if parcel is not None:
        data = {"parcel": parcel.pk, "tracking_no": parcel.tracking_no}
    moved = apply_move(locked, Action.RECEIVE, actor=actor, at=now, data=data)
    if parcel is not None and parcel.delivered_at is None:
        parcel.delivered_at = now
        parcel.last_movement_at = max(parcel.last_movement_at, now)
        parcel.save(update_fields=["delivered_at", "last_movement_at"])
    return moved


def _quantity(raw, field: str, fields: dict[str, str]) -> int:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        fields[field] = _("数量应为不小于 0 的整数")
        return 0
    return raw


@transaction.atomic
def return_inspect(
    *,
    order: AfterSaleOrder,
    passed: bool,
    report: str,
    good_quantity: int,
    defective_quantity: int,
    actor,
    photos: Sequence[int] = (),
    serial_or_batch: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> ReturnInspection:
    """退货入库: the returned goods inspected (良品 / 次品 quantities, report, photos).
    Passed: the order goes on (the refund, the replacement, done). Failed: the order
    fails with the QC report as its reason, and the dispute goes back to mediation."""
    locked = lock_order(order, version=version)
    _allowed_or_403(locked, actor, Action.INSPECT)
    now = at or timezone.now()
    fields: dict[str, str] = {}
    if not isinstance(passed, bool):
        fields["passed"] = _("请说明验货是否通过")
    report = clean_text(report or "")
    if not report:
        fields["report"] = _("请填写验货报告")
    elif len(report) > 5000:
        fields["report"] = _("验货报告不能超过 5000 个字")
    good = _quantity(good_quantity, "good_quantity", fields)
    defective = _quantity(defective_quantity, "defective_quantity", fields)
    counted = "good_quantity" not in fields and "defective_quantity" not in fields
    bought = _quantity_bought(locked)
    if counted and good + defective < 1:
        fields["good_quantity"] = _("良品与次品数量至少一件")
    elif counted and bought and good + defective > bought:
        fields["good_quantity"] = _("良品与次品合计 %(n)d 件，超过订单购买的 %(bought)d 件") % {
            "n": good + defective,
            "bought": bought,
        }
    serial_or_batch = clean_text(serial_or_batch or "", multiline=False)
    if len(serial_or_batch) > 100:
        fields["serial_or_batch"] = _("SN/批次不能超过 100 个字")
    photo_ids = _photo_ids(photos, locked, fields)
    if fields:
        raise _invalid(fields)
    parcel = _parcel(locked, Parcel.Direction.FROM_CUSTOMER)
    inspection = ReturnInspection.objects.create(
        aftersale_order=locked,
        received_at=(parcel.delivered_at if parcel and parcel.delivered_at else now),
        good_quantity=good,
        defective_quantity=defective,
        passed=passed,
        report=report,
        serial_or_batch=serial_or_batch,
        inspected_by=user_of(actor),
        inspected_at=now,
    )
    if photo_ids:
        inspection.photos.set(photo_ids)
    apply_move(
        locked,
        Action.INSPECT,
        actor=actor,
        at=now,
        outcome=passed,
        reason="" if passed else _("验货不通过：%(report)s") % {"report": report},
        data={
            "inspection": inspection.pk,
            "passed": passed,
            "good_quantity": good,
            "defective_quantity": defective,
            "report": report,
            "serial_or_batch": serial_or_batch,
            "photos": photo_ids,
        },
    )
    return inspection


def _quantity_bought(locked: AfterSaleOrder) -> int | None:
    """How many pieces could come back: those of the order line, else of the sales order,
    a bundle (套餐) counting its components' pieces (None without an order: nothing to
    count against)."""
    if locked.order_line_id:
        lines = OrderLine.objects.filter(pk=locked.order_line_id)
    elif locked.dispute.order_id:
        lines = OrderLine.objects.filter(order_id=locked.dispute.order_id)
    else:
        return None
    pieces = {
        bundle: n
        for bundle, n in BundleComponent.objects.filter(bundle_id__in=lines.values("product_id"))
        .values("bundle_id")
        .annotate(n=Sum("quantity"))
        .values_list("bundle_id", "n")
    }
    return sum(q * (pieces.get(p) or 1) for p, q in lines.values_list("product_id", "quantity"))


def _photo_ids(photos, locked: AfterSaleOrder, fields: dict[str, str]) -> list[int]:
    try:
        ids = sorted({int(p) for p in photos or ()})
    except (TypeError, ValueError):
        fields["photos"] = _("照片应为本投诉证据的编号")
        return []
    if not ids:
        return []
    found = set(
        Evidence.objects.filter(pk__in=ids, dispute_id=locked.dispute_id).values_list(
            "pk", flat=True
        )
    )
    if found != set(ids):
        fields["photos"] = _("照片不是本投诉的证据：%(ids)s") % {
            "ids": ", ".join(str(i) for i in ids if i not in found)
        }
    return ids


@transaction.atomic
def shipment_send(
    *,
    order: AfterSaleOrder,
    carrier: str,
    tracking_no: str,
    actor,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """We ship the customer something (寄出快递): the exchange's replacement, a
    re-shipment (补发), a gift, the repaired item. A ship-first exchange ships while the
    customer's return is still on its way, once its parcel shows a tracking movement."""
    locked = lock_order(order, version=version)
    _allowed_or_403(locked, actor, Action.SHIP)
    now = at or timezone.now()
    carrier, tracking_no = clean_text(carrier or "").strip(), tracking_number(tracking_no)
    problems = tracking_problems(carrier, tracking_no)
    if problems:
        raise _invalid(problems)
    returning = _parcel(locked, Parcel.Direction.FROM_CUSTOMER)
    facts = {"return_moving": bool(returning and (returning.moved or returning.delivered_at))}
    moved = apply_move(
        locked,
        Action.SHIP,
        actor=actor,
        at=now,
        facts=facts,
        data={"carrier": carrier, "tracking_no": tracking_no},
    )
    parcel_add(
        moved,
        direction=Parcel.Direction.TO_CUSTOMER,
        carrier=carrier,
        tracking_no=tracking_no,
        actor=actor,
        at=now,
    )
    return moved


@transaction.atomic
def delivery_confirm(
    *,
    order: AfterSaleOrder,
    actor,
    version: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """What we shipped reached the customer (确认签收): the customer says so, or staff on
    their word (`note`: how they know); our parcel is marked delivered. (A carrier's
    tracking update marking it delivered confirms it too: `parcels.parcel_track`.)"""
    locked = lock_order(order, version=version)
    now = at or timezone.now()
    parcel = _parcel(locked, Parcel.Direction.TO_CUSTOMER)
    data = {"parcel": parcel.pk, "tracking_no": parcel.tracking_no} if parcel else {}
    moved = apply_move(
        locked,
        Action.CONFIRM_DELIVERY,
        actor=actor,
        at=now,
        reason=clean_text(note)[:500],
        data=data,
    )
    if parcel is not None and parcel.delivered_at is None:
        parcel.delivered_at = now
        parcel.last_movement_at = max(parcel.last_movement_at, now)
        parcel.save(update_fields=["delivered_at", "last_movement_at"])
    return moved


@transaction.atomic
def out_of_stock(
    *,
    order: AfterSaleOrder,
    reason: str,
    actor,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """The exchange item is out of stock (缺货): the order fails with the reason and the
    dispute goes back to mediation (another model, a return, money instead)."""
    locked = lock_order(order, version=version)
    reason = clean_text(reason or "")
    if len(reason) > 500:
        raise _invalid({"reason": _("原因不能超过 500 个字")})
    return apply_move(
        locked,
        Action.OUT_OF_STOCK,
        actor=actor,
        at=at,
        reason=reason,
        data={"out_of_stock": locked.replacement} if locked.replacement else {},
    )


@transaction.atomic
def coupon_issue(
    *,
    order: AfterSaleOrder,
    reference: str,
    actor,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """A coupon given as compensation is issued: its code or batch number is the
    reference the customer and the platform can look up."""
    locked = lock_order(order, version=version)
    _allowed_or_403(locked, actor, Action.ISSUE)
    reference = clean_text(reference or "", multiline=False)
    if not reference:
        raise _invalid({"reference": _("请填写优惠券券码或批次号")})
    if len(reference) > 100:
        raise _invalid({"reference": _("券码或批次号不能超过 100 个字")})
    return apply_move(locked, Action.ISSUE, actor=actor, at=at, data={"reference": reference})
