"""`aftersales demo` mediation records: reports, case meetings and findings, proposals
with their revisions, approvals where the amount needs them, and agreements for the
accepted ones; consistent with the authority rules and the dispute states."""

import time

import pytest
from django.db.models import Count

from aftersales.disputes.demo import demo_populate
from aftersales.disputes.models import Dispute, Event
from aftersales.mediation import authority
from aftersales.mediation.demo import populate
from aftersales.mediation.models import (
    CaseMeeting,
    Proposal,
    ProposalApproval,
    ProposalRevision,
    ResponsibilityFinding,
    SettlementAgreement,
    TaskReport,
)
from aftersales.mediation.proposals import ceilings

pytestmark = pytest.mark.django_db


def test_the_demo_disputes_carry_their_mediation_records():
    started = time.monotonic()
    demo_populate(count=400, seed=11)
    elapsed = time.monotonic() - started
    assert elapsed < 30

    assert TaskReport.objects.exists()
    for report in TaskReport.objects.select_related("task")[:50]:
        assert report.task.state == "done" and report.dispute_id == report.task.dispute_id
        if report.kind == "qc":
            assert report.defect_found is not None

    # Complex and major disputes past investigation: a meeting and a finding.
    needing = Dispute.objects.filter(
        severity__in=["complex", "major"], status__in=["executing", "follow_up", "closed"]
    ).filter(events__action="propose")
    assert needing.exists()
    for d in needing.distinct()[:30]:
        assert CaseMeeting.objects.filter(dispute=d).exists()
        finding = ResponsibilityFinding.objects.get(dispute=d)
        assert sum(finding.shares.values()) == 100

    # Proposals follow the timeline: accepted where settled, live where still proposing.
    for status, state in (("proposing", {"sent"}), ("follow_up", {"accepted"})):
        states = set(
            Proposal.objects.filter(dispute__status=status).values_list("state", flat=True)
        )
        assert states and states <= state, (status, states)
    accepted = Proposal.objects.filter(state="accepted")
    assert accepted.count() == SettlementAgreement.objects.count() > 0
    assert not SettlementAgreement.objects.exclude(pdf=b"").exists()  # no PDFs rendered
    # Revisions: one per propose/revise step; earlier ones countered.
    for p in Proposal.objects.annotate(n=Count("revisions"))[:50]:
        assert p.n == p.current_number
        earlier = p.revisions.exclude(number=p.current_number)
        assert set(earlier.values_list("state", flat=True)) <= {"countered"}

    # Approvals where the authority rules ask for them, by the right role.
    limits = ceilings()
    with_approval = 0
    for r in ProposalRevision.objects.prefetch_related("approvals")[:300]:
        required = [authority.Requirement.from_dict(x) for x in r.required_approvals]
        roles = {(a.step, a.approver_role) for a in r.approvals.all()}
        assert roles == {(q.step.value, q.role.value) for q in required}
        for q in required:
            assert authority.can_give(q, {q.role}, amount=r.authority_amount, ceilings=limits)
        with_approval += bool(required)
    assert with_approval and ProposalApproval.objects.exists()
    assert Event.objects.filter(kind=Event.Kind.PROPOSAL_ACCEPTED).count() == accepted.count()

    # Idempotent: a second run adds nothing.
    before = (Proposal.objects.count(), TaskReport.objects.count())
    assert populate(seed=11).proposals == 0
    assert (Proposal.objects.count(), TaskReport.objects.count()) == before
