"""The customer's endpoints (api.customer): the same URLs as before they moved out of
api.mediation, rate limited per client address, accepting also per dispute; a limited
call answers 429 with the API's JSON error shape, in Chinese."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from aftersales.mediation.models import Proposal
from aftersales.parties.roles import Role
from tests.customer_link import last_link
from tests.mediation.proposal_helpers import (
    CustomerClient,
    comp,
    investigating_dispute,
    proposals_url,
    staff,
)

pytestmark = pytest.mark.django_db


def rates(**overrides):
    return override_settings(RATE_LIMITS={**settings.RATE_LIMITS, **overrides})


@pytest.fixture(autouse=True)
def _counters_from_zero():
    cache.clear()
    yield
    cache.clear()


def sent(api_as, phone="13812341234"):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute(phone=phone)
    pid = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    token, code = last_link(dispute)
    return agent, dispute, pid, token, code


def assert_limited(response):
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    assert error["message"].startswith("请求过于频繁")


def test_the_customer_view_is_limited_per_address(api_as):
    _agent, dispute, pid, token, _code = sent(api_as)
    url = proposals_url(dispute, pid, "customer")
    with rates(customer_ip_minute="10/min"):
        answers = [CustomerClient(token).get(url) for _ in range(13)]
        assert [r.status_code for r in answers[:10]] == [200] * 10
        for response in answers[10:]:
            assert_limited(response)
        # Another address is not held back by this one.
        other = Client(REMOTE_ADDR="198.51.100.4")
        assert other.get(url, headers={"X-Customer-Token": token}).status_code == 200


@pytest.mark.parametrize(
    ("answer", "body"),
    [("reject", {"message": "长" * 1001}), ("counter", {"amount": "-1"})],
)
def test_answers_are_limited_per_address(api_as, answer, body):
    _agent, dispute, pid, token, _code = sent(api_as)
    url = proposals_url(dispute, pid, answer)
    customer = CustomerClient(token)
    with rates(customer_ip_minute="10/min"):
        answers = [customer.post(url, body) for _ in range(12)]
    assert [r.status_code for r in answers[:10]] == [422] * 10
    for response in answers[10:]:
        assert_limited(response)
    assert Proposal.objects.get(pk=pid).state == "sent"


def test_code_tries_are_limited_per_dispute(api_as):
    _agent, dispute, pid, token, code = sent(api_as)
    url = proposals_url(dispute, pid, "accept")
    wrong = "000000" if code != "000000" else "111111"
    with rates(customer_code_dispute="10/hour"):
        answers = [
            Client(REMOTE_ADDR=f"203.0.113.{n}").post(
                url,
                {"code": wrong},
                content_type="application/json",
                headers={"X-Customer-Token": token},
            )
            for n in range(1, 13)
        ]
        codes = [r.json()["error"]["code"] for r in answers]
        assert codes[:5] == ["code_invalid"] * 5
        assert codes[5:10] == ["code_locked"] * 5
        for response in answers[10:]:
            assert_limited(response)
    assert Proposal.objects.get(pk=pid).state == "sent"


def test_the_agreement_pdf_limits_customers_not_staff(api_as):
    agent, dispute, pid, token, code = sent(api_as)
    customer = CustomerClient(token)
    assert customer.post(proposals_url(dispute, pid, "accept"), {"code": code}).status_code == 200
    url = proposals_url(dispute, pid, "agreement.pdf")
    staff_api = api_as(agent)
    staff_api.client = Client(REMOTE_ADDR="203.0.113.7")  # the customer's address, too
    cache.clear()  # the acceptance counted too
    with rates(customer_ip_minute="10/min"):
        assert [customer.get(url).status_code for _ in range(10)] == [200] * 10
        assert_limited(customer.get(url))
        response = staff_api.client.get(url, headers=staff_api.headers())
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"


def test_the_customer_urls_answer_as_before(api_as):
    _agent, dispute, pid, token, code = sent(api_as)
    customer = CustomerClient(token)
    seen = customer.get(proposals_url(dispute, pid, "customer"))
    assert seen.status_code == 200 and seen.json()["state"] == "sent"
    assert customer.get(proposals_url(dispute, pid, "customer")).json()["total_amount"] == "120.00"
    assert CustomerClient("nope").get(proposals_url(dispute, pid, "customer")).status_code == 401
    accepted = customer.post(proposals_url(dispute, pid, "accept"), {"code": code})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert accepted.json()["agreement"]["customer_method"] == "one_time_code"
