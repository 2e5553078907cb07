"""What triage decides for a complaint at intake, and what it records with it:
classification, routing, assignment, department tasks, routing notifications and
group-complaint membership; the same routing for imported disputes.

Intake calls `triage_plan` before its transaction (reads and CPU only) and
`triage_record` inside it (writes only), so the write lock is held briefly."""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from aftersales.common.fastinsert import build, insert_many
from aftersales.common.text import search_form
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff
from aftersales.parties.models import Team
from aftersales.parties.roles import Role

from . import grouping, selectors
from .classification import classify_one
from .models import GroupComplaint
from .routing import Decision, Facts, route
from .timeline import classified_event, group_flagged_event, routing_event

GROUP_SIGNAL = "集体投诉已确认"


@lru_cache(maxsize=8192)
def _shingles_of(dispute_id: int, search_text: str) -> frozenset[str]:
    """A recent dispute's bigrams: intake compares every new complaint with up to
    GROUP_CANDIDATES_MAX recent ones about the same product, mostly the same ones again,
    so each worker keeps the sets of the disputes it compared lately (keyed on the text
    too, so a changed text is worked out again)."""
    return grouping.shingles(search_text)


@dataclass(frozen=True)
class TriagePlan:
    """What triage decided for a complaint about to be stored."""

    category: str
    categories: tuple[str, ...]
    severity: str
    escalation_risk: bool
    classification: dict
    decision: Decision
    team: Team | None
    assignee: object | None
    group_with: tuple[int, str] | None  # (id, number) of the dispute this one nearly repeats
    group: GroupComplaint | None  # that dispute's open group, if it has one
    group_similarity: float


def triage_plan(
    *,
    text: str,
    channel: str,
    product_id: int | None,
    product_name: str,
    customer_phone: str | None,
    team: Team | None,
    assignee=None,
    now: dt.datetime,
) -> TriagePlan:
    """Classify, route and pick the assignee; find a near-identical recent complaint
    about the same product. Reads only. `team`/`assignee` given (an agent recording a
    phone complaint keeps it) are kept; otherwise a rule's team or `team` (None: the
    default team), and the least-loaded available agent of that team."""
    result = classify_one(text)
    severity, signals = result.severity, list(result.signals)
    group_with, group, group_similarity = None, None, 0.0
    if customer_phone:
        recent = selectors.recent_same_product(
            product_id=product_id,
            product_name=product_name,
            customer_phone=customer_phone,
            since=selectors.group_window_start(now),
        )
        others = [(pk, _shingles_of(pk, search_text)) for pk, _n, search_text in recent]
        number_of = {pk: number for pk, number, _t in recent}
        best, score = grouping.most_similar(grouping.shingles(search_form(text)), others)
        if best is not None and score >= grouping.GROUP_SIMILARITY:
            group_with, group_similarity = (best, number_of[best]), score
            group = selectors.open_group_of(best)
            if group is not None and group.state == GroupComplaint.State.CONFIRMED:
                severity = Severity.MAJOR.value
                signals.append(GROUP_SIGNAL)
    facts = Facts(result.category, severity, result.escalation_risk, channel)
    decision = route(facts, selectors.routing_rules())
    if assignee is None:
        wanted = decision.team_id if decision.team_id is not None else (team.pk if team else None)
        found, assignee = selectors.team_and_agent(wanted)
        if found is None and decision.team_id is not None:  # the rule's team is gone
            found, assignee = selectors.team_and_agent(team.pk if team else None)
        team = found
    return TriagePlan(
        category=result.category,
        categories=tuple(result.categories),
        severity=severity,
        escalation_risk=result.escalation_risk,
        classification={
            "category": result.category,
            "categories": list(result.categories),
            "severity": severity,
            "escalation_risk": result.escalation_risk,
            "confidence": round(result.confidence, 4),
            "signals": signals,
            "model_version": result.model_version,
        },
        decision=decision,
        team=team,
        assignee=assignee,
        group_with=group_with,
        group=group,
        group_similarity=group_similarity,
    )


def triage_record(
    *, dispute: Dispute, plan: TriagePlan, at: dt.datetime, notify: bool = True
) -> tuple[list[Event], list[Task]]:
    """Inside intake's transaction: the classification and routing events, department
    tasks, inbox notifications and group-complaint membership. Returns the events, for
    the caller to store with its own, and the tasks, whose SLA timers the caller starts
    with those of its events. `notify=False`: the caller sends the routing
    notifications later with `triage_notify` (they show the dispute's number)."""
    events = [classified_event(dispute, plan.classification, at)]
    events.append(routing_event(dispute, plan.decision, plan.team, plan.assignee, at))
    tasks = create_tasks(dispute, plan.decision)
    if notify:
        triage_notify(dispute=dispute, plan=plan, at=at)
    if plan.group_with is not None:
        events.append(_join_group(dispute, plan, at))
    return events, tasks


