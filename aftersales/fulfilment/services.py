"""Writes of execution (SPEC §7): record an execution, its parcels and their tracking
movements, complete or cancel it. Each service is one transaction and appends exactly
one timeline event to the dispute."""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.money import InvalidAmount, parse_yuan
from aftersales.disputes.models import Dispute
from aftersales.disputes.permissions import can_record_execution, can_track_parcel
from aftersales.parties.actors import user_of
from aftersales.parties.models import Order

from .models import Execution, Parcel
from .rules import NoArrivalRule, refund_arrival
from .timeline import (
    execution_finished_event,
    execution_recorded_event,
    parcel_moved_event,
    parcel_recorded_event,
)

UNFINISHED = (Execution.State.PENDING, Execution.State.IN_PROGRESS)
# Executions that pay money back, whose expected date follows from the payment channel.
REFUND_KINDS = frozenset({Execution.Kind.REFUND, Execution.Kind.COMPENSATION})


def _amount(raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return parse_yuan(raw)
    except InvalidAmount:
        message = _("金额应为不小于 0、最多两位小数的数字（元）")
        raise ValidationFailed(message, fields={"amount": message}) from None


@transaction.atomic
def execution_record(
    *,
    dispute: Dispute,
    kind: str,
    actor,
    amount: Decimal | str | None = None,
    payment_channel: str = "",
    expected_by: dt.datetime | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Execution:
    """Record an execution on an open dispute. Without `expected_by`, a refund or
    compensation is expected by the late end of its payment channel's range (SPEC §7;
    the channel defaults to the order's); any other kind needs a date."""
    if not can_record_execution(actor):
        raise Forbidden(_("您没有登记执行的权限"))
    if kind not in Execution.Kind.values:
        message = _("未知的执行方式，可选：%(choices)s") % {
            "choices": ", ".join(Execution.Kind.values)
        }
        raise ValidationFailed(message, fields={"kind": message})
    now = at or timezone.now()
    locked = (
        Dispute.objects.select_for_update(of=("self",)).select_related("order").get(pk=dispute.pk)
    )
    if not locked.is_open:
        raise Conflict(_("已结束的投诉不能再登记执行"), code="dispute_closed")
    value = _amount(amount)
    if not payment_channel and kind in REFUND_KINDS and locked.order is not None:
        payment_channel = locked.order.payment_channel
    if payment_channel and payment_channel not in Order.PaymentChannel.values:
        message = _("未知的退款渠道，可选：%(choices)s") % {
            "choices": ", ".join(Order.PaymentChannel.values)
        }
        raise ValidationFailed(message, fields={"payment_channel": message})
    if expected_by is not None:
        if expected_by.tzinfo is None:
            message = _("预计完成时间须带时区")
            raise ValidationFailed(message, fields={"expected_by": message})
        rule = "given"
    else:
        try:
            if kind not in REFUND_KINDS:
                raise NoArrivalRule(kind)
            arrival = refund_arrival(channel=payment_channel, paid_at=now)
        except NoArrivalRule:
            message = _("请填写预计完成时间")
            raise ValidationFailed(message, fields={"expected_by": message}) from None
        expected_by, rule = arrival.expected_by, arrival.rule
    execution = Execution.objects.create(
        dispute=locked,
        kind=kind,
        amount=value,
        payment_channel=payment_channel,
        expected_by=expected_by,
        expected_rule="" if rule == "given" else rule,
        note=note.strip()[:500],
        created_by=user_of(actor),
        created_at=now,
        updated_at=now,
    )
    execution_recorded_event(execution, actor=actor, at=now).save()
    return execution


def _finish(execution: Execution, state: str, actor, at: dt.datetime, reason: str) -> Execution:
    updated = Execution.objects.filter(pk=execution.pk, state__in=UNFINISHED).update(
        state=state,
        completed_at=at if state == Execution.State.DONE else None,
        updated_at=at,
    )
    if updated != 1:
        raise Conflict(_("该执行已完成或已取消"), code="execution_finished")
    execution.refresh_from_db()
    execution_finished_event(
        execution, done=state == Execution.State.DONE, actor=actor, reason=reason, at=at
    ).save()
    return execution


@transaction.atomic
def execution_complete(
    *, execution: Execution, actor, note: str = "", at: dt.datetime | None = None
) -> Execution:
    """Done: the refund arrived, the parcel was delivered, the repair finished."""
    if not can_record_execution(actor):
        raise Forbidden(_("您没有登记执行的权限"))
    return _finish(execution, Execution.State.DONE, actor, at or timezone.now(), note.strip())


@transaction.atomic
def execution_cancel(
    *, execution: Execution, actor, reason: str, at: dt.datetime | None = None
) -> Execution:
    if not can_record_execution(actor):
        raise Forbidden(_("您没有登记执行的权限"))
    if not reason.strip():
        message = _("取消执行必须填写原因")
        raise ValidationFailed(message, code="reason_required", fields={"reason": message})
    return _finish(
        execution, Execution.State.CANCELLED, actor, at or timezone.now(), reason.strip()
    )


@transaction.atomic
def parcel_record(
    *,
    execution: Execution,
    direction: str,
    carrier: str,
    tracking_no: str,
    actor,
    shipped_at: dt.datetime | None = None,
) -> Parcel:
    """A parcel of an unfinished execution has shipped: the customer's return with its
    tracking number, or what we send them. A pending execution is now in progress."""
    if not can_track_parcel(actor):
        raise Forbidden(_("您没有登记包裹的权限"))
    if direction not in Parcel.Direction.values:
        message = _("未知的包裹方向，可选：%(choices)s") % {
            "choices": ", ".join(Parcel.Direction.values)
        }
        raise ValidationFailed(message, fields={"direction": message})
    carrier, tracking_no = carrier.strip(), tracking_no.strip()
    fields = {}
    if not carrier:
        fields["carrier"] = _("请填写快递公司")
    if not tracking_no:
        fields["tracking_no"] = _("请填写快递单号")
    if fields:
        raise ValidationFailed(_("提交的内容有误，请按提示修改"), fields=fields)
    now = timezone.now()
    shipped = shipped_at or now
    started = Execution.objects.filter(pk=execution.pk, state__in=UNFINISHED).update(
        state=Execution.State.IN_PROGRESS, updated_at=now
    )
    if started != 1:
        raise Conflict(_("该执行已完成或已取消"), code="execution_finished")
    try:
        with transaction.atomic():
            parcel = Parcel.objects.create(
                execution=execution,
                direction=direction,
                carrier=carrier[:50],
                tracking_no=tracking_no[:64],
                shipped_at=shipped,
                last_movement_at=shipped,
                created_at=now,
            )
    except IntegrityError:
        raise Conflict(
            _("快递单号 %(tracking_no)s 已登记") % {"tracking_no": tracking_no},
            code="duplicate_parcel",
        ) from None
    execution.refresh_from_db()
    parcel_recorded_event(parcel, dispute_id=execution.dispute_id, actor=actor, at=now).save()
    return parcel


@transaction.atomic
def parcel_track(
    *,
    parcel: Parcel,
    at: dt.datetime,
    actor,
    description: str = "",
    delivered: bool = False,
) -> Parcel:
    """A tracking movement of a parcel in transit (scanned, out for delivery, delivered).
    A movement older than the last one known is recorded but does not move the clock back."""
    if not can_track_parcel(actor):
        raise Forbidden(_("您没有登记包裹的权限"))
    locked = (
        Parcel.objects.select_for_update(of=("self",)).select_related("execution").get(pk=parcel.pk)
    )
    if locked.delivered_at is not None:
        raise Conflict(_("包裹已签收"), code="parcel_delivered")
    locked.last_movement_at = max(locked.last_movement_at, at)
    locked.last_movement = description.strip()[:200] or locked.last_movement
    if delivered:
        locked.delivered_at = at
    locked.save(update_fields=["last_movement_at", "last_movement", "delivered_at"])
    parcel_moved_event(
        locked,
        dispute_id=locked.execution.dispute_id,
        actor=actor,
        moved_at=at,
        description=description.strip()[:200],
        delivered=delivered,
        at=timezone.now(),
    ).save()
    return locked
