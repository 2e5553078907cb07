"""Reads of the follow-up: a dispute's visits with the calls made on each, and its
latest closure summary."""

from dataclasses import dataclass

from aftersales.disputes.models import Dispute, Event

from .models import FollowUpVisit
from .timeline import FollowUpKind
from .visits import refund_expected


@dataclass(frozen=True)
class FollowUp:
    visits: list[FollowUpVisit]
    calls: dict[int, list[Event]]  # per visit: its follow_up_recorded events, oldest first
    refund_expected: bool
    closure_summary: Event | None


def dispute_follow_up(dispute: Dispute, *, timeline=None, orders=None) -> FollowUp:
    """`timeline`: the dispute's events when already read (all of them, with their
    actors); `orders`: its after-sale orders when already read."""
    visits = list(
        FollowUpVisit.objects.filter(dispute=dispute)
        .select_related("recorded_by")
        .order_by("created_at", "id")
    )
    if timeline is None:
        timeline = Event.objects.filter(
            dispute=dispute,
            kind__in=[FollowUpKind.FOLLOW_UP_RECORDED, FollowUpKind.CLOSURE_SUMMARY],
        ).select_related("actor")
    ordered = sorted(timeline, key=lambda e: (e.at, e.pk))
    calls: dict[int, list[Event]] = {v.pk: [] for v in visits}
    for event in ordered:
        if event.kind == FollowUpKind.FOLLOW_UP_RECORDED:
            calls.setdefault((event.payload or {}).get("visit"), []).append(event)
    summary = next((e for e in reversed(ordered) if e.kind == FollowUpKind.CLOSURE_SUMMARY), None)
    return FollowUp(visits, calls, refund_expected(dispute.pk, orders), summary)
