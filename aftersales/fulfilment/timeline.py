"""Execution's timeline events (SPEC §7): every state an after-sale order (售后单) enters,
its creation included (`aftersale_state`, whose `route` is the state entered and whose
`subject` names the order, so its SLA clocks are its own), the 运费险 payout expected and
paid, a repeat repair flagged, and the parcels moved. Built here for the services and the
demo alike."""

import datetime as dt

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy

from aftersales.common.money import format_yuan
from aftersales.disputes.models import Event
from aftersales.disputes.timeline import new_event
from aftersales.disputes.timeline_registry import event_kinds


@event_kinds
class FulfilmentKind(TextChoices):
    AFTERSALE_STATE = "aftersale_state", pgettext_lazy("timeline event", "售后单状态")
    SHIPPING_INSURANCE_EXPECTED = (
        "shipping_insurance_expected",
        pgettext_lazy("timeline event", "运费险待理赔"),
    )
    SHIPPING_INSURANCE_PAID = (
        "shipping_insurance_paid",
        pgettext_lazy("timeline event", "运费险已理赔"),
    )
    REPAIR_REPEAT_FLAGGED = "repair_repeat_flagged", pgettext_lazy("timeline event", "重复维修")
    REFUND_ARRIVAL_CONFIRMED = (
        "refund_arrival_confirmed",
        pgettext_lazy("timeline event", "确认退款到账"),
    )
    PARCEL_RECORDED = "parcel_recorded", pgettext_lazy("timeline event", "登记包裹")
    PARCEL_MOVED = "parcel_moved", pgettext_lazy("timeline event", "物流更新")
    # Kept for the timelines written before after-sale orders (issue 12).
    EXECUTION_RECORDED = "execution_recorded", pgettext_lazy("timeline event", "登记执行")
    EXECUTION_COMPLETED = "execution_completed", pgettext_lazy("timeline event", "执行完成")
    EXECUTION_CANCELLED = "execution_cancelled", pgettext_lazy("timeline event", "取消执行")


def subject_of(order) -> str:
    """What the SLA clocks of one after-sale order are keyed by."""
    return f"aftersale:{order.pk}"


def aftersale_state_event(
    order,
    *,
    action: str,
    source: str,
    actor,
    at: dt.datetime,
    reason: str = "",
    data: dict | None = None,
    actor_label=None,
) -> Event:
    """The order entered `order.state` by `action` ("create" for a new order) from
    `source` ("" for a new order). `data`: what the move recorded (amounts, tracking…)."""
    return new_event(
        FulfilmentKind.AFTERSALE_STATE,
        dispute_id=order.dispute_id,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        payload={
            "subject": subject_of(order),
            "aftersale_order": order.pk,
            "number": order.number,
            "type": order.type,
            "action": action,
            "from": source,
            "to": order.state,
            "route": order.state,
            "amount": format_yuan(order.amount),
            **(data or {}),
        },
        at=at,
    )


def order_event(
    kind: FulfilmentKind, order, *, actor, at: dt.datetime, data: dict, reason: str = ""
) -> Event:
    """Any other event about one order (insurance, repeat repair): subject and number."""
    return new_event(
        kind,
        dispute_id=order.dispute_id,
        actor=actor,
        reason=reason,
        payload={
            "subject": subject_of(order),
            "aftersale_order": order.pk,
            "number": order.number,
            **data,
        },
        at=at,
    )


def parcel_recorded_event(parcel, *, dispute_id: int, actor, at, actor_label=None) -> Event:
    return new_event(
        FulfilmentKind.PARCEL_RECORDED,
        dispute_id=dispute_id,
        actor=actor,
        actor_label=actor_label,
        payload={
            "aftersale_order": parcel.aftersale_order_id,
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
            "aftersale_order": parcel.aftersale_order_id,
            "parcel": parcel.pk,
            "tracking_no": parcel.tracking_no,
            "moved_at": moved_at.isoformat(),
            "description": description,
            "delivered": delivered,
        },
        at=at,
    )
