"""Triage's timeline events: the classification at intake and its corrections, the
routing decision, group complaints flagged and decided. Built here for the services,
bulk intake and the demo alike."""

import datetime as dt

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy, pgettext_lazy

from aftersales.disputes.models import Event
from aftersales.disputes.timeline import new_event
from aftersales.disputes.timeline_registry import event_kinds, reason_template

from .routing import Decision


@event_kinds
class TriageKind(TextChoices):
    CLASSIFIED = "classified", pgettext_lazy("timeline event", "自动分类")
    RECLASSIFIED = "reclassified", pgettext_lazy("timeline event", "分类更正")
    ROUTED = "routed", pgettext_lazy("timeline event", "分派规则")
    GROUP_FLAGGED = "group_flagged", pgettext_lazy("timeline event", "疑似集体投诉")
    GROUP_DECIDED = "group_decided", pgettext_lazy("timeline event", "集体投诉认定")


GROUP_SIMILAR = reason_template(
    "triage.group_similar", gettext_lazy("与其他顾客的投诉 %(number)s 高度相似")
)


def classified_event(dispute, classification: dict, at: dt.datetime) -> Event:
    """The classifier's labels at intake (`payload` as the plan gives them)."""
    return new_event(
        TriageKind.CLASSIFIED, dispute=dispute, actor_label="system", payload=classification, at=at
    )


def reclassified_event(dispute, *, actor, reason: str, before, after, model_version, at) -> Event:
    return new_event(
        TriageKind.RECLASSIFIED,
        dispute=dispute,
        actor=actor,
        reason=reason,
        payload={"before": before, "after": after, "model_version": model_version},
        at=at,
    )


def routing_event(dispute, decision: Decision, team, assignee, at: dt.datetime) -> Event:
    return new_event(
        TriageKind.ROUTED,
        dispute=dispute,
        actor_label="system",
        payload={
            "rules": list(decision.fired),
            "tasks": [
                {"department": t.department, "kind": t.kind, "title": t.title, "rule": t.rule}
                for t in decision.tasks
            ],
            "team": team.code if team else None,
            "assignee": assignee.get_username() if assignee else None,
            "assignment": "least_loaded" if assignee else None,
            "team_lead_notified_by": list(decision.team_lead_told_by),
            "management_notified_by": list(decision.management_told_by),
        },
        at=at,
    )


def group_flagged_event(dispute, group, *, similar_to: str, similarity: float, at) -> Event:
    return new_event(
        TriageKind.GROUP_FLAGGED,
        dispute=dispute,
        actor_label="system",
        reason=GROUP_SIMILAR(number=similar_to),
        payload={
            "group_id": group.pk,
            "group_state": group.state,
            "similar_to": similar_to,
            "similarity": round(similarity, 3),
        },
        at=at,
    )


def group_decided_event(dispute, group, *, actor, members: int, severity_after: str, at) -> Event:
    """On each member: the team lead's decision, with the severity it left the member at."""
    return new_event(
        TriageKind.GROUP_DECIDED,
        dispute=dispute,
        actor=actor,
        reason=group.reason,
        payload={
            "group_id": group.pk,
            "state": group.state,
            "members": members,
            "severity_before": dispute.severity,
            "severity_after": severity_after,
        },
        at=at,
    )
