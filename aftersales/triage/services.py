"""Writes of triage: classification at intake, routing, assignment, group-complaint
detection, agents' corrections (kept as feedback), group-complaint decisions.

Intake calls `triage_plan` before its transaction (reads and CPU only) and
`triage_record` inside it (writes only), so the write lock is held briefly."""

import datetime as dt
import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.fastinsert import build, insert_many
from aftersales.common.text import search_form
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.permissions import can_decide_group_complaint, can_reclassify
from aftersales.disputes.taxonomy import (
    CATEGORY_LABELS,
    SEVERITY_LABELS,
    SEVERITY_RANK,
    Category,
    Severity,
)
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from aftersales.sla import services as sla_services

from . import grouping, selectors
from .models import Feedback, GroupComplaint, ModelVersion
from .routing import Decision, Facts, route

GROUP_SIGNAL = "集体投诉已确认"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _classify_one(classifier, text: str):
    """One text, without sklearn's per-call argument and finiteness checks (the
    vectoriser's output is finite by construction, the arguments are ours): the same
    result, ≈ 0.1 ms less per intake."""
    import sklearn

    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        return classifier.classify(text)


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
    from . import classifier  # loads the model on first use, not at import

    use_active_model()
    result = _classify_one(classifier, text)
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
    events = [
        Event(
            dispute=dispute,
            kind=Event.Kind.CLASSIFIED,
            actor_label="system",
            payload=plan.classification,
            at=at,
        )
    ]
    events.append(_routing_event(dispute, plan.decision, plan.team, plan.assignee, at))
    tasks = _create_tasks(dispute, plan.decision, at, timers=False)
    if notify:
        triage_notify(dispute=dispute, plan=plan, at=at)
    if plan.group_with is not None:
        events.append(_join_group(dispute, plan, at))
    return events, tasks


def triage_notify(*, dispute: Dispute, plan: TriagePlan, at: dt.datetime) -> None:
    """The assignee, team lead and management, as the routing decision says."""
    _notify(dispute, plan.decision, plan.team, plan.assignee, at)


def _routing_event(dispute, decision: Decision, team, assignee, at) -> Event:
    return build(
        Event,
        dispute=dispute,
        kind=Event.Kind.ROUTED,
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


def _create_tasks(
    dispute, decision: Decision, at, *, existing=frozenset(), timers: bool = True
) -> list[Task]:
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
    if timers:
        sla_services.timers_on_tasks(dispute, tasks, at)  # SLA hook: task:<kind>:created
    return tasks


def _notify(dispute, decision: Decision, team, assignee, at, *, tasks_created=True) -> None:
    User = get_user_model()
    notes: list[Notification] = []
    summary = f"{dispute.number} · {CATEGORY_LABELS[Category(dispute.category)]}"
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
                % {"s": summary, "sev": SEVERITY_LABELS[Severity(dispute.severity)]},
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
    return Event(
        dispute=dispute,
        kind=Event.Kind.GROUP_FLAGGED,
        actor_label="system",
        reason=_("与其他顾客的投诉 %(number)s 高度相似") % {"number": original},
        payload={
            "group_id": group.pk,
            "group_state": group.state,
            "similar_to": original,
            "similarity": round(plan.group_similarity, 3),
        },
        at=at,
    )


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
    from aftersales.disputes.services import actor_label, lock_at_version

    if actor is not None and not can_reclassify(actor):
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
            version=F("version") + 1,
            updated_at=now,
        )
        classified = locked.events.filter(kind=Event.Kind.CLASSIFIED).order_by("-at", "-id").first()
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
            actor=actor,
            created_at=now,
        )
        events = [
            Event(
                dispute=locked,
                kind=Event.Kind.RECLASSIFIED,
                actor=actor,
                actor_label=actor_label(actor),
                reason=reason.strip(),
                payload={"before": before, "after": after, "model_version": model_version},
                at=now,
            )
        ]
        locked.refresh_from_db()
        decision = route(
            Facts(locked.category, locked.severity, locked.escalation_risk, locked.channel),
            selectors.routing_rules(),
        )
        existing = frozenset(locked.tasks.values_list("department", "kind"))
        added = _create_tasks(locked, decision, now, existing=existing)
        if added:
            only_new = replace(
                decision,
                tasks=tuple(t for t in decision.tasks if (t.department, t.kind) not in existing),
            )
            events.append(_routing_event(locked, only_new, locked.team, None, now))
            _notify(locked, only_new, locked.team, None, now)
        Event.objects.bulk_create(events)
    return locked


def group_complaint_decide(*, group: GroupComplaint, actor, confirm: bool, reason: str = ""):
    """A team lead confirms (every member becomes major) or dismisses a candidate."""
    from aftersales.disputes.services import actor_label

    if actor is not None and not can_decide_group_complaint(actor):
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
        locked.decided_at, locked.decided_by, locked.reason = now, actor, (reason or "").strip()
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
        Event.objects.bulk_create(
            [
                Event(
                    dispute=d,
                    kind=Event.Kind.GROUP_DECIDED,
                    actor=actor,
                    actor_label=actor_label(actor),
                    reason=locked.reason,
                    payload={
                        "group_id": locked.pk,
                        "state": locked.state,
                        "members": len(members),
                        "severity_before": d.severity,
                        "severity_after": Severity.MAJOR.value if confirm else d.severity,
                    },
                    at=now,
                )
                for d in members
            ]
        )
    return locked


