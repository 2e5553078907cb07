"""Shapes of the investigation endpoints (api.investigation): department tasks and their
reports, case meetings, responsibility findings and escalations outside the company, and
how each is rendered from its model."""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from aftersales.disputes.lifecycle import (
    CaseFacts,
    EscalationRoute,
    missing_before_proposal,
)
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation import selectors
from aftersales.sla.selectors import TimerView

from .schemas import ErrorOut

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
BODY_ERRORS = {400: ErrorOut, **ERRORS}  # 400: a body that is not JSON


# -- shapes -----------------------------------------------------------------------------


class ReportIn(Schema):
    text: str = Field(..., max_length=5000)
    defect_found: bool | None = None
    defect_severity: str = ""
    trace_status: str = ""
    rules_honoured: bool | None = None
    photo_ids: list[int] = []


class ReportOut(Schema):
    id: int
    task: int
    kind: str
    text: str
    defect_found: bool | None
    defect_severity: str
    trace_status: str
    rules_honoured: bool | None
    photo_ids: list[int]
    filed_by: str | None
    filed_at: dt.datetime


class TaskOut(Schema):
    id: int
    department: str
    kind: str
    title: str
    state: str
    due_at: dt.datetime | None
    report: ReportOut | None


class TaskRequestIn(Schema):
    department: str
    note: str = Field("", max_length=1000)


class QcNotifyIn(Schema):
    note: str = Field("", max_length=1000)


class ConcludeIn(Schema):
    summary: str = Field(..., max_length=5000)


class ConclusionOut(Schema):
    number: str
    summary: str
    concluded_by: str
    concluded_at: dt.datetime
    # The dispute's SLA timers now: the proposal's two hours among them.
    timers: list[TimerView]


class MeetingIn(Schema):
    held_at: dt.datetime
    attendees: list[str]
    minutes: str = Field(..., max_length=10000)
    decisions: list[str]


class MeetingOut(Schema):
    id: int
    held_at: dt.datetime
    attendees: list[str]
    minutes: str
    decisions: list[str]
    recorded_by: str | None
    recorded_at: dt.datetime


class ResponsibilityIn(Schema):
    # Any values: the rules module explains a wrong share better than a type error.
    shares: dict[str, Any]
    root_causes: list[str]
    note: str = Field("", max_length=5000)


class ShareOut(Schema):
    party: str
    label: str
    percent: int


class FindingOut(Schema):
    id: int
    shares: list[ShareOut]
    root_causes: list[str]
    root_cause_labels: list[str]
    note: str
    decided_by: str | None
    decided_at: dt.datetime


class EscalationIn(Schema):
    version: int
    route: str
    reason: str = Field(..., max_length=5000)
    filed_on: dt.date | None = None  # default: today (Asia/Shanghai)
    body: str = Field("", max_length=200)
    reference: str = Field("", max_length=100)


class AcceptanceIn(Schema):
    accepted_on: dt.date
    reference: str = Field("", max_length=100)


class OutcomeIn(Schema):
    outcome: str
    concluded_on: dt.date | None = None
    note: str = Field("", max_length=5000)


class EscalationOut(Schema):
    id: int
    route: str
    route_label: str
    body: str
    reference: str
    state: str
    filed_on: dt.date
    accepted_on: dt.date | None
    concluded_on: dt.date | None
    outcome: str
    outcome_label: str
    outcome_note: str
    legal_task: int | None
    deadlines: list[TimerView]


class InvestigationOut(Schema):
    number: str
    tasks: list[TaskOut]
    meetings: list[MeetingOut]
    responsibility: FindingOut | None  # the finding in force
    findings: list[FindingOut]  # every finding, oldest first
    escalations: list[EscalationOut]
    # What a complex or major dispute still lacks before `propose` from investigating:
    # "case_meeting", "responsibility"; empty when nothing is (or no longer is) required.
    missing_before_proposal: list[str]


# -- rendering --------------------------------------------------------------------------


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def report_out(report) -> dict:
    return {
        "id": report.pk,
        "task": report.task_id,
        "kind": report.kind,
        "text": report.text,
        "defect_found": report.defect_found,
        "defect_severity": report.defect_severity,
        "trace_status": report.trace_status,
        "rules_honoured": report.rules_honoured,
        "photo_ids": sorted(p.pk for p in report.photos.all()),
        "filed_by": _username(report.filed_by),
        "filed_at": report.filed_at,
    }


def task_out(task) -> dict:
    report = getattr(task, "report", None)
    return {
        "id": task.pk,
        "department": task.department,
        "kind": task.kind,
        "title": task.title,
        "state": task.state,
        "due_at": task.due_at,
        "report": report_out(report) if report is not None else None,
    }


def meeting_out(m) -> dict:
    return {
        "id": m.pk,
        "held_at": m.held_at,
        "attendees": m.attendees,
        "minutes": m.minutes,
        "decisions": m.decisions,
        "recorded_by": _username(m.recorded_by),
        "recorded_at": m.recorded_at,
    }


def finding_out(f) -> dict:
    return {
        "id": f.pk,
        "shares": [
            {"party": p, "label": str(rules.Party(p).label), "percent": n}
            for p, n in f.shares.items()
        ],
        "root_causes": f.root_causes,
        "root_cause_labels": [str(rules.RootCause(c).label) for c in f.root_causes],
        "note": f.note,
        "decided_by": _username(f.decided_by),
        "decided_at": f.decided_at,
    }


def escalation_out(e, deadlines: list) -> dict:
    return {
        "id": e.pk,
        "route": e.route,
        "route_label": str(EscalationRoute(e.route).label),
        "body": e.body,
        "reference": e.reference,
        "state": e.state,
        "filed_on": e.filed_on,
        "accepted_on": e.accepted_on,
        "concluded_on": e.concluded_on,
        "outcome": e.outcome,
        "outcome_label": (str(rules.Outcome(e.outcome).label) if e.outcome else ""),
        "outcome_note": e.outcome_note,
        "legal_task": e.legal_task_id,
        "deadlines": deadlines,
    }


def investigation_out(dispute) -> dict:
    found = selectors.dispute_investigation(dispute)
    findings = [finding_out(f) for f in found.findings]
    return {
        "number": dispute.number,
        "tasks": [task_out(t) for t in found.tasks],
        "meetings": [meeting_out(m) for m in found.meetings],
        "responsibility": findings[-1] if findings else None,
        "findings": findings,
        "escalations": [
            escalation_out(e, found.timers.get(e.route, [])) for e in found.escalations
        ],
        "missing_before_proposal": missing_before_proposal(
            CaseFacts(
                severity=dispute.severity,
                case_meeting_held=bool(found.meetings),
                responsibility_determined=bool(found.findings),
            )
        ),
    }


def escalation_view(dispute, escalation_id: int) -> dict:
    found = selectors.dispute_investigation(dispute)
    (e,) = [e for e in found.escalations if e.pk == escalation_id]
    return escalation_out(e, found.timers.get(e.route, []))
