"""Builders of the timeline events intake writes, shared by single and bulk intake.
They return unsaved events; the caller saves one or bulk-creates many."""

from django.utils.translation import gettext as _

from .lifecycle import Status
from .models import Dispute, Event


def intake_event(dispute: Dispute, *, actor, actor_label: str, payload: dict) -> Event:
    return Event(
        dispute=dispute,
        kind=Event.Kind.INTAKE,
        to_status=Status.RECEIVED,
        actor=actor,
        actor_label=actor_label,
        payload=payload,
        at=dispute.received_at,
    )


def acknowledgement_event(dispute: Dispute, message) -> Event:
    return Event(
        dispute=dispute,
        kind=Event.Kind.ACKNOWLEDGEMENT,
        actor_label="system",
        payload={
            "message_id": message.pk,
            "channel": message.channel,
            "subject": message.subject,
            "body": message.body,
        },
        at=dispute.received_at,
    )


def duplicate_event(dispute: Dispute, original_number: str, *, basis: str = "order") -> Event:
    """`basis`: "order" (the same order has an open dispute) or "customer" (the same
    customer has one, on another order)."""
    reason = (
        _("同一订单已有未结投诉 %(number)s")
        if basis == "order"
        else _("该顾客已有未结投诉 %(number)s")
    )
    return Event(
        dispute=dispute,
        kind=Event.Kind.DUPLICATE_FLAGGED,
        actor_label="system",
        reason=reason % {"number": original_number},
        payload={"duplicate_of": original_number, "basis": basis},
        at=dispute.received_at,
    )


def placement(team, assignee) -> dict:
    """Where a dispute sits, as an assignment event records it: team code, username."""
    return {
        "team": team.code if team else None,
        "assignee": assignee.get_username() if assignee else None,
    }


def assigned_event(
    dispute: Dispute, *, actor, actor_label: str, before: dict, after: dict, at
) -> Event:
    """`dispute_assign`'s event (also built in bulk by the demo): `before` and `after`
    as `placement` gives them."""
    return Event(
        dispute=dispute,
        kind=Event.Kind.ASSIGNED,
        actor=actor,
        actor_label=actor_label,
        payload={"before": before, "after": after},
        at=at,
    )
