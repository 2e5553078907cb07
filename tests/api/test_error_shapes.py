"""Every answer under /api/ is the API's error shape {"error": {"code", "message", ...}},
whatever goes wrong and however early: an oversized body (413), a broken multipart body
(400), an unknown path (404), a crash (500, no traceback in the body). Sent as an
attacker would send them: raw bytes over HTTP."""

import json
import logging

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import include, path
from ninja import NinjaAPI

from aftersales.api import errors
from aftersales.mediation.models import Proposal
from aftersales.parties.roles import Role
from aftersales.urls import urlpatterns as real_urlpatterns
from tests.factories import make_dispute
from tests.mediation.proposal_helpers import (
    CustomerClient,
    comp,
    investigating_dispute,
    last_link,
    proposals_url,
    staff,
)

pytestmark = pytest.mark.django_db


class Boom(RuntimeError):
    pass


def plain_view_that_crashes(request):
    raise Boom("secret detail: /srv/aftersales/settings.py")


# An API wired exactly as the real one (errors.register), with one route that crashes.
crash_api = NinjaAPI(urls_namespace="crash-test", auth=None)
errors.register(crash_api)


@crash_api.get("/boom")
def ninja_view_that_crashes(request: HttpRequest):
    raise Boom("secret detail: /srv/aftersales/settings.py")


urlpatterns = [
    path("api/test-crash/", include(crash_api.urls[:2], namespace=crash_api.urls_namespace)),
    path("api/test-plain-crash", plain_view_that_crashes),
    *real_urlpatterns,
]


@pytest.fixture
def crash_urls(settings):
    settings.ROOT_URLCONF = __name__


def error_of(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


@pytest.fixture
def client(agent, api_as):
    return api_as(agent)


# 413: a body over the limit ----------------------------------------------------------


@pytest.mark.parametrize(("language", "message"), [(None, "请求体过大"), ("en", "too large")])
def test_an_oversized_json_body_is_413_json(client, order, settings, language, message):
    from tests.conftest import intake_body

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    client.language = language
    body = intake_body(order, description="漏水" * 2000)
    error = error_of(client.post("/api/v1/disputes", body), 413)
    assert error["code"] == "payload_too_large"
    assert message in error["message"]


def test_an_oversized_body_with_a_session_is_413_json(agent, settings):
    # Session auth checks CSRF, which reads the body before the view does.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    browser = Client()
    browser.force_login(agent)
    response = browser.post(
        "/api/v1/disputes", "x=" + "a" * 5000, content_type="application/x-www-form-urlencoded"
    )
    assert error_of(response, 413)["code"] == "payload_too_large"


# 400: a multipart body that cannot be parsed ------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",  # no boundary at all
        "multipart/form-data; boundary=",  # empty boundary
        "multipart/form-data; boundary=" + "b" * 300,  # longer than RFC 2046 allows
    ],
)
def test_broken_multipart_to_the_evidence_endpoint_is_400_json(client, content_type):
    dispute = make_dispute()
    response = client.client.post(
        f"/api/v1/disputes/{dispute.number}/evidence",
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n--xyz--\r\n',
        content_type=content_type,
        headers=client.headers(),
    )
    error = error_of(response, 400)
    assert error["code"] == "bad_request"
    assert error["message"]
    assert not dispute.evidence.exists()


# 404 and 500 ------------------------------------------------------------------------------


def test_an_unknown_api_path_is_404_json(client):
    error = error_of(client.get("/api/v1/no-such-thing"), 404)
    assert error["code"] == "not_found"


@pytest.mark.parametrize("url", ["/api/test-crash/boom", "/api/test-plain-crash"])
@pytest.mark.parametrize(("language", "message"), [(None, "服务器内部错误"), ("en", "server")])
def test_a_crash_is_500_json_without_the_traceback(crash_urls, caplog, url, language, message):
    browser = Client(raise_request_exception=False)
    headers = {"Accept-Language": language} if language else {}
    with caplog.at_level(logging.ERROR):
        response = browser.get(url, headers=headers)
    error = error_of(response, 500)
    assert error["code"] == "server_error"
    assert message in error["message"].lower()
    assert b"secret detail" not in response.content
    assert b"Traceback" not in response.content
    assert "Boom" in caplog.text  # the operator still has the traceback, in the log


# The counter-offer amount: one money parser, never a 500 ----------------------------------


def sent_proposal(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    created = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()
    assert api_as(agent).post(proposals_url(dispute, created["id"], "send")).status_code == 200
    token, code = last_link(dispute)
    return agent, dispute, created["id"], token, code


@pytest.mark.parametrize(
    ("raw_amount", "message"),
    [
        ('"1e309"', "金额应为以元为单位的数字字符串"),
        ("1e309", "金额应为以元为单位的数字字符串"),  # a JSON number: float infinity
        ('"NaN"', "金额应为以元为单位的数字字符串"),
        ('"Infinity"', "金额应为以元为单位的数字字符串"),
        ('"1E+2"', "金额应为以元为单位的数字字符串"),
        ("199.5", "金额应为以元为单位的数字字符串"),  # a float loses fen
        ('"1.001"', "金额最多保留两位小数（精确到分）"),
        ('"100000000.00"', "金额不能超过"),
        ('"-0.01"', "金额不能为负数"),
    ],
)
def test_a_counter_offer_amount_that_is_not_money_is_422_naming_amount(api_as, raw_amount, message):
    _agent, dispute, pid, token, _code = sent_proposal(api_as)
    customer = CustomerClient(token)
    response = customer.client.post(
        proposals_url(dispute, pid, "counter"),
        data='{"remedy": "compensation", "amount": ' + raw_amount + "}",
        content_type="application/json",
        headers={"X-Customer-Token": token},
    )
    error = error_of(response, 422)
    assert error["code"] == "validation_error"
    assert message in error["fields"]["amount"]
    assert Proposal.objects.get(pk=pid).state == "sent"
    assert not dispute.events.filter(kind="proposal_countered").exists()


def test_a_valid_counter_offer_amount_is_kept_to_the_fen(api_as):
    _agent, dispute, pid, token, _code = sent_proposal(api_as)
    response = CustomerClient(token).post(
        proposals_url(dispute, pid, "counter"), {"remedy": "compensation", "amount": "350.5"}
    )
    assert response.status_code == 200, response.content
    assert Proposal.objects.get(pk=pid).revisions.get().counter["amount"] == "350.50"
    assert json.loads(response.content)["state"] == "countered"