def triage_notify(*, dispute: Dispute, plan: TriagePlan, at: dt.datetime) -> None:
    """The assignee, team lead and management, as the routing decision says."""
    routing_notify(dispute, plan.decision, plan.team, plan.assignee, at)


def create_tasks(dispute, decision: Decision, *, existing=frozenset()) -> list[Task]:
    """The department tasks the decision asks for and the dispute does not have yet.
    Whoever calls this tells the SLA (intake directly; a correction through
    `disputes.handlers`), so triage never imports it."""
    tasks = [
        Task(
            dispute=dispute,
            department=t.department,
            kind=t.kind,
            title=t.title,
        )
        for t in decision.tasks
        if (t.department, t.kind) not in existing
    ]
    insert_many(tasks)
    return tasks


def routing_notify(dispute, decision: Decision, team, assignee, at, *, tasks_created=True) -> None:
    User = get_user_model()
    notes: list[Notification] = []
    summary = f"{dispute.number} · {Category(dispute.category).label}"
    if assignee is not None:
        notes.append(
            Notification(
                recipient=assignee,
                dispute=dispute,
                kind=Notification.Kind.ASSIGNED,
                title=_("新投诉分派给您：%(s)s") % {"s": summary},
                created_at=at,
            )
        )
    lead_id = team.lead_id if team else None
    if decision.team_lead_told_by and lead_id:
        kind = (
            Notification.Kind.MAJOR
            if dispute.severity == Severity.MAJOR
            else Notification.Kind.ESCALATION
        )
        notes.append(
            Notification(
                recipient_id=lead_id,
                dispute=dispute,
                kind=kind,
                title=_("需组长关注：%(s)s（%(sev)s）")
                % {"s": summary, "sev": Severity(dispute.severity).label},
                body=_("触发规则：%(rules)s") % {"rules": "、".join(decision.team_lead_told_by)},
                created_at=at,
            )
        )
    if decision.management_told_by:
        for user_id in User.objects.filter(
            is_active=True, groups__name=Role.MANAGEMENT.value
        ).values_list("id", flat=True):
            notes.append(
                Notification(
                    recipient_id=user_id,
                    dispute=dispute,
                    kind=Notification.Kind.MAJOR,
                    title=_("重大投诉报告：%(s)s") % {"s": summary},
                    body=_("触发规则：%(rules)s")
                    % {"rules": "、".join(decision.management_told_by)},
                    created_at=at,
                )
            )
    notify_staff(notes)


def _join_group(dispute: Dispute, plan: TriagePlan, at) -> Event:
    group = plan.group
    if group is None:
        group = GroupComplaint.objects.create(
            product_id=dispute.product_id,
            product_name=dispute.product_name,
            created_at=at,
        )
        group.disputes.add(plan.group_with[0], dispute)
        lead_id = plan.team.lead_id if plan.team else None
        if lead_id:
            notify_staff(
                [
                    Notification(
                        recipient_id=lead_id,
                        dispute=dispute,
                        kind=Notification.Kind.GROUP_COMPLAINT,
                        title=_("疑似集体投诉：%(product)s")
                        % {"product": dispute.product_name or "—"},
                        body=_("多位顾客一周内就同一商品提出相近投诉，请确认是否为集体投诉。"),
                        created_at=at,
                    )
                ]
            )
    else:
        # The dispute is new, so it cannot be a member yet: a plain INSERT of the link
        # (no m2m signal is listened to).
        members = GroupComplaint.disputes.through
        insert_many([members(groupcomplaint_id=group.pk, dispute_id=dispute.pk)])
    original = plan.group_with[1]
    return group_flagged_event(
        dispute, group, similar_to=original, similarity=plan.group_similarity, at=at
    )


def route_imported(
    disputes: list[Dispute], *, ended_too: bool = False
) -> tuple[list[Task], list[Event]]:
    """Routing for imported open disputes, set-based: department tasks and one routing
    event each (unsaved, for the import to insert). Imports are not auto-assigned and
    send no inbox notifications: a team lead distributes them. `ended_too`: route ended
    disputes as well (the demo replays histories that were routed at intake)."""
    rules = selectors.routing_rules()
    tasks: list[Task] = []
    events: list[Event] = []
    for d in disputes:
        if not d.is_open and not ended_too:
            continue
        decision = route(Facts(d.category, d.severity, d.escalation_risk, d.channel), rules)
        tasks += [
            build(Task, dispute=d, department=t.department, kind=t.kind, title=t.title)
            for t in decision.tasks
        ]
        events.append(routing_event(d, decision, d.team, None, d.received_at))
    return tasks, events
