"""An audit of the customer link's API (X-Customer-Token) as a client would call it:
bad amounts and remedies in a counter, answers to a proposal no longer waiting,
Traditional script and markup in messages, too long a text, another dispute's evidence,
English with Accept-Language, and another dispute's number. Every refusal names the
field (or says why in words) and changes nothing."""

import pytest
from django.core.cache import cache
from django.test import Client

from aftersales.mediation.models import Proposal
from tests.api.test_customer_api import sent
from tests.mediation.proposal_helpers import CustomerClient, proposals_url
from tests.portal.conftest import customer_dispute

pytestmark = pytest.mark.django_db

TRADITIONAL = "請問退貨運費由誰負擔？熱水器漏水，謝謝。"


@pytest.fixture(autouse=True)
def _counters_from_zero():
    cache.clear()
    yield
    cache.clear()


def _messages_url(dispute):
    return f"/api/v1/disputes/{dispute.number}/customer/messages"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-50", "amount_negative"),
        ("1000000000", "amount_too_large"),
        ("12.345", "amount_too_precise"),
        ("abc", "amount_not_decimal"),
        ([1, 2], "amount_not_decimal"),
        ({"yuan": 5}, "amount_not_decimal"),
        (12.5, "amount_not_decimal"),
    ],
)
def test_a_counter_with_a_bad_amount_names_the_field(api_as, amount, code):
    _agent, dispute, pid, token, _code = sent(api_as)
    response = CustomerClient(token).post(
        proposals_url(dispute, pid, "counter"), {"remedy": "compensation", "amount": amount}
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert "amount" in error["fields"], error
    assert Proposal.objects.get(pk=pid).state == "sent"


def test_a_counter_with_an_unknown_remedy_names_the_field(api_as):
    _agent, dispute, pid, token, _code = sent(api_as)
    response = CustomerClient(token).post(
        proposals_url(dispute, pid, "counter"), {"remedy": "free_car", "amount": "10"}
    )
    assert response.status_code == 422
    assert "remedy" in response.json()["error"]["fields"]
    assert Proposal.objects.get(pk=pid).state == "sent"


def test_a_counter_in_traditional_script_is_kept(api_as):
    _agent, dispute, pid, token, _code = sent(api_as)
    response = CustomerClient(token).post(
        proposals_url(dispute, pid, "counter"), {"amount": "300", "message": TRADITIONAL}
    )
    assert response.status_code == 200
    revision = Proposal.objects.get(pk=pid).revisions.latest("number")
    assert revision.counter["message"] == TRADITIONAL


def test_answering_an_accepted_proposal_is_409_in_words(api_as):
    _agent, dispute, pid, token, code = sent(api_as)
    client = CustomerClient(token)
    assert client.post(proposals_url(dispute, pid, "accept"), {"code": code}).status_code == 200
    for action, body in (
        ("accept", {"code": code}),
        ("reject", {"message": "不要了"}),
        ("counter", {"amount": "1"}),
    ):
        response = client.post(proposals_url(dispute, pid, action), body)
        assert response.status_code == 409, (action, response.content)
        assert "不需要您答复" in response.json()["error"]["message"]
    assert Proposal.objects.get(pk=pid).state == "accepted"


def test_a_refusal_in_english_with_accept_language(api_as):
    _agent, dispute, pid, token, _code = sent(api_as)
    response = Client().post(
        proposals_url(dispute, pid, "accept"),
        data={"code": ""},
        content_type="application/json",
        headers={"X-Customer-Token": token, "Accept-Language": "en"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert "code" in error["fields"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in error["fields"]["code"]), error


def test_a_message_in_traditional_script_and_markup_comes_back_as_typed(api_as):
    _agent, dispute, _pid, token, _code = sent(api_as)
    text = TRADITIONAL + '<script>alert("x")</script>'
    client = CustomerClient(token)
    response = client.post(_messages_url(dispute), {"text": text})
    assert response.status_code == 201
    assert response.json()["text"] == text
    listed = client.get(_messages_url(dispute)).json()
    assert any(m["text"] == text and m["direction"] == "in" for m in listed)
    assert all(m["author"] == "客服" for m in listed if m["direction"] == "out")


@pytest.mark.parametrize("text", ["", "   ", None, "漏" * 2001])
def test_a_message_blank_or_too_long_names_the_field(api_as, text):
    _agent, dispute, _pid, token, _code = sent(api_as)
    before = dispute.events.count()
    response = CustomerClient(token).post(_messages_url(dispute), {"text": text})
    assert response.status_code == 422
    assert "text" in response.json()["error"]["fields"]
    assert dispute.events.count() == before


def test_another_disputes_evidence_cannot_be_attached(api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales.disputes.evidence import evidence_add
    from aftersales.parties.actors import customer_actor
    from tests.portal.test_tracking import PNG

    _agent, dispute, _pid, token, _code = sent(api_as)
    _c, _o, theirs = customer_dispute("13700002222", name="李四")
    their_file = evidence_add(
        dispute=theirs,
        upload=SimpleUploadedFile("p.png", PNG, content_type="image/png"),
        actor=customer_actor(theirs.customer),
    ).evidence
    before = dispute.events.count()
    response = CustomerClient(token).post(
        _messages_url(dispute), {"text": "見附件", "attachments": [their_file.pk]}
    )
    assert response.status_code in (404, 422)
    assert dispute.events.count() == before


def test_the_link_does_not_open_another_dispute(api_as):
    _agent, _dispute, pid, token, _code = sent(api_as)
    _c, _o, theirs = customer_dispute("13700002222", name="李四")
    client = CustomerClient(token)
    assert client.get(_messages_url(theirs)).status_code == 404
    assert client.post(_messages_url(theirs), {"text": "hi"}).status_code == 404
    assert client.get(proposals_url(theirs, pid, "customer")).status_code == 404
    assert (
        client.get(f"/api/v1/disputes/{theirs.number}/customer/aftersale-orders").status_code == 404
    )


def test_a_bad_token_is_401(api_as):
    _agent, dispute, pid, _token, _code = sent(api_as)
    response = CustomerClient("x" * 300).get(proposals_url(dispute, pid, "customer"))
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("action", "body"),
    [("accept", {"code": "000000"}), ("reject", {"message": "不要"}), ("counter", {"amount": "1"})],
)
def test_an_answer_naming_an_old_revision_is_409_and_answers_nothing(api_as, action, body):
    from aftersales.mediation.models import ProposalRevision
    from tests.customer_link import last_link
    from tests.mediation.proposal_helpers import comp

    agent, dispute, pid, token, _code = sent(api_as)
    client = CustomerClient(token)
    first = client.get(proposals_url(dispute, pid, "customer")).json()["revision"]
    client.post(proposals_url(dispute, pid, "counter"), {"amount": "300", "revision": first})
    revised = api_as(agent).post(
        proposals_url(dispute, pid, "revisions"), {"remedies": comp("200.00"), "reason": "还价"}
    )
    assert revised.status_code in (200, 201), revised.content
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    last_link(dispute)  # delivered: the new code minted
    response = client.post(proposals_url(dispute, pid, action), {**body, "revision": first})
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "revision_superseded"
    newest = ProposalRevision.objects.filter(proposal_id=pid).latest("number")
    assert newest.number == first + 1
    assert newest.state == "sent" and newest.code_attempts == 0
    # Naming the revision now sent answers it.
    ok = client.post(proposals_url(dispute, pid, "reject"), {"revision": newest.number})
    assert ok.status_code == 200 and ok.json()["state"] == "rejected"
