"""Writes of escalation (升级, SPEC §9): each route outside the company filed, accepted by
the outside body, and concluded. The first route moves the dispute to `escalated`
through the lifecycle (`dispute_apply`); the body's own deadlines (legal.md §5) run as
SLA timers; legal always takes part, through a legal task."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes import lifecycle
from aftersales.disputes.lifecycle import EscalationRoute, Status
from aftersales.disputes.messages import lifecycle_error
from aftersales.disputes.models import Dispute, Task
from aftersales.disputes.permissions import can_escalate, can_record_escalation_progress
from aftersales.disputes.services import dispute_apply, lock_at_version
from aftersales.disputes.timeline import record
from aftersales.parties.actors import user_of
from aftersales.parties.roles import Department
from aftersales.sla import timers as sla_timers
from aftersales.sla.calendar import SHANGHAI, UnknownYear, to_shanghai
from aftersales.sla.models import Timer

from . import investigation_rules as rules
from .investigation import _text
from .models import Escalation
from .timeline import MediationKind

LEGAL_TASK_KIND = "external_case"
REFERENCE_MAX = 100
BODY_MAX = 200
FILED_BEFORE_INTAKE = dt.timedelta(days=365)


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 of `day` in Asia/Shanghai: outside deadlines count from the day after the
    filing or acceptance day (legal.md D2, D6), so their clocks start at its end."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def _check_date(value: dt.date, field: str, *, not_before: dt.date | None = None) -> None:
    today = timezone.localdate()
    if value > today:
        message = _("日期不能晚于今天")
        raise ValidationFailed(message, fields={field: message})
    if not_before is not None and value < not_before:
        message = _("日期不能早于 %(day)s") % {"day": not_before.isoformat()}
        raise ValidationFailed(message, fields={field: message})


def _deadline_payload(timers: list[Timer]) -> list[dict]:
    return [
        {"kind": t.kind.code, "due_at": to_shanghai(t.due_at).isoformat(), "rule": t.rule}
        for t in timers
        if t.state == Timer.State.RUNNING
    ]


def _deadlines(
    dispute: Dispute,
    milestone: rules.Milestone,
    route: str,
    since: dt.datetime,
    *,
    escalate_applied: bool = True,
) -> dict:
    """Tell the SLA timers of a milestone; the deadlines it started, for the event. A
    year the working calendar does not know yet (UnknownYear) does not stop the record:
    the event says why no deadline runs."""
    heard = rules.signals(milestone, route, escalate_applied=escalate_applied)
    try:
        with transaction.atomic():
            sla_timers.timers_on_signals(dispute, heard, since)
    except UnknownYear as exc:
        return {"deadlines": [], "deadlines_unavailable": str(exc)}
    # The route's own clocks now running (the platform's review may have started a
    # moment earlier, on the lifecycle's `escalate`).
    codes = {d.code for d in rules.deadlines_for(route)}
    running = Timer.objects.filter(
        dispute=dispute, kind__code__in=codes, state=Timer.State.RUNNING
    ).select_related("kind")
    return {"deadlines": _deadline_payload(list(running))}


def _legal_task(dispute: Dispute, route: str, at: dt.datetime) -> Task:
    """Legal takes part in every escalated case: its open task, else a new one."""
    task = (
        Task.objects.filter(
            dispute=dispute, department=Department.LEGAL.value, state=Task.State.OPEN
        )
        .order_by("id")
        .first()
    )
    if task is not None:
        return task
    label = EscalationRoute(route).label
    task = Task.objects.create(
        dispute=dispute,
        department=Department.LEGAL.value,
        kind=LEGAL_TASK_KIND,
        title=_("法务：应对外部投诉（%(route)s）") % {"route": label},
    )
    sla_timers.timers_on_tasks(dispute, [task], at)
    return task


def escalation_file(
    *,
    dispute: Dispute,
    actor,
    version: int,
    route: str,
    reason: str,
    filed_on: dt.date,
    body: str = "",
    reference: str = "",
    at: dt.datetime | None = None,
) -> Escalation:
    """Record a route outside the company. On an open dispute in investigation, proposal
    or execution this applies the lifecycle's `escalate`; on one already escalated it adds
    the route (a customer may go to 12315 after the platform). Starts the outside body's
    deadline timers from `filed_on` and makes sure legal has a task."""
    if not can_escalate(actor, dispute):
        raise Forbidden(_("您没有升级投诉的权限"))
    if route not in EscalationRoute.__members__.values():
        choices = "、".join(r.value for r in EscalationRoute)
        message = _("未知的升级途径，可选：%(choices)s") % {"choices": choices}
        raise ValidationFailed(message, fields={"route": message})
    if not (reason or "").strip():
        # The lifecycle's own refusal, so both ways of escalating answer alike.
        refusal = lifecycle.Refusal("reason_required", "reason")
        raise lifecycle_error(lifecycle.GuardRefused(lifecycle.Action.ESCALATE, refusal))
    reason = _text(reason, "reason", 5000)
    body = _text(body, "body", BODY_MAX, required=False)
    reference = _text(reference, "reference", REFERENCE_MAX, required=False)
    now = at or timezone.now()
    with transaction.atomic():
        locked = lock_at_version(dispute, version)
        # A customer may have gone outside before telling us, but not years before.
        earliest = timezone.localtime(locked.received_at).date() - FILED_BEFORE_INTAKE
        _check_date(filed_on, "filed_on", not_before=earliest)
        if (
            Escalation.objects.filter(dispute=locked, route=route)
            .exclude(state=Escalation.State.CONCLUDED)
            .exists()
        ):
            raise _route_open(route)
        escalate_applied = locked.status != Status.ESCALATED
        if escalate_applied:
            # The lifecycle judges the move (and refuses it from, say, `triaged`).
            dispute_apply(
                dispute=locked,
                action=lifecycle.Action.ESCALATE.value,
                actor=actor,
                version=version,
                reason=reason,
                payload={"route": route, "reference": reference, "body": body},
                at=now,
                via=lifecycle.Owner.ESCALATION_FILE,
            )
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    dispute=locked,
                    route=route,
                    body=body,
                    reference=reference,
                    filed_on=filed_on,
                    recorded_by=user_of(actor),
                    recorded_at=now,
                )
        except IntegrityError:  # a concurrent filing of the same route won
            raise _route_open(route) from None
        escalation.legal_task = _legal_task(locked, route, now)
        escalation.save(update_fields=["legal_task"])
        deadlines = _deadlines(
            locked,
            rules.Milestone.FILED,
            route,
            end_of_day(filed_on),
            escalate_applied=escalate_applied,
        )
        record(
            MediationKind.ESCALATION_FILED,
            dispute_id=locked.pk,
            actor=actor,
            at=now,
            payload={
                "escalation": escalation.pk,
                "route": route,
                "body": body,
                "reference": reference,
                "filed_on": filed_on.isoformat(),
                "legal_task": escalation.legal_task_id,
                **deadlines,
            },
            reason=reason,
        )
    return escalation


def _route_open(route: str) -> Conflict:
    label = EscalationRoute(route).label
    return Conflict(
        _("该投诉已有未结束的“%(route)s”途径，请在原记录上登记进展") % {"route": label},
        code="escalation_route_open",
        fields={"route": _("该途径已登记且未结束")},
    )


def _locked(escalation: Escalation) -> Escalation:
    return Escalation.objects.select_for_update().select_related("dispute").get(pk=escalation.pk)


@transaction.atomic
def escalation_accept(
    *,
    escalation: Escalation,
    actor,
    accepted_on: dt.date,
    reference: str = "",
    at: dt.datetime | None = None,
) -> Escalation:
    """The outside body accepted the case (受理/立案): its acceptance deadline is met
    and the next one (e.g. the regulator's mediation period) starts."""
    if not can_record_escalation_progress(actor, escalation.dispute):
        raise Forbidden(_("您没有登记外部途径进展的权限"))
    reference = _text(reference, "reference", REFERENCE_MAX, required=False)
    locked = _locked(escalation)
    if locked.state != Escalation.State.FILED:
        raise Conflict(_("该外部途径已受理或已有结果"), code="escalation_not_filed")
    _check_date(accepted_on, "accepted_on", not_before=locked.filed_on)
    now = at or timezone.now()
    locked.state, locked.accepted_on = Escalation.State.ACCEPTED, accepted_on
    if reference:
        locked.reference = reference
    locked.save(update_fields=["state", "accepted_on", "reference"])
    deadlines = _deadlines(
        locked.dispute, rules.Milestone.ACCEPTED, locked.route, end_of_day(accepted_on)
    )
    record(
        MediationKind.ESCALATION_ACCEPTED,
        dispute_id=locked.dispute_id,
        actor=actor,
        at=now,
        payload={
            "escalation": locked.pk,
            "route": locked.route,
            "reference": locked.reference,
            "accepted_on": accepted_on.isoformat(),
            **deadlines,
        },
    )
    return locked


@transaction.atomic
def escalation_conclude(
    *,
    escalation: Escalation,
    actor,
    outcome: str,
    concluded_on: dt.date,
    note: str = "",
    at: dt.datetime | None = None,
) -> Escalation:
    """The outside route's outcome: its deadline timers stop. The dispute itself moves
    on by a lifecycle action (propose or close), which stays the handler's decision."""
    if not can_record_escalation_progress(actor, escalation.dispute):
        raise Forbidden(_("您没有登记外部途径进展的权限"))
    if outcome not in rules.Outcome.__members__.values():
        choices = "、".join(o.value for o in rules.Outcome)
        message = _("未知的结果，可选：%(choices)s") % {"choices": choices}
        raise ValidationFailed(message, fields={"outcome": message})
    note = _text(note, "note", 5000, required=outcome == rules.Outcome.OTHER)
    locked = _locked(escalation)
    if locked.state == Escalation.State.CONCLUDED:
        raise Conflict(_("该外部途径已登记结果"), code="escalation_concluded")
    _check_date(concluded_on, "concluded_on", not_before=locked.filed_on)
    now = at or timezone.now()
    locked.state, locked.outcome = Escalation.State.CONCLUDED, outcome
    locked.outcome_note, locked.concluded_on = note, concluded_on
    locked.save(update_fields=["state", "outcome", "outcome_note", "concluded_on"])
    sla_timers.timers_on_signals(
        locked.dispute,
        [rules.signal(rules.Milestone.CONCLUDED, locked.route)],
        min(end_of_day(concluded_on), now),
    )
    record(
        MediationKind.ESCALATION_CONCLUDED,
        dispute_id=locked.dispute_id,
        actor=actor,
        at=now,
        payload={
            "escalation": locked.pk,
            "route": locked.route,
            "reference": locked.reference,
            "outcome": outcome,
            "concluded_on": concluded_on.isoformat(),
        },
        reason=note,
    )
    return locked
