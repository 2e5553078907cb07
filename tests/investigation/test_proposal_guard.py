"""A complex or major dispute leaves investigation for a proposal only after its case
meeting and a responsibility finding (the seeds: the mediation team meets on complex
and major cases; the proposal follows clear facts and responsibility). The rule is a
lifecycle guard on the record's facts; `dispute_apply` gathers them from the timeline."""

import pytest
from django.utils import timezone

from aftersales.disputes import lifecycle
from aftersales.disputes.lifecycle import CaseFacts, GuardRefused, Status
from aftersales.disputes.models import Dispute, Event
from aftersales.mediation.models import Proposal
from aftersales.parties.actors import SYSTEM
from aftersales.triage.corrections import dispute_reclassify
from tests.factories import make_dispute, ready_proposal

from .conftest import LEAK, URL, apply, investigating

SEND = lifecycle.Owner.PROPOSAL_SEND  # the door propose comes through
SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"

# -- the pure rule --------------------------------------------------------------------


@pytest.mark.parametrize("severity", ["complex", "major"])
@pytest.mark.parametrize(
    ("meeting", "finding", "missing"),
    [
        (False, False, ["case_meeting", "responsibility"]),
        (True, False, ["responsibility"]),
        (False, True, ["case_meeting"]),
    ],
)
def test_complex_and_major_need_meeting_and_finding(severity, meeting, finding, missing):
    facts = CaseFacts(severity, case_meeting_held=meeting, responsibility_determined=finding)
    with pytest.raises(GuardRefused) as refused:
        lifecycle.decide(Status.INVESTIGATING, "propose", facts=facts, via=SEND)
    assert refused.value.refusal.code == "investigation_incomplete"
    assert refused.value.refusal.params["missing"] == missing


@pytest.mark.parametrize("severity", ["complex", "major"])
def test_with_both_on_record_the_proposal_goes_ahead(severity):
    facts = CaseFacts(severity, case_meeting_held=True, responsibility_determined=True)
    move = lifecycle.decide(Status.INVESTIGATING, "propose", facts=facts, via=SEND)
    assert move.target == Status.PROPOSING


def test_a_general_dispute_needs_neither():
    move = lifecycle.decide(Status.INVESTIGATING, "propose", facts=CaseFacts("general"), via=SEND)
    assert move.target == Status.PROPOSING


def test_after_escalation_the_outside_outcome_is_the_basis():
    move = lifecycle.decide(Status.ESCALATED, "propose", facts=CaseFacts("major"), via=SEND)
    assert move.target == Status.PROPOSING


def test_histories_without_a_record_are_not_judged_on_it():
    # Imported histories and demo data replay moves with no timeline to consult.
    move = lifecycle.decide(Status.INVESTIGATING, "propose", via=SEND)
    assert move.target == Status.PROPOSING
    assert lifecycle.needs_facts(lifecycle.Action.PROPOSE)
    assert not lifecycle.needs_facts(lifecycle.Action.SETTLE)


# -- through the API ----------------------------------------------------------------------


def propose(client, dispute):
    """The lifecycle's propose, through the door that owns it: sending the proposal."""
    proposal = Proposal.objects.get(dispute=dispute)
    return client.post(f"{URL}/{dispute.number}/proposals/{proposal.pk}/send", {})


def proposing(dispute):
    return Dispute.objects.get(pk=dispute.pk).status == Status.PROPOSING


def hold_meeting(client, dispute):
    response = client.post(
        f"{URL}/{dispute.number}/meetings",
        {
            "held_at": timezone.now().isoformat(),
            "attendees": ["组长 王敏", "质检 李工", "法务 赵律师"],
            "minutes": "质检确认漏电；法务认为商家应承担医疗费。",
            "decisions": ["退货退款并赔偿医疗费"],
        },
    )
    assert response.status_code == 201, response.content


def determine(client, dispute):
    response = client.post(
        f"{URL}/{dispute.number}/responsibility",
        {"shares": {"merchant": 70, "supplier": 30}, "root_causes": ["supplier_quality"]},
    )
    assert response.status_code == 201, response.content


def state(dispute):
    d = Dispute.objects.get(pk=dispute.pk)
    return d.status, d.version, Event.objects.filter(dispute=d).count()


@pytest.mark.django_db
def test_a_major_dispute_is_not_proposed_before_meeting_and_finding(api_as, agent, lead):
    dispute = investigating(make_dispute(description=SHOCK))
    assert dispute.severity == "major"
    ready_proposal(dispute)
    before = state(dispute)

    response = propose(api_as(agent), dispute)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "investigation_incomplete"
    assert error["message"] == (
        "重大投诉须先召开案件会议并作出责任认定，才能提出调解方案；尚缺：案件会议、责任认定"
    )
    assert error["fields"]["action"] == error["message"]
    assert error["missing"] == ["case_meeting", "responsibility"]
    assert state(dispute) == before  # nothing moved, nothing written

    hold_meeting(api_as(lead), dispute)
    response = propose(api_as(agent), dispute)
    assert response.status_code == 422
    assert response.json()["error"]["missing"] == ["responsibility"]
    assert response.json()["error"]["message"].endswith("尚缺：责任认定")

    determine(api_as(agent), dispute)
    response = propose(api_as(agent), dispute)
    assert response.status_code == 200, response.content
    assert proposing(dispute)


@pytest.mark.django_db
def test_the_investigation_view_says_what_is_missing(api_as, agent, lead):
    major = investigating(make_dispute(description=SHOCK))

    def missing():
        response = api_as(agent).get(f"{URL}/{major.number}/investigation")
        assert response.status_code == 200, response.content
        return response.json()["missing_before_proposal"]

    assert missing() == ["case_meeting", "responsibility"]
    determine(api_as(agent), major)
    assert missing() == ["case_meeting"]
    hold_meeting(api_as(lead), major)
    assert missing() == []

    general = investigating(make_dispute(description=LEAK))
    response = api_as(agent).get(f"{URL}/{general.number}/investigation")
    assert response.json()["missing_before_proposal"] == []


@pytest.mark.django_db
def test_a_dispute_reclassified_complex_needs_its_meeting(api_as, agent, lead):
    dispute = investigating(make_dispute(description=LEAK))
    dispute = dispute_reclassify(
        dispute=dispute,
        actor=SYSTEM,
        version=dispute.version,
        reason="涉及质检与物流两个部门，责任有争议",
        severity="complex",
    )
    determine(api_as(agent), dispute)
    ready_proposal(dispute)
    response = propose(api_as(agent), dispute)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "复杂投诉须先召开案件会议并作出责任认定，才能提出调解方案；尚缺：案件会议"
    )
    hold_meeting(api_as(lead), dispute)
    assert propose(api_as(agent), dispute).status_code == 200


@pytest.mark.django_db
def test_a_general_dispute_is_proposed_straight_from_investigation(api_as, agent):
    dispute = investigating(make_dispute(description=LEAK))
    assert dispute.severity == "general"
    ready_proposal(dispute)
    response = propose(api_as(agent), dispute)
    assert response.status_code == 200, response.content
    assert proposing(dispute)


@pytest.mark.django_db
def test_an_escalated_major_dispute_is_proposed_on_the_outside_outcome(api_as, agent):
    dispute = investigating(make_dispute(description=SHOCK))
    apply(dispute, "escalate", route="regulator", reason="顾客已向 12315 投诉")
    ready_proposal(dispute)
    response = propose(api_as(agent), dispute)
    assert response.status_code == 200, response.content
