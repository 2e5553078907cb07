"""Repairs (维修单, SPEC §7; legal.md R13–R15): the result of a repair recorded on a repair
order — fault, parts, technician, dates, fixed or not. Fixed: the item ships back. Not
fixed: the order fails and the dispute goes back to mediation.

The same non-user fault again on the same sales order within 30 days of an earlier
repair's finish is a repeat (the repairer must guarantee 30 days of use): it is flagged
against that repair's technician (`repair_repeat_flagged`) and counts as a failed repair
on the order, which the entitlements read (two failed repairs under 三包 give exchange or
return, R14). Starting a repair is `aftersale_orders.aftersale_step(action="start_repair")`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Forbidden, ValidationFailed
from aftersales.common.text import clean_text
from aftersales.parties.actors import user_of

from .flows import Action
from .models import AfterSaleOrder, RepairRecord
from .steps import apply_move, lock_order, may_step
from .timeline import FulfilmentKind, order_event

REPEAT_WINDOW_DAYS = 30
_NOT_WORDS = re.compile(r"[\W_]+", re.UNICODE)


def fault_code_of(fault: str) -> str:
    """A fault in comparable form: its words in lower case, punctuation and spacing gone
    (Chinese words run together, others keep one space): "底部，漏水。" and "底部漏水"
    match, as do "Power  board-fault" and "power board fault"."""
    code = ""
    for word in _NOT_WORDS.split(clean_text(fault or "").lower()):
        if word:
            joined = code and not (code[-1].isascii() or word[0].isascii())
            code += word if joined or not code else f" {word}"
    return code[:100]


def _date(raw, field: str, fields: dict[str, str]) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return timezone.localdate(raw) if timezone.is_aware(raw) else raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        fields[field] = _("请填写日期（YYYY-MM-DD）")
        return None


def _parts(raw: Sequence, fields: dict[str, str]) -> list[str]:
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        fields["parts"] = _("更换配件应为配件名称的列表")
        return []
    parts = [clean_text(str(p), multiline=False) for p in raw]
    parts = [p for p in parts if p]
    if len(parts) > 50 or any(len(p) > 100 for p in parts):
        fields["parts"] = _("更换配件最多 50 项，每项不超过 100 个字")
    return parts


def _earlier_repair(
    locked: AfterSaleOrder, fault_code: str, started_on: dt.date
) -> RepairRecord | None:
    """The latest earlier non-user repair of the same fault on the same sales order (or,
    without one, the same dispute) finished within the window before this one started."""
    same_goods = (
        {"order_id": locked.dispute.order_id}
        if locked.dispute.order_id
        else {"aftersale_order__dispute_id": locked.dispute_id}
    )
    return (
        RepairRecord.objects.filter(
            **same_goods,
            fault_code=fault_code,
            user_fault=False,
            finished_on__lte=started_on,
            finished_on__gte=started_on - dt.timedelta(days=REPEAT_WINDOW_DAYS),
        )
        .order_by("-finished_on", "-id")
        .first()
    )


@transaction.atomic
def repair_record(
    *,
    order: AfterSaleOrder,
    fault: str,
    technician: str,
    fixed: bool,
    started_on: dt.date | str,
    finished_on: dt.date | str,
    actor,
    fault_code: str = "",
    user_fault: bool = False,
    parts: Sequence[str] = (),
    version: int | None = None,
    at: dt.datetime | None = None,
) -> RepairRecord:
    """Record the result of the repair of a repair order in `repairing` (record_repair):
    fixed → the item ships back (awaiting_shipment); not fixed → the order fails and the
    dispute goes back to mediation. A repeat of an earlier repair's fault is flagged."""
    locked = lock_order(order, version=version)
    if not may_step(actor, locked, Action.RECORD_REPAIR):
        raise Forbidden(_("您没有权限执行该售后操作"))
    now = at or timezone.now()
    fields: dict[str, str] = {}
    fault = clean_text(fault or "", multiline=False)
    if not fault:
        fields["fault"] = _("请填写故障描述")
    elif len(fault) > 300:
        fields["fault"] = _("故障描述不能超过 300 个字")
    technician = clean_text(technician or "", multiline=False)
    if not technician:
        fields["technician"] = _("请填写维修人员")
    elif len(technician) > 100:
        fields["technician"] = _("维修人员不能超过 100 个字")
    if not isinstance(fixed, bool):
        fields["fixed"] = _("请说明是否已修复")
    code = fault_code_of(fault_code) or fault_code_of(fault)
    if fault and not code:
        fields["fault_code"] = _("请填写故障代码")
    started = _date(started_on, "started_on", fields)
    finished = _date(finished_on, "finished_on", fields)
    today = timezone.localdate(now)
    if started and started > today:
        fields["started_on"] = _("开始日期不能晚于今天")
    if finished and finished > today:
        fields["finished_on"] = _("完成日期不能晚于今天")
    elif started and finished and finished < started:
        fields["finished_on"] = _("完成日期不能早于开始日期")
    part_names = _parts(parts, fields)
    if fields:
        raise ValidationFailed(_("提交的内容有误，请按提示修改"), fields=fields)

    earlier = None if user_fault else _earlier_repair(locked, code, started)
    record = RepairRecord.objects.create(
        aftersale_order=locked,
        order_id=locked.dispute.order_id,
        product_id=locked.order_line.product_id if locked.order_line_id else _product(locked),
        fault=fault,
        fault_code=code,
        user_fault=bool(user_fault),
        parts=part_names,
        technician=technician,
        result=RepairRecord.Result.FIXED if fixed else RepairRecord.Result.NOT_FIXED,
        started_on=started,
        finished_on=finished,
        repeat_of=earlier,
        failed=(not fixed) or earlier is not None,
        recorded_by=user_of(actor),
        recorded_at=now,
    )
    data = {
        "repair": record.pk,
        "fault": fault,
        "fault_code": code,
        "technician": technician,
        "fixed": fixed,
        "user_fault": bool(user_fault),
        "parts": part_names,
        "started_on": started.isoformat(),
        "finished_on": finished.isoformat(),
        "failed_repair": record.failed,
    }
    if earlier is not None:
        _flag_repeat(locked, record, earlier, actor=actor, at=now)
        data["repeat_of"] = earlier.pk
    apply_move(
        locked,
        Action.RECORD_REPAIR,
        actor=actor,
        at=now,
        outcome=fixed,
        reason="" if fixed else _("维修未修复：%(fault)s") % {"fault": fault},
        data=data,
    )
    return record


def _product(locked: AfterSaleOrder) -> int | None:
    """The product repaired when the order names no line: the sales order's only one."""
    if not locked.dispute.order_id:
        return None
    products = list(locked.dispute.order.lines.values_list("product_id", flat=True).distinct()[:2])
    return products[0] if len(products) == 1 else None


def _flag_repeat(
    locked: AfterSaleOrder, record: RepairRecord, earlier: RepairRecord, *, actor, at
) -> None:
    days = (record.started_on - earlier.finished_on).days
    order_event(
        FulfilmentKind.REPAIR_REPEAT_FLAGGED,
        locked,
        actor=actor,
        at=at,
        reason=_(
            "同一非人为故障在维修完成后 %(days)d 天内再次出现，记为维修人员 %(technician)s 的返修"
        )
        % {"days": days, "technician": earlier.technician},
        data={
            "repair": record.pk,
            "repeat_of": earlier.pk,
            "repeat_of_aftersale_order": earlier.aftersale_order_id,
            "technician": earlier.technician,
            "earlier_finished_on": earlier.finished_on.isoformat(),
            "days_since": days,
            "fault": record.fault,
            "fault_code": record.fault_code,
        },
    ).save()
