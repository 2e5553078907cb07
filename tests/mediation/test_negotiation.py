"""Negotiation (调解协商): the customer accepts, rejects or counters through the API with
the link they were sent; the agent revises; each step is an event and the dispute moves
only through the lifecycle (propose, revise, settle, escalate). Acceptance item: three
rounds of counter-offers end in acceptance and a settlement PDF."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import DisputeKind
from aftersales.mediation.models import Proposal, ProposalRevision, SettlementAgreement
from aftersales.mediation.timeline import MediationKind
from aftersales.notifications.messages import sms_parts
from aftersales.parties.roles import Role
from tests.customer_link import delivered_text

from .proposal_helpers import (
    CustomerClient,
    apply,
    comp,
    investigating_dispute,
    last_link,
    proposals_url,
    staff,
)

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """Render the PDF with pdftoppm (it must draw) and read its text with pdftotext."""
    source = tmp_path / "agreement.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(source), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 1000 for p in pages)
    return subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="poppler-utils (installed by scripts/setup) is missing",
)


@needs_poppler
def test_three_counter_offers_end_in_acceptance_and_a_settlement_pdf(api_as, tmp_path):
    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    dispute = investigating_dispute(customer_name="王小明", phone="13700001111")
    staff_api = api_as(agent)
    created = staff_api.post(proposals_url(dispute), {"remedies": comp("100.00")}).json()
    pid = created["id"]
    offers = ["100.00", "150.00", "180.00"]
    counters = ["400.00", "350.00", "300.00"]
    for round_no, (offer, counter) in enumerate(zip(offers, counters, strict=True), 1):
        if round_no > 1:
            revised = staff_api.post(
                proposals_url(dispute, pid, "revisions"),
                {"remedies": comp(offer), "reason": f"第 {round_no - 1} 轮还价后调整"},
            )
            assert revised.status_code == 201, revised.content
        sent = staff_api.post(proposals_url(dispute, pid, "send"))
        assert sent.status_code == 200, sent.content
        token, _code = last_link(dispute)
        customer = CustomerClient(token)
        seen = customer.get(proposals_url(dispute, pid, "customer")).json()
        assert (seen["revision"], seen["total_amount"], seen["state"]) == (round_no, offer, "sent")
        answer = customer.post(
            proposals_url(dispute, pid, "counter"),
            {"remedy": "compensation", "amount": counter, "message": "地板泡坏了，补偿太少"},
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["state"] == "countered"

    # Round four: 250 yuan is above the agent's 200, so the team lead approves first.
    final = staff_api.post(
        proposals_url(dispute, pid, "revisions"),
        {"remedies": comp("250.00"), "reason": "第 3 轮还价后折中"},
    ).json()
    assert final["state"] == "pending_approval"
    assert staff_api.post(proposals_url(dispute, pid, "send")).status_code == 409
    approved = api_as(lead).post(proposals_url(dispute, pid, "approve"), {"reason": "折中合理"})
    assert approved.status_code == 200, approved.content
    assert staff_api.post(proposals_url(dispute, pid, "send")).status_code == 200
    token, code = last_link(dispute)
    accepted = CustomerClient(token).post(proposals_url(dispute, pid, "accept"), {"code": code})
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["state"] == "accepted"
    assert len(body["agreement"]["sha256"]) == 64

    # The whole history is kept, each revision as the customer saw and answered it.
    revisions = ProposalRevision.objects.filter(proposal_id=pid).order_by("number")
    assert [(r.state, str(r.total_amount)) for r in revisions] == [
        ("countered", "100.00"),
        ("countered", "150.00"),
        ("countered", "180.00"),
        ("accepted", "250.00"),
    ]
    assert [r.counter["amount"] for r in revisions[:3]] == counters

    # The dispute moved only through the lifecycle: propose, revise × 3, settle.
    d = Dispute.objects.get(pk=dispute.pk)
    assert d.status == "executing"
    moves = list(
        d.events.filter(kind=DisputeKind.ACTION, action__in=["propose", "revise", "settle"])
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert moves == ["propose", "revise", "revise", "revise", "settle"]
    kinds = set(d.events.values_list("kind", flat=True))
    assert {
        "proposal_drafted",
        "proposal_revised",
        "proposal_sent",
        "proposal_countered",
        "proposal_approved",
        "proposal_accepted",
        "agreement_generated",
    } <= kinds

    # The agreement: a PDF with the Chinese party names, the amount and the number.
    pdf = staff_api.client.get(
        proposals_url(dispute, pid, "agreement.pdf"), headers=staff_api.headers()
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    record = SettlementAgreement.objects.get(proposal_id=pid)
    assert pdf["X-Content-SHA256"] == record.sha256 == body["agreement"]["sha256"]
    text = pdf_text(pdf.content, tmp_path)
    compact = "".join(text.split())
    assert "王小明" in compact
    assert d.order.store.name in compact
    assert "250.00" in compact
    assert dispute.number in compact
    assert "调解协议书" in compact


def sent_proposal(api_as, amount="120.00", **kw):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute(**kw)
    created = api_as(agent).post(proposals_url(dispute), {"remedies": comp(amount)}).json()
    assert api_as(agent).post(proposals_url(dispute, created["id"], "send")).status_code == 200
    token, code = last_link(dispute)
    return agent, dispute, created["id"], token, code


def test_the_customer_is_told_in_the_outgoing_message(api_as):
    _agent, dispute, _pid, token, code = sent_proposal(api_as)
    received = delivered_text(dispute)
    # By SMS (the customer has a mobile): the short form — the number, the link and the
    # code; the proposal itself is on the page the link opens, and in the e-mail.
    assert dispute.number in received and "赔偿金" not in received
    assert f"/portal/mediation/{token}/" in received and f"验证码为 {code}" in received
    assert sms_parts(received) <= 2
    page = Client().get(f"/portal/mediation/{token}/")
    assert "120.00" in page.content.decode() and "赔偿" in page.content.decode()
    # What is kept of it says the same, without the link or the code.
    message = dispute.outbound_messages.get(template="proposal")
    assert (message.state, message.subject) == ("sent", f"投诉 {dispute.number} 的调解方案")
    assert "赔偿金 120.00 元" in message.body
    assert token not in message.body and code not in message.body


def test_only_the_link_of_this_dispute_answers(api_as):
    agent, dispute, pid, token, code = sent_proposal(api_as)
    url = proposals_url(dispute, pid, "accept")
    assert CustomerClient("not-a-token").post(url, {"code": code}).status_code == 401
    # A staff bearer token is not the customer's answer.
    staff_try = api_as(agent).post(url, {"code": code})
    assert staff_try.status_code == 401
    _a, _other, _p, other_token, _c = sent_proposal(api_as, phone="13900002222")
    assert CustomerClient(other_token).post(url, {"code": code}).status_code == 404
    assert Proposal.objects.get(pk=pid).state == "sent"
    assert CustomerClient(token).post(url, {"code": code}).status_code == 200


def test_a_rejection_keeps_the_case_in_mediation_until_revised_or_escalated(api_as):
    agent, dispute, pid, token, code = sent_proposal(api_as)
    rejected = CustomerClient(token).post(
        proposals_url(dispute, pid, "reject"), {"message": "我要退货"}
    )
    assert rejected.status_code == 200
    assert rejected.json()["state"] == "rejected"
    event = Event.objects.get(dispute=dispute, kind=MediationKind.PROPOSAL_REJECTED)
    assert (event.reason, event.payload["ip"]) == ("我要退货", "203.0.113.7")
    assert event.actor_label == f"顾客 {dispute.customer.name}"
    assert Dispute.objects.get(pk=dispute.pk).status == "proposing"
    # Answering twice is refused.
    again = CustomerClient(token).post(proposals_url(dispute, pid, "accept"), {"code": code})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_awaiting_answer"

    # The agent escalates (lifecycle); a later acceptance cannot settle behind its back.
    api_as(agent).post(
        proposals_url(dispute, pid, "revisions"),
        {"remedies": comp("150.00"), "reason": "顾客拒绝后调整"},
    )
    api_as(agent).post(proposals_url(dispute, pid, "send"))
    token, code = last_link(dispute)
    apply(dispute, "escalate", route="regulator", reason="顾客已向 12315 投诉")
    late = CustomerClient(token).post(proposals_url(dispute, pid, "accept"), {"code": code})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "action_not_allowed"
    assert Proposal.objects.get(pk=pid).state == "sent"
    assert not SettlementAgreement.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"remedy": "compensation", "amount": "-100"}, "amount", "金额不能为负数"),
        (
            {"remedy": "compensation", "amount": "1.234"},
            "amount",
            "金额最多保留两位小数（精确到分）",
        ),
        ({"remedy": "free_car", "amount": "100"}, "remedy", None),
        ({}, "remedy", "请填写您希望的解决办法、金额或留言"),
    ],
)
def test_a_bad_counter_offer_is_refused_with_a_clear_message(api_as, body, field, message):
    _agent, dispute, pid, token, _code = sent_proposal(api_as)
    response = CustomerClient(token).post(proposals_url(dispute, pid, "counter"), body)
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    if message:
        assert fields[field] == message
    else:
        assert fields[field].startswith("未知的解决办法“free_car”")
    assert Proposal.objects.get(pk=pid).state == "sent"


def test_acceptance_with_the_one_time_code_and_wrong_codes_counted(api_as):
    _agent, dispute, pid, token, code = sent_proposal(api_as)
    customer = CustomerClient(token)
    url = proposals_url(dispute, pid, "accept")
    wrong = "000000" if code != "000000" else "111111"
    response = customer.post(url, {"code": wrong})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["code"] == "验证码不正确"
    assert ProposalRevision.objects.get(proposal_id=pid).code_attempts == 1
    assert customer.post(url, {"code": code}).status_code == 200
    record = SettlementAgreement.objects.get(proposal_id=pid)
    assert (record.customer_method, record.customer_ip) == ("one_time_code", "203.0.113.7")
    assert record.customer_user_agent == "pytest-browser"


def test_accepting_needs_the_code_and_a_missing_one_is_not_a_wrong_try(api_as):
    _agent, dispute, pid, token, code = sent_proposal(api_as)
    customer = CustomerClient(token)
    url = proposals_url(dispute, pid, "accept")
    for body in ({}, {"code": ""}, {"code": "  "}):
        response = customer.post(url, body)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "code_required"
        assert error["fields"]["code"] == "请填写随调解方案发给您的 6 位验证码"
    assert ProposalRevision.objects.get(proposal_id=pid).code_attempts == 0
    assert Proposal.objects.get(pk=pid).state == "sent"
    assert customer.post(url, {"code": code}).status_code == 200


def test_five_wrong_codes_lock_every_acceptance_of_the_revision(api_as):
    _agent, dispute, pid, token, code = sent_proposal(api_as)
    customer = CustomerClient(token)
    url = proposals_url(dispute, pid, "accept")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert customer.post(url, {"code": wrong}).status_code == 422
    for body in ({"code": code}, {}):
        locked = customer.post(url, body)
        assert locked.status_code == 403
        assert locked.json()["error"]["code"] == "code_locked"
    assert Proposal.objects.get(pk=pid).state == "sent"
    assert not SettlementAgreement.objects.filter(proposal_id=pid).exists()
