"""Text no database can store (NUL, lone surrogates) and out-of-range numbers are refused
as ordinary validation errors, never a 500 — on PostgreSQL as on SQLite."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.disputes.models import Dispute, Event, Evidence
from aftersales.parties.models import Customer
from tests.conftest import intake_body
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"


@pytest.fixture
def client(agent, api_as):
    return api_as(agent)


@pytest.fixture
def dispute(db):
    return make_dispute()


def counts():
    return (
        Dispute.objects.count(),
        Customer.objects.count(),
        Event.objects.count(),
        Evidence.objects.count(),
    )


def assert_field_error(response, field):
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "漏水\x00"}, "description"),
        ({"order_no": "T\x001"}, "order_no"),
        ({"external_ref": "\x00"}, "external_ref"),
        ({"customer": {"name": "张\x00三", "phone": "13812341234"}}, "customer.name"),
        ({"product_name": "\ud800"}, "product_name"),
    ],
)
def test_intake_refuses_unstorable_text(client, order, overrides, field):
    before = counts()
    assert_field_error(client.post(URL, intake_body(order, **overrides)), field)
    assert counts() == before


def test_lone_surrogate_sent_as_json_escape(client, order):
    raw = json.dumps(intake_body(order), ensure_ascii=False).replace('"电热水器"', '"\\udc80"')
    response = client.client.post(
        URL, data=raw, content_type="application/json", headers=client.headers()
    )
    assert_field_error(response, "product_name")


def test_action_refuses_unstorable_reason_and_payload(client, dispute):
    before = counts()
    url = f"{URL}/{dispute.number}/actions"
    body = {"action": "withdraw", "version": 1}
    assert_field_error(client.post(url, {**body, "reason": "不要了\x00"}), "reason")
    assert_field_error(client.post(url, {**body, "note": "\ud800"}), "note")
    assert_field_error(client.post(url, {**body, "x\x00": 1}), "body")
    assert counts() == before
    assert Dispute.objects.get(pk=dispute.pk).version == 1


def test_assignment_refuses_unstorable_names(client, dispute):
    response = client.post(f"{URL}/{dispute.number}/assignment", {"version": 1, "team": "a\x00"})
    assert_field_error(response, "team")


def test_queue_refuses_unstorable_query(client):
    assert_field_error(client.get(URL, q="漏水\x00"), "q")
    assert_field_error(client.get(URL, assignee="\x00"), "assignee")


def test_evidence_note_refuses_unstorable_text(client, dispute, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.upload(
        f"{URL}/{dispute.number}/evidence",
        {"file": SimpleUploadedFile("a.txt", "聊天记录".encode())},
        data={"note": "n\x00"},
    )
    assert_field_error(response, "note")
    assert Evidence.objects.count() == 0


def test_number_with_nul_is_404(client):
    response = client.client.get(f"{URL}/SH%00", headers=client.headers())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_idempotency_key_with_nul_is_422(client, order):
    before = counts()
    response = client.post(URL, intake_body(order), headers={"Idempotency-Key": "k\x00"})
    assert_field_error(response, "Idempotency-Key")
    assert counts() == before


@pytest.mark.parametrize("page", ["100001", "99999999999999999999"])
def test_page_beyond_any_offset_is_422(client, page):
    assert_field_error(client.get(URL, page=page), "page")


def test_last_allowed_page_is_empty_not_an_error(client):
    response = client.get(URL, page=100_000, page_size=200)
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "value", ["0001-01-01", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:00+08:00"]
)
def test_occurred_at_before_2000_is_422(client, order, value):
    before = counts()
    response = client.post(URL, intake_body(order, occurred_at=value))
    assert_field_error(response, "occurred_at")
    assert "2000" in response.json()["error"]["fields"]["occurred_at"]
    assert counts() == before


def test_occurred_at_in_range_is_kept_in_shanghai_time(client, order):
    response = client.post(URL, intake_body(order, occurred_at="2026-01-01T10:00"))
    assert response.status_code == 201
    assert response.json()["occurred_at"] == "2026-01-01T10:00:00+08:00"
