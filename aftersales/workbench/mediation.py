"""The mediation sections of a dispute's workbench page: statutory entitlements with
their basis and implied deadlines, the investigation (department tasks and reports, case
meeting, responsibility, escalations with their outside deadlines) and the proposals with
their state and approvals — and the forms of each, shown only when the lifecycle and the
user's permissions allow (`mediation_panels`). Everything comes from the mediation
selectors (what the page shares, read once: `dispute_page.PageReads`); this module only
puts labels on it for the template."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from aftersales.disputes import permissions as can
from aftersales.disputes.grants import Op
from aftersales.disputes.lifecycle import (
    Action,
    CaseFacts,
    EscalationRoute,
    Status,
    allowed_actions,
    missing_before_proposal,
)
from aftersales.disputes.models import Dispute, Task
from aftersales.disputes.permissions import can_view_proposals
from aftersales.mediation import (
    authority,
    proposal_drafts,
    proposal_selectors,
    proposals,
    selectors,
)
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation import workbench_selectors as reads
from aftersales.mediation.models import Escalation, ProposalState
from aftersales.mediation.remedies import RemedyItem
from aftersales.parties.roles import Department, Role

from . import mediation_forms as f
from . import proposal_forms as pf


def _entitlements(dispute: Dispute, gathered=None) -> dict[str, Any]:
    view = selectors.dispute_entitlements_view(dispute, gathered=gathered)
    rows = []
    for row in view.rows:
        ent = row.entitlement
        deadline = ""
        if ent.merchant_deadline_days is not None:
            deadline = _("%(start)s %(days)s 日内") % {
                "start": row.deadline_from or "",
                "days": ent.merchant_deadline_days,
            }
            deadline = deadline.strip()
        rows.append(
            {
                "label": row.label,
                "code": ent.remedy.value,
                "amount": ent.amount,
                "shipping": selectors.PAYER_LABELS.get(ent.shipping_paid_by, "—"),
                "deadline": deadline,
                "overdue_after": row.overdue_after,
                "basis": ent.basis,
                "rules": "、".join(ent.rules),
            }
        )
    return {
        "evaluated": view.evaluated,
        "missing": list(view.dispute_facts.missing.values()),
        "rows": rows,
        "windows": view.windows,
        "notes": view.notes,
    }


def _report(report) -> dict[str, Any] | None:
    if report is None:
        return None
    findings = []
    if report.defect_found is not None:
        findings.append(_("有缺陷") if report.defect_found else _("无缺陷"))
    if report.defect_severity:
        findings.append(str(rules.DefectSeverity(report.defect_severity).label))
    if report.trace_status:
        findings.append(str(rules.TraceStatus(report.trace_status).label))
    if report.rules_honoured is not None:
        findings.append(_("符合活动规则") if report.rules_honoured else _("不符合活动规则"))
    return {
        "kind": rules.ReportKind(report.kind).label,
        "findings": "，".join(findings),
        "text": report.text,
        "photos": len(report.photos.all()),
        "filed_by": report.filed_by.get_username() if report.filed_by else "—",
        "filed_at": report.filed_at,
    }


def _investigation(dispute: Dispute, found=None) -> dict[str, Any]:
    found = found or selectors.dispute_investigation(dispute)
    findings = [
        {
            "shares": "，".join(f"{rules.Party(p).label} {n}%" for p, n in f.shares.items() if n),
            "root_causes": "、".join(str(rules.RootCause(c).label) for c in f.root_causes),
            "note": f.note,
            "decided_by": f.decided_by.get_username() if f.decided_by else "—",
            "decided_at": f.decided_at,
        }
        for f in found.findings
    ]
    return {
        "tasks": [{"task": t, "report": _report(getattr(t, "report", None))} for t in found.tasks],
        "meetings": found.meetings,
        # What a complex or major dispute still lacks before a proposal (the guard's rule).
        "missing": missing_before_proposal(
            CaseFacts(
                severity=dispute.severity,
                case_meeting_held=bool(found.meetings),
                responsibility_determined=bool(found.findings),
            )
        ),
        "finding": findings[-1] if findings else None,
        "earlier_findings": len(findings) - 1 if findings else 0,
        "escalations": [
            {
                "e": e,
                "route": EscalationRoute(e.route).label,
                "outcome": rules.Outcome(e.outcome).label if e.outcome else "",
                "deadlines": found.timers.get(e.route, []),
            }
            for e in found.escalations
        ],
    }


def _revision(revision) -> dict[str, Any]:
    done = {a.step for a in revision.approvals.all() if a.decision == a.Decision.APPROVED}
    required = []
    for raw in revision.required_approvals:
        req = authority.Requirement.from_dict(raw)
        required.append({"label": proposals.requirement_label(req), "done": req.step in done})
    return {
        "r": revision,
        "total": f"{revision.total_amount:,.2f}",
        "authority": f"{revision.authority_amount:,.2f}",
        "lines": [proposals.remedy_line(RemedyItem.from_dict(d)) for d in revision.remedies],
        "shortfalls": [proposal_drafts.shortfall_message(s) for s in revision.shortfalls],
        "required": required,
        "approvals": [
            {
                "a": a,
                "role": Role(a.approver_role).label if a.approver_role else "—",
            }
            for a in revision.approvals.all()
        ],
    }


def _proposals(dispute: Dispute) -> list[dict[str, Any]]:
    out = []
    for p in proposal_selectors.dispute_proposals(dispute):
        agreement = getattr(p, "agreement", None)  # the reverse one-to-one, when there
        out.append(
            {
                "p": p,
                "revisions": [_revision(r) for r in reversed(p.revisions.all())],
                "agreement": agreement,
                "pdf_url": (
                    f"/api/v1/disputes/{dispute.number}/proposals/{p.pk}/agreement.pdf"
                    if agreement is not None and agreement.sha256
                    else ""
                ),
            }
        )
    return out


def mediation_context(dispute: Dispute, user, reads=None) -> dict[str, Any]:
    """The three sections; proposals only for those who take part in mediation.
    `reads`: what the page read already (its investigation and facts)."""
    return {
        "entitlements": _entitlements(dispute, reads.facts if reads else None),
        "investigation": _investigation(dispute, reads.investigation if reads else None),
        "proposals": _proposals(dispute) if can_view_proposals(user) else None,
    }


def context(request, dispute: Dispute, bound: dict, reads=None) -> dict[str, Any]:
    """The dispute page's mediation sections (dispute_page), with their forms."""
    found = mediation_context(dispute, request.user, reads)
    evidence = sorted(reads.evidence, key=lambda e: e.pk) if reads else None
    found["med"] = panels(
        request.user, dispute, bound, found, evidence=evidence, timeline=reads and reads.timeline
    )
    return found


