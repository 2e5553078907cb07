"""Reads of the investigation and escalation (issue 5 items 1, 7): a dispute's
department tasks with their reports, case meetings, responsibility findings and
escalations with their outside deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.timeline import DisputeKind
from aftersales.sla.selectors import timer_views

from . import investigation_rules as rules
from .models import CaseMeeting, Escalation, ResponsibilityFinding
from .timeline import MediationKind


def dispute_task(dispute: Dispute, task_id: int) -> Task:
    """A department task of this dispute; another dispute's task answers 404."""
    task = Task.objects.filter(dispute=dispute, pk=task_id).select_related("dispute").first()
    if task is None:
        raise NotFound(_("该投诉没有任务 %(id)s") % {"id": task_id})
    return task


def dispute_escalation(dispute: Dispute, escalation_id: int) -> Escalation:
    escalation = Escalation.objects.filter(dispute=dispute, pk=escalation_id).first()
    if escalation is None:
        raise NotFound(_("该投诉没有外部途径记录 %(id)s") % {"id": escalation_id})
    return escalation


@dataclass(frozen=True)
class Investigation:
    tasks: list
    meetings: list
    findings: list  # oldest first; the last is in force
    escalations: list
    timers: dict[str, list]  # escalation route -> its outside deadlines' timer views


def dispute_investigation(dispute: Dispute, *, views: list | None = None) -> Investigation:
    """Everything the investigation and escalation recorded on a dispute, in a fixed
    number of queries. `views`: the dispute's timer views when already read
    (`sla.selectors.timer_views`)."""
    tasks = list(
        dispute.tasks.select_related("report", "report__filed_by")
        .prefetch_related("report__photos")
        .order_by("created_at", "id")
    )
    escalations = list(Escalation.objects.filter(dispute=dispute).order_by("filed_on", "id"))
    timers: dict[str, list] = {}
    if escalations:
        if views is None:
            views = timer_views(dispute)
        for e in escalations:
            codes = {d.code for d in rules.deadlines_for(e.route)}
            timers[e.route] = [v for v in views if v.kind in codes]
    return Investigation(
        tasks=tasks,
        meetings=list(CaseMeeting.objects.filter(dispute=dispute).select_related("recorded_by")),
        findings=list(
            ResponsibilityFinding.objects.filter(dispute=dispute).select_related("decided_by")
        ),
        escalations=escalations,
        timers=timers,
    )


# The same answers as `workbench_selectors.qc_notified_tasks` and
# `investigation_milestones._concluded_already`, from a timeline already read (the
# dispute page reads it whole): no query of their own.


def qc_notified_in(timeline: Iterable[Event]) -> set[int]:
    """The tasks QC has been told the goods or photos are ready for."""
    return {
        task
        for e in timeline
        if e.kind == MediationKind.QC_NOTIFIED
        and (task := (e.payload or {}).get("task")) is not None
    }


def concluded_in(timeline: Iterable[Event]) -> bool:
    """Concluded since the dispute last entered investigation."""
    events = list(timeline)
    entered = max(
        (
            e.pk
            for e in events
            if e.kind == DisputeKind.ACTION and e.to_status == Status.INVESTIGATING
        ),
        default=0,
    )
    return any(e.kind == MediationKind.INVESTIGATION_CONCLUDED and e.pk > entered for e in events)