def classify_texts(texts: list[str]) -> list[dict]:
    """Batch classification for imports: one payload per text, as on the timeline."""
    from . import classifier

    use_active_model()
    return _labels(classifier, texts)


def _labels(classifier, texts: list[str]) -> list[dict]:
    import sklearn

    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        results = classifier.classify_many(texts)
    return [
        {
            "category": r.category,
            "categories": list(r.categories),
            "severity": r.severity,
            "escalation_risk": r.escalation_risk,
            "confidence": round(r.confidence, 4),
            "signals": list(r.signals),
            "model_version": r.model_version,
        }
        for r in results
    ]


class BackgroundClassifier:
    """`classify_texts` in a second process, for a large import: it classifies one batch
    while this process writes the one before, so both cores work, and this process never
    loads scikit-learn and the model (≈ 1–2 s of CPU), the other one does meanwhile.
    The model is the active version as `use_active_model` picks it, read once here; the
    payloads are the same. The second process is forked and never touches the database
    (it inherits this one's connection and leaves it alone). None where fork is not
    available: classify in process then."""

    def __init__(self, pool: ProcessPoolExecutor):
        self._pool = pool

    @classmethod
    def start(cls) -> "BackgroundClassifier | None":
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        active = ModelVersion.objects.filter(is_active=True).values_list("path", flat=True)
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_classifier_process_start,
            initargs=(active.first(),),
        )
        return cls(pool)

    def submit(self, texts: list[str]) -> Future:
        return self._pool.submit(_classify_in_process, texts)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _classifier_process_start(active_path: str | None) -> None:
    from . import classifier

    classifier.use_model(classifier.load_model(Path(active_path)) if active_path else None)
    classifier.current_model()  # now, while the importing process reads the file


def _classify_in_process(texts: list[str]) -> list[dict]:
    from . import classifier

    return _labels(classifier, texts)


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
        events.append(_routing_event(d, decision, d.team, None, d.received_at))
    return tasks, events


ACTIVE_MODEL_CHECK_SECONDS = 30
_active_checked_at: float | None = None


def use_active_model(*, force: bool = False) -> None:
    """Make this process classify with the active model version: the newest retrained
    one (`ModelVersion.is_active`), else the base model shipped in the package. Looked
    up at most every ACTIVE_MODEL_CHECK_SECONDS, so a retrain in one process reaches the
    other workers within that time."""
    global _active_checked_at
    from . import classifier

    now = time.monotonic()
    if not force and _active_checked_at is not None:
        if now - _active_checked_at < ACTIVE_MODEL_CHECK_SECONDS:
            return
    _active_checked_at = now
    active = ModelVersion.objects.filter(is_active=True).values_list("version", "path").first()
    current = classifier.current_model()
    if active is None:
        if current.version != classifier.base_version():
            classifier.use_model(None)
    elif active[0] != current.version:
        classifier.use_model(classifier.load_model(Path(active[1])))


def forget_active_model() -> None:
    """Back to the shipped model until the next check reads the active version."""
    global _active_checked_at
    from . import classifier

    classifier.use_model(None)
    _active_checked_at = None


def triage_retrain(*, folds: int = 5, shared: Path | None = None) -> tuple[ModelVersion, dict]:
    """Train a new model on the base labels plus every agent correction (feedback), save
    it under TRIAGE_MODEL_STORE, record it as the active version and use it at once.
    Without the review corpus on this machine the base is our written texts only, and
    the report says so. Returns the version and its evaluation report."""
    from . import classifier, training

    feedback = [
        training.Example(
            text=f.text,
            category=f.category,
            secondary=tuple(f.secondary_categories or ()),
            severity=f.severity,
            source=f"feedback:{f.pk}",
        )
        for f in Feedback.objects.order_by("id")
    ]
    try:
        base, evaluation = training.load_labelled(shared)
        corpus = True
    except training.SharedDataMissing:
        base, evaluation, corpus = training.load_written(), [], False
    artifact = training.train(base, feedback, folds=folds)
    now = timezone.now()
    stem = f"retrain-{now.astimezone(SHANGHAI):%Y%m%d}-"
    n = ModelVersion.objects.filter(version__startswith=stem).count() + 1
    version = f"{stem}{n}"
    while ModelVersion.objects.filter(version=version).exists():
        n += 1
        version = f"{stem}{n}"
    artifact["version"] = version
    report = training.evaluate(artifact, evaluation) if evaluation else {}
    report["review_corpus_used"] = corpus
    directory = Path(settings.TRIAGE_MODEL_STORE) / version
    training.save(artifact, version, directory, report)
    with transaction.atomic():
        ModelVersion.objects.filter(is_active=True).update(is_active=False)
        record = ModelVersion.objects.create(
            version=version,
            path=str(directory),
            trained_at=now,
            examples=len(base) + len(feedback),
            feedback_examples=len(feedback),
            metrics={
                "accuracy": report.get("accuracy"),
                "major_recall": (report.get("major") or {}).get("recall"),
                "review_corpus_used": corpus,
            },
            is_active=True,
        )
    classifier.use_model(classifier.load_model(directory))
    global _active_checked_at
    _active_checked_at = time.monotonic()
    return record, report