# -- the forms, each only where the lifecycle and the user's permissions allow it --------


class _Tracked(dict):
    """The page's failed forms, noting which ones a section showed."""

    def __init__(self, *args):
        super().__init__(*args)
        self.used: set[str] = set()

    def get(self, key, default=None):
        self.used.add(key)
        return super().get(key, default)


def _form(bound: dict, key: str, make):
    """The failed form `key` when the page comes back with it, else a fresh one."""
    return bound.get(key) or make()


def _task_panels(
    user, dispute: Dispute, bound: dict, items: list[dict], evidence=None, timeline=None
) -> None:
    if timeline is None:
        notified = reads.qc_notified_tasks(dispute)
    else:
        notified = selectors.qc_notified_in(timeline)
    for item in items:
        task = item["task"]
        item["notified"] = task.pk in notified
        item["report_form"] = item["qc_form"] = None
        if not dispute.is_open or task.state != Task.State.OPEN:
            continue
        task.dispute = dispute
        if can.may(user, Op.FILE_TASK_REPORT) and can.can_file_task_report(user, task):
            if evidence is None:
                evidence = list(dispute.evidence.order_by("id"))
            kind = rules.report_kind(task.department)
            item["report_form"] = _form(
                bound,
                f"report_{task.pk}",
                lambda kind=kind, pk=task.pk, evidence=evidence: f.TaskReportForm(
                    prefix=f"report-{pk}", kind=kind, evidence=evidence
                ),
            )
        if (
            task.department == Department.QUALITY_CONTROL
            and not item["notified"]
            and can.can_request_task(user)
        ):
            item["qc_form"] = _form(
                bound, f"qc_{task.pk}", lambda t=task: f.QcNotifyForm(prefix=f"qc-{t.pk}")
            )


def _escalation_panels(user, dispute: Dispute, bound: dict, items: list[dict]) -> None:
    progress = can.can_record_escalation_progress(user)
    for item in items:
        e = item["e"]
        item["accept_form"] = item["outcome_form"] = None
        if not progress:
            continue
        if e.state == Escalation.State.FILED:
            item["accept_form"] = _form(
                bound, f"accept_{e.pk}", lambda e=e: f.AcceptanceForm(prefix=f"accept-{e.pk}")
            )
        if e.state != Escalation.State.CONCLUDED:
            item["outcome_form"] = _form(
                bound, f"outcome_{e.pk}", lambda e=e: f.OutcomeForm(prefix=f"outcome-{e.pk}")
            )


