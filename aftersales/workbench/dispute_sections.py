"""The dispute page's own sections: header with status, category, severity and clocks;
the allowed lifecycle actions; the customer and order panel; classification; case
facts; evidence; contacts and internal notes; the timeline. (`dispute_actions` holds the
views their forms post to.)"""

from __future__ import annotations

from typing import Any

from aftersales.disputes import selectors
from aftersales.disputes.lifecycle import Action, Status
from aftersales.disputes.models import Dispute
from aftersales.triage.timeline import TriageKind


def _label(choices, code: str) -> str:
    return choices(code).label if code in choices.values else code


def context(request, dispute: Dispute, bound: dict) -> dict[str, Any]:
    timeline = list(selectors.dispute_timeline(dispute))
    for event in timeline:
        # Labels for the codes stored on the event (received → 受理), in the reader's
        # language; a code no longer known shows as itself.
        event.action_label = _label(Action, event.action)
        event.from_label = _label(Status, event.from_status)
        event.to_label = _label(Status, event.to_status)
    classified = next((e for e in reversed(timeline) if e.kind == TriageKind.CLASSIFIED), None)
    return {
        "timeline": timeline,
        "classification": classified.payload if classified else None,
        "tasks": list(dispute.tasks.order_by("created_at", "id")),
        "groups": list(dispute.group_complaints.order_by("-created_at")),
    }
