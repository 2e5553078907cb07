"""Staff corrections of triage: an agent reclassifies a dispute (kept as training
feedback, routing runs again for the new facts), a team lead confirms or dismisses a
candidate group complaint."""

from dataclasses import replace

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes import handlers
from aftersales.disputes.models import Dispute
from aftersales.disputes.permissions import can_decide_group_complaint, can_reclassify
from aftersales.disputes.services import lock_at_version
from aftersales.disputes.taxonomy import SEVERITY_RANK, Category, Severity
from aftersales.disputes.timeline import record_many
from aftersales.parties.actors import user_of

from . import selectors
from .models import Feedback, GroupComplaint
from .plan import create_tasks, routing_notify
from .routing import Facts, route
from .timeline import TriageKind, group_decided_event, reclassified_event, routing_event


def dispute_reclassify(
    *,
    dispute: Dispute,
    actor,
    version: int,
    reason: str,
    category: str | None = None,
    severity: str | None = None,
    secondary_categories: list[str] | None = None,
) -> Dispute:
    """An agent corrects category and/or severity. The timeline gets before and after,
    the correction is kept as training feedback, and routing runs again for the new
    facts (tasks a new category needs are added; none are taken away)."""
    if not can_reclassify(actor, dispute):
        raise Forbidden(_("您没有更正分类的权限"))
    fields: dict[str, str] = {}
    if category is not None and category not in Category.__members__.values():
        fields["category"] = _("未知的分类“%(v)s”") % {"v": category}
    if severity is not None and severity not in Severity.__members__.values():
        fields["severity"] = _("未知的严重程度“%(v)s”") % {"v": severity}
    for code in secondary_categories or ():
        if code not in Category.__members__.values():
            fields["secondary_categories"] = _("未知的分类“%(v)s”") % {"v": code}
    if category is None and severity is None and secondary_categories is None:
        fields["category"] = _("请至少更正分类或严重程度之一")
    if not (reason or "").strip():
        fields["reason"] = _("更正分类须写明原因")
    if fields:
        raise ValidationFailed(_("分类更正有误"), fields=fields)
    now = timezone.now()
    with transaction.atomic():
        locked = lock_at_version(dispute, version)
        before = {
            "category": locked.category,
            "categories": list(locked.secondary_categories or []),
            "severity": locked.severity,
        }
        after = dict(before)
        if category is not None:
            after["category"] = category
        if secondary_categories is not None:
            after["categories"] = [c for c in dict.fromkeys(secondary_categories)]
        after["categories"] = [c for c in after["categories"] if c != after["category"]]
        if severity is not None:
            after["severity"] = severity
        if after == before:
            raise ValidationFailed(
                _("分类与严重程度没有变化"), fields={"category": _("与当前相同")}
            )
        Dispute.objects.filter(pk=locked.pk).update(
            category=after["category"],
            secondary_categories=after["categories"],
            severity=after["severity"],
            severity_rank=SEVERITY_RANK[Severity(after["severity"])],
            needs_review=False,  # a person has looked: no longer 待复核
            version=F("version") + 1,
            updated_at=now,
        )
        classified = locked.events.filter(kind=TriageKind.CLASSIFIED).order_by("-at", "-id").first()
        model_version = classified.payload.get("model_version", "") if classified else ""
        Feedback.objects.create(
            dispute=locked,
            text=locked.description,
            category=after["category"],
            secondary_categories=after["categories"],
            severity=after["severity"],
            before=before,
            model_version=model_version,
            reason=reason.strip(),
            actor=user_of(actor),
            created_at=now,
        )
        events = [
            reclassified_event(
                locked,
                actor=actor,
                reason=reason.strip(),
                before=before,
                after=after,
                model_version=model_version,
                at=now,
            )
        ]
        locked.refresh_from_db()
        decision = route(
            Facts(locked.category, locked.severity, locked.escalation_risk, locked.channel),
            selectors.routing_rules(),
        )
        existing = frozenset(locked.tasks.values_list("department", "kind"))
        added = create_tasks(locked, decision, existing=existing)
        if added:
            # SLA timers (task:<kind>:created), and whoever else follows new tasks.
            handlers.tell(handlers.TasksCreated(dispute=locked, tasks=tuple(added), at=now))
            only_new = replace(
                decision,
                tasks=tuple(t for t in decision.tasks if (t.department, t.kind) not in existing),
            )
            events.append(routing_event(locked, only_new, locked.team, None, now))
            routing_notify(locked, only_new, locked.team, None, now)
        record_many(events)
    return locked


def group_complaint_decide(*, group: GroupComplaint, actor, confirm: bool, reason: str = ""):
    """A team lead confirms (every member becomes major) or dismisses a candidate."""
    if not can_decide_group_complaint(actor):
        raise Forbidden(_("只有组长或管理员可以认定集体投诉"))
    if not confirm and not (reason or "").strip():
        raise ValidationFailed(_("排除集体投诉须写明原因"), fields={"reason": _("必填")})
    now = timezone.now()
    with transaction.atomic():
        locked = GroupComplaint.objects.select_for_update().get(pk=group.pk)
        if locked.state != GroupComplaint.State.CANDIDATE:
            raise Conflict(
                _("该集体投诉已被认定为“%(state)s”") % {"state": locked.get_state_display()},
                code="group_decided",
            )
        locked.state = GroupComplaint.State.CONFIRMED if confirm else GroupComplaint.State.DISMISSED
        locked.decided_at, locked.decided_by = now, user_of(actor)
        locked.reason = (reason or "").strip()
        locked.save(update_fields=["state", "decided_at", "decided_by", "reason"])
        members = list(locked.disputes.select_for_update().order_by("id"))
        raised = [d for d in members if confirm and d.severity != Severity.MAJOR]
        if raised:
            Dispute.objects.filter(pk__in=[d.pk for d in raised]).update(
                severity=Severity.MAJOR,
                severity_rank=SEVERITY_RANK[Severity.MAJOR],
                version=F("version") + 1,
                updated_at=now,
            )
        record_many(
            [
                group_decided_event(
                    d,
                    locked,
                    actor=actor,
                    members=len(members),
                    severity_after=Severity.MAJOR.value if confirm else d.severity,
                    at=now,
                )
                for d in members
            ]
        )
    return locked
