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


def dispute_follow_up(dispute: Dispute) -> FollowUp:
    visits = list(
        FollowUpVisit.objects.filter(dispute=dispute)
        .select_related("recorded_by")
        .order_by("created_at", "id")
    )
    calls: dict[int, list[Event]] = {v.pk: [] for v in visits}
    for event in (
        Event.objects.filter(dispute=dispute, kind=FollowUpKind.FOLLOW_UP_RECORDED)
        .select_related("actor")
        .order_by("at", "id")
    ):
        calls.setdefault((event.payload or {}).get("visit"), []).append(event)
    summary = (
        Event.objects.filter(dispute=dispute, kind=FollowUpKind.CLOSURE_SUMMARY)
        .order_by("-at", "-id")
        .first()
    )
    return FollowUp(visits, calls, refund_expected(dispute.pk), summary)
