"""Execution's timeline events (SPEC §7): refunds, returns, exchanges, re-shipments,
repairs and compensation recorded and finished, and the parcels they move. Built here
for the services and the demo alike."""

import datetime as dt

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy

from aftersales.common.money import format_yuan
from aftersales.disputes.models import Event
from aftersales.disputes.timeline import new_event
from aftersales.disputes.timeline_registry import event_kinds


@event_kinds
class FulfilmentKind(TextChoices):
    EXECUTION_RECORDED = "execution_recorded", pgettext_lazy("timeline event", "登记执行")
    EXECUTION_COMPLETED = "execution_completed", pgettext_lazy("timeline event", "执行完成")
    EXECUTION_CANCELLED = "execution_cancelled", pgettext_lazy("timeline event", "取消执行")
    PARCEL_RECORDED = "parcel_recorded", pgettext_lazy("timeline event", "登记包裹")
    PARCEL_MOVED = "parcel_moved", pgettext_lazy("timeline event", "物流更新")


def execution_recorded_event(execution, *, actor, at: dt.datetime, actor_label=None) -> Event:
    return new_event(
        FulfilmentKind.EXECUTION_RECORDED,
        dispute_id=execution.dispute_id,
        actor=actor,
        actor_label=actor_label,
        reason=execution.note,
        payload={
            "execution": execution.pk,
            "kind": execution.kind,
            "amount": format_yuan(execution.amount),
            "payment_channel": execution.payment_channel,
            "expected_by": execution.expected_by.isoformat(),
            "expected_rule": execution.expected_rule,
        },
        at=at,
    )


def execution_finished_event(
    execution, *, done: bool, actor, reason: str, at: dt.datetime, actor_label=None
) -> Event:
    """Completed (`done`) or cancelled."""
    return new_event(
        FulfilmentKind.EXECUTION_COMPLETED if done else FulfilmentKind.EXECUTION_CANCELLED,
        dispute_id=execution.dispute_id,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        payload={"execution": execution.pk, "kind": execution.kind},
        at=at,
    )


def parcel_recorded_event(parcel, *, dispute_id: int, actor, at, actor_label=None) -> Event:
    return new_event(
        FulfilmentKind.PARCEL_RECORDED,
        dispute_id=dispute_id,
        actor=actor,
        actor_label=actor_label,
        payload={
            "execution": parcel.execution_id,
            "parcel": parcel.pk,
            "direction": parcel.direction,
            "carrier": parcel.carrier,
            "tracking_no": parcel.tracking_no,
            "shipped_at": parcel.shipped_at.isoformat(),
        },
        at=at,
    )


def parcel_moved_event(
    parcel,
    *,
    dispute_id: int,
    actor,
    moved_at: dt.datetime,
    description: str,
    delivered: bool,
    at: dt.datetime,
    actor_label=None,
) -> Event:
    return new_event(
        FulfilmentKind.PARCEL_MOVED,
        dispute_id=dispute_id,
        actor=actor,
        actor_label=actor_label,
        payload={
            "parcel": parcel.pk,
            "tracking_no": parcel.tracking_no,
            "moved_at": moved_at.isoformat(),
            "description": description,
            "delivered": delivered,
        },
        at=at,
    )
