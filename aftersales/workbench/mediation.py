"""The read-only mediation sections of a dispute's workbench page: statutory entitlements
with their basis and implied deadlines, the investigation (reports, case meeting,
responsibility, escalations with their outside deadlines) and the proposals with their
state and approvals. Everything comes from the mediation selectors; this module only
puts labels on it for the template."""

from __future__ import annotations

from typing import Any

from aftersales.disputes.lifecycle import (
    CaseFacts,
    EscalationRoute,
    missing_before_proposal,
)
from aftersales.disputes.models import Dispute
from aftersales.disputes.permissions import can_view_proposals
from aftersales.mediation import (
    authority,
    proposal_drafts,
    proposal_selectors,
    proposals,
    selectors,
)
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation.remedies import RemedyItem
from aftersales.parties.roles import Role


def _entitlements(dispute: Dispute) -> dict[str, Any]:
    view = selectors.dispute_entitlements_view(dispute)
    rows = []
    for row in view.rows:
        ent = row.entitlement
        deadline = ""
        if ent.merchant_deadline_days is not None:
            deadline = f"{row.deadline_from or ''} {ent.merchant_deadline_days} 日内".strip()
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
        findings.append("有缺陷" if report.defect_found else "无缺陷")
    if report.defect_severity:
        findings.append(str(rules.DefectSeverity(report.defect_severity).label))
    if report.trace_status:
        findings.append(str(rules.TraceStatus(report.trace_status).label))
    if report.rules_honoured is not None:
        findings.append("符合活动规则" if report.rules_honoured else "不符合活动规则")
    return {
        "kind": rules.ReportKind(report.kind).label,
        "findings": "，".join(findings),
        "text": report.text,
        "photos": len(report.photos.all()),
        "filed_by": report.filed_by.get_username() if report.filed_by else "—",
        "filed_at": report.filed_at,
    }


def _investigation(dispute: Dispute) -> dict[str, Any]:
    found = selectors.dispute_investigation(dispute)
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


def mediation_context(dispute: Dispute, user) -> dict[str, Any]:
    """The three sections; proposals only for those who take part in mediation."""
    return {
        "entitlements": _entitlements(dispute),
        "investigation": _investigation(dispute),
        "proposals": _proposals(dispute) if can_view_proposals(user) else None,
    }


def context(request, dispute: Dispute, bound: dict) -> dict[str, Any]:
    """The dispute page's mediation sections (dispute_page)."""
    return mediation_context(dispute, request.user)