def _proposal_panels(user, dispute: Dispute, bound: dict, items: list[dict]) -> dict[str, Any]:
    live = next(
        (i for i in items if i["p"].state not in (ProposalState.ACCEPTED, ProposalState.WITHDRAWN)),
        None,
    )
    ceiling = reads.author_ceiling(user)
    out: dict[str, Any] = {
        "live": live,
        "ceiling": ceiling,
        "ceiling_text": "" if ceiling is None else f"{ceiling:,.2f}",
    }
    propose = can.can_propose(user)
    possible = allowed_actions(dispute.status)
    mediating = Action.PROPOSE in possible or Action.REVISE in possible
    current = live["revisions"][0]["r"] if live else None
    if propose and mediating:
        if current is None:
            out["builder"] = _form(
                bound,
                "proposal",
                lambda: pf.ProposalForm(
                    category=dispute.category, lines=proposal_drafts.standard_draft(dispute)
                ),
            )
        elif current.state in proposal_drafts.REVISABLE:
            out["builder"] = _form(
                bound,
                "proposal",
                lambda: pf.ProposalForm(
                    category=dispute.category,
                    lines=current.remedies,
                    revising=True,
                    initial={"revision": current.number},
                ),
            )
    out["check"] = bound.get("proposal_check")
    if current is None:
        return out
    start = {"revision": current.number}
    waiting = authority.outstanding(
        [authority.Requirement.from_dict(r) for r in current.required_approvals],
        [a.step for a in current.approvals.all() if a.decision == a.Decision.APPROVED],
    )
    if propose and current.state in proposal_drafts.SENDABLE and not waiting:
        out["send"] = _form(bound, "send", lambda: pf.SendForm(prefix="send", initial=start))
    if propose:
        out["withdraw"] = _form(
            bound, "withdraw", lambda: pf.WithdrawForm(prefix="withdraw", initial=start)
        )
    mine = reads.approvals_mine(user, current)
    if mine and can.can_approve_proposals(user):
        out["mine"] = [proposals.requirement_label(r) for r in mine]
        out["decision"] = _form(
            bound, "decision", lambda: pf.DecisionForm(prefix="decision", initial=start)
        )
    return out


def panels(
    user, dispute: Dispute, bound: dict, found: dict[str, Any], *, evidence=None, timeline=None
) -> dict[str, Any]:
    """The mediation forms the user may use on this dispute now (`med` in the template).
    The page found the dispute in the user's scope, so the predicates are asked about
    the operation alone (no scope query each); the views ask again with the dispute.
    `evidence` (oldest first) and `timeline`: the dispute's, when the page read them."""
    bound = _Tracked(bound)
    inv = found["investigation"]
    _task_panels(user, dispute, bound, inv["tasks"], evidence, timeline)
    _escalation_panels(user, dispute, bound, inv["escalations"])
    is_open = dispute.is_open
    out: dict[str, Any] = {}
    if is_open and can.can_request_task(user):
        out["task_request"] = _form(bound, "task_request", lambda: f.TaskRequestForm(prefix="task"))
    if (
        dispute.status == Status.INVESTIGATING
        and can.can_propose(user)
        and not (
            reads.investigation_concluded(dispute)
            if timeline is None
            else selectors.concluded_in(timeline)
        )
    ):
        out["conclude"] = _form(bound, "conclude", lambda: f.ConcludeForm(prefix="conclude"))
    if is_open and can.can_record_case_meeting(user):
        out["meeting"] = _form(bound, "meeting", lambda: f.MeetingForm(prefix="meeting"))
    if is_open and can.can_determine_responsibility(user):
        out["responsibility"] = _form(
            bound, "responsibility", lambda: f.ResponsibilityForm(prefix="resp")
        )
    escalating = Action.ESCALATE in allowed_actions(dispute.status)
    if (escalating or dispute.status == Status.ESCALATED) and can.can_escalate(user):
        out["escalation"] = _form(
            bound,
            "escalation",
            lambda: f.EscalationForm(prefix="esc", initial={"version": dispute.version}),
        )
    if found["proposals"] is not None:
        out |= _proposal_panels(user, dispute, bound, found["proposals"])
    # A form that failed where its form is no longer offered (the task was done, the
    # proposal decided meanwhile): its refusal is shown at the top of the sections.
    out["unplaced"] = [
        form for key, form in bound.items() if isinstance(form, f.Seen) and key not in bound.used
    ]
    return out
