"""POST/GET /api/v1/disputes: intake, idempotency, duplicates, validation, search, queue."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event
from aftersales.notifications.models import OutboundMessage
from aftersales.parties.models import Customer
from aftersales.parties.roles import Role
from tests.conftest import intake_body
from tests.factories import OrderFactory, TeamFactory, make_dispute, make_staff, staff_note

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"
NUMBER = re.compile(r"^SH(\d{8})(\d{6})$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def shanghai_days() -> set[str]:
    now = timezone.now()
    # Either side of a test that runs across midnight.
    return {
        (now + delta).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
        for delta in (dt.timedelta(0), dt.timedelta(seconds=-5), dt.timedelta(seconds=5))
    }


def counts():
    return (
        Dispute.objects.count(),
        Customer.objects.count(),
        Event.objects.count(),
        OutboundMessage.objects.count(),
    )


def assert_error_shape(body, code=None):
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error)
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    if code:
        assert error["code"] == code


@pytest.fixture
def client(agent, api_as):
    return api_as(agent)


# --- intake ----------------------------------------------------------------------------


def test_create_returns_201_with_number_and_acknowledgement(client, order):
    response = client.post(URL, intake_body(order))
    assert response.status_code == 201, response.content
    body = response.json()
    match = NUMBER.match(body["number"])
    assert match, body["number"]
    assert match.group(1) in shanghai_days()
    assert body["status"] == "received"
    assert body["status_label"] == "受理"
    assert body["category"] == "quality"  # 漏水: classified at intake
    assert body["severity"] == "general"
    assert body["order_no"] == order.order_no
    assert body["amount_paid"] == "1999.00"
    assert body["version"] == 1
    assert body["allowed_actions"] == ["triage", "withdraw"]
    assert body["customer"] == {"name": "张三", "phone_masked": "138****1234"}
    assert "13812341234" not in response.content.decode()
    assert body["received_at"].endswith("+08:00")

    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds == ["intake", "classified", "routed", "acknowledgement"]
    ack = body["timeline"][-1]
    assert body["number"] in ack["payload"]["body"]
    assert "24小时" in ack["payload"]["body"]

    message = OutboundMessage.objects.get(dispute__number=body["number"])
    assert body["number"] in message.body
    assert message.channel == "sms"

    detail = client.get(f"{URL}/{body['number']}")
    assert detail.status_code == 200
    assert detail.json()["number"] == body["number"]


def test_numbers_are_sequential_within_the_day(client):
    numbers = [client.post(URL, intake_body(OrderFactory())).json()["number"] for _ in range(3)]
    seqs = [int(NUMBER.match(n).group(2)) for n in numbers]
    assert len(set(numbers)) == 3
    assert seqs == sorted(seqs) and seqs[-1] - seqs[0] == 2


def test_same_idempotency_key_five_times_makes_one_dispute(client, order):
    before = counts()
    statuses, numbers = [], set()
    for _ in range(5):
        response = client.post(URL, intake_body(order), headers={"Idempotency-Key": "retry-1"})
        statuses.append(response.status_code)
        numbers.add(response.json()["number"])
    assert statuses == [201, 200, 200, 200, 200]
    assert len(numbers) == 1
    after = counts()
    assert after[0] - before[0] == 1  # one dispute
    assert after[2] - before[2] == 4  # intake, classified, routed, acknowledgement: once
    assert after[3] - before[3] == 1  # the customer is told once


def test_idempotency_key_is_per_user(client, order, default_team, api_as):
    other = api_as(make_staff(Role.AGENT, team=default_team))
    first = client.post(URL, intake_body(order), headers={"Idempotency-Key": "k"})
    second = other.post(URL, intake_body(order), headers={"Idempotency-Key": "k"})
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] != second.json()["number"]


def test_same_key_different_body_is_409(client, order):
    first = client.post(URL, intake_body(order), headers={"Idempotency-Key": "k-2"})
    assert first.status_code == 201
    before = counts()
    response = client.post(
        URL,
        intake_body(order, description="另一件事：快递丢了"),
        headers={"Idempotency-Key": "k-2"},
    )
    assert response.status_code == 409
    assert_error_shape(response.json(), "idempotency_mismatch")
    assert first.json()["number"] in response.json()["error"]["message"]
    assert counts() == before


def test_overlong_idempotency_key_is_422(client, order):
    before = counts()
    response = client.post(URL, intake_body(order), headers={"Idempotency-Key": "k" * 101})
    assert response.status_code == 422
    assert_error_shape(response.json(), "validation_error")
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert counts() == before


def test_second_open_dispute_on_the_same_order_is_flagged(client, order):
    first = client.post(URL, intake_body(order)).json()
    second = client.post(URL, intake_body(order, description="还是漏水，再次投诉")).json()
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["number"]
    flagged = [e for e in second["timeline"] if e["kind"] == "duplicate_flagged"]
    assert len(flagged) == 1
    payload = flagged[0]["payload"]
    assert {k: payload[k] for k in ("duplicate_of", "basis")} == {
        "duplicate_of": first["number"],
        "basis": "order",
    }
    assert first["number"] in flagged[0]["reason"]


def test_same_customer_with_an_open_dispute_on_another_order_is_flagged(client, order):
    first = client.post(URL, intake_body(order)).json()
    other_order = OrderFactory()
    second = client.post(URL, intake_body(other_order, description="另一单也有问题")).json()
    assert second["duplicate_of"] == first["number"]
    (flagged,) = [e for e in second["timeline"] if e["kind"] == "duplicate_flagged"]
    assert flagged["payload"]["duplicate_of"] == first["number"]
    assert flagged["payload"]["basis"] == "customer"
    assert "该顾客" in flagged["reason"]
    stranger = intake_body(OrderFactory(), customer={"name": "李四", "phone": "13700001111"})
    assert client.post(URL, stranger).json()["duplicate_of"] is None


def test_closed_dispute_on_the_order_is_not_a_duplicate(client, order):
    first = client.post(URL, intake_body(order)).json()
    withdrawal = {"reason": "顾客撤回", "confirmation": staff_note()}
    withdrawn = client.post(
        f"{URL}/{first['number']}/actions", {"action": "withdraw", "version": 1, **withdrawal}
    )
    assert withdrawn.status_code == 200, withdrawn.content
    second = client.post(URL, intake_body(order)).json()
    assert second["duplicate_of"] is None
    assert "duplicate_flagged" not in [e["kind"] for e in second["timeline"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "   "}, "description"),
        ({"description": "漏" * 5001}, "description"),
        ({"customer": {"name": "张三", "phone": "1381234"}}, "customer.phone"),
        ({"customer": {"name": "张三", "phone": "abc-not-a-phone"}}, "customer.phone"),
        ({"customer": {"name": "", "phone": "13812341234"}}, "customer.name"),
        ({"amount_paid": "-1.00"}, "amount_paid"),
        ({"amount_paid": "一百块"}, "amount_paid"),
        ({"amount_paid": "12.345"}, "amount_paid"),
        ({"claimed_amount": "abc"}, "claimed_amount"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"expectation": "everything"}, "expectation"),
        ({"occurred_at": "昨天"}, "occurred_at"),
        ({"customer": {"name": "张三", "phone": "13812341234", "email": "x@"}}, "customer.email"),
    ],
    ids=[
        "blank-description",
        "long-description",
        "short-phone",
        "garbage-phone",
        "blank-name",
        "negative-amount",
        "non-numeric-amount",
        "fractional-fen",
        "non-numeric-claim",
        "unknown-channel",
        "unknown-expectation",
        "bad-time",
        "bad-email",
    ],
)
def test_bad_input_is_422_with_field_message_and_nothing_written(client, order, overrides, field):
    before = counts()
    response = client.post(URL, intake_body(order, **overrides))
    assert response.status_code == 422, response.content
    body = response.json()
    assert_error_shape(body, "validation_error")
    assert field in body["error"]["fields"], body
    assert body["error"]["fields"][field]
    assert counts() == before


def test_several_bad_fields_are_reported_at_once(client, order):
    response = client.post(
        URL,
        intake_body(order, description="", amount_paid="-5", channel="fax"),
    )
    assert response.status_code == 422
    assert {"description", "amount_paid", "channel"} <= set(response.json()["error"]["fields"])


def test_description_limit_message_says_the_limit(client, order):
    response = client.post(URL, intake_body(order, description="漏" * 5001))
    message = response.json()["error"]["fields"]["description"]
    assert "5000" in message and "5001" in message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channel": "api", "customer": {"name": "a", "phone": "13812341234"}}, "order_no"),
        ({"channel": "api", "order_no": "T1", "description": "x"}, "customer"),
        ({"channel": "api", "order_no": "T1", "customer": "张三", "description": "x"}, "customer"),
        (
            {
                "channel": "api",
                "order_no": "T1",
                "customer": {"name": "a", "phone": "1"},
                "description": "x",
                "amount_paid": 199.5,
            },
            "amount_paid",
        ),
    ],
    ids=["missing-order", "missing-customer", "customer-not-object", "amount-as-number"],
)
def test_schema_errors_use_the_same_shape(client, body, field):
    before = counts()
    response = client.post(URL, body)
    assert response.status_code == 422
    assert_error_shape(response.json(), "validation_error")
    fields = response.json()["error"]["fields"]
    assert any(f == field or f.startswith(field + ".") for f in fields), fields
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("{not json", "application/json"), ("name=1", "text/plain")],
)
def test_unparseable_body_is_400_in_the_error_shape(client, data, content_type):
    before = counts()
    response = client.client.post(
        URL, data=data, content_type=content_type, headers=client.headers()
    )
    assert response.status_code == 400
    assert_error_shape(response.json(), "malformed_body")
    assert "JSON" in response.json()["error"]["message"]
    assert CJK.search(response.json()["error"]["message"])  # Chinese by default
    assert counts() == before


def test_unknown_order_is_422_on_order_no(client):
    before = counts()
    response = client.post(URL, intake_body(OrderFactory.build(order_no="T-NOPE")))
    assert response.status_code == 422
    body = response.json()
    assert_error_shape(body, "unknown_order")
    assert "T-NOPE" in body["error"]["fields"]["order_no"]
    assert counts() == before


def test_duplicate_external_ref_is_409(client, order):
    first = client.post(URL, intake_body(order, external_ref="TM-9001"))
    assert first.status_code == 201
    other_order = OrderFactory()
    before = counts()
    response = client.post(URL, intake_body(other_order, external_ref="TM-9001"))
    assert response.status_code == 409
    body = response.json()
    assert_error_shape(body, "duplicate_external_ref")
    assert body["error"]["number"] == first.json()["number"]
    assert "external_ref" in body["error"]["fields"]
    assert counts() == before


def test_english_errors_keep_the_json_shape(agent, api_as, order):
    client = api_as(agent, language="en")
    response = client.post(URL, intake_body(order, description="", amount_paid="-1"))
    assert response.status_code == 422
    assert_error_shape(response.json(), "validation_error")
    assert {"description", "amount_paid"} <= set(response.json()["error"]["fields"])


def test_english_error_messages(agent, api_as, order):
    client = api_as(agent, language="en")
    response = client.post(URL, intake_body(order, description="", amount_paid="-1"))
    error = response.json()["error"]
    assert not CJK.search(error["message"]), error["message"]
    for message in error["fields"].values():
        assert not CJK.search(message), message
    unknown = client.post(URL, intake_body(OrderFactory.build(order_no="T-NOPE"))).json()
    assert not CJK.search(unknown["error"]["message"])


def test_chinese_is_the_default_language(client, order):
    response = client.post(URL, intake_body(order, description=""))
    assert response.json()["error"]["fields"]["description"] == "请填写问题描述"


# --- queue: search, filters, pagination, order ---------------------------------------


def test_search_folds_traditional_to_simplified(client):
    simplified = make_dispute(description="热水器漏水，地板泡坏了")
    traditional = make_dispute(description="熱水器漏水，請盡快處理")
    make_dispute(description="快递三天没动")
    for q in ("漏水", "热水器", "熱水器", "熱水器漏水"):
        response = client.get(URL, q=q)
        assert response.status_code == 200
        found = {d["number"] for d in response.json()["items"]}
        assert found == {simplified.number, traditional.number}, q
    found = {d["number"] for d in client.get(URL, q="請盡快").json()["items"]}
    assert found == {traditional.number}
    assert client.get(URL, q="请尽快").json()["count"] == 1


def test_a_phrase_written_in_either_script_finds_both(client):
    # OpenCC alone turns 打壞 into 打坏 but 打坏 into 打坯: without folding to a fixed
    # point a Simplified search would miss the Traditional complaint.
    simplified = make_dispute(description="安装师傅把墙打坏了，要求赔偿")
    traditional = make_dispute(description="安裝師傅把牆打壞了，要求賠償")
    for q in ("打坏", "打壞", "把墙打坏了"):
        found = {d["number"] for d in client.get(URL, q=q).json()["items"]}
        assert found == {simplified.number, traditional.number}, q


def _numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [d["number"] for d in response.json()["items"]]


def test_list_filters(agent, client, default_team):
    colleague = make_staff(Role.AGENT, team=default_team, username="wangwu")
    late = "下单一周了快递还没到，物流信息三天没更新"
    mine = make_dispute(channel="phone", actor=agent, description=late)  # agent keeps it
    theirs = make_dispute(channel="phone", actor=colleague, description=late)
    nobody = make_dispute(channel="api")
    Dispute.objects.filter(pk=nobody.pk).update(
        category="quality", severity="major", severity_rank=3, status="triaged", assignee=None
    )

    assert set(_numbers(client.get(URL))) == {mine.number, theirs.number, nobody.number}
    assert _numbers(client.get(URL, status="triaged")) == [nobody.number]
    assert set(_numbers(client.get(URL, status="received"))) == {mine.number, theirs.number}
    assert _numbers(client.get(URL, category="quality")) == [nobody.number]
    assert _numbers(client.get(URL, severity="major")) == [nobody.number]
    assert _numbers(client.get(URL, channel="api")) == [nobody.number]
    assert set(_numbers(client.get(URL, channel="phone"))) == {mine.number, theirs.number}
    assert _numbers(client.get(URL, assignee="me")) == [mine.number]
    assert _numbers(client.get(URL, assignee="none")) == [nobody.number]
    assert _numbers(client.get(URL, assignee="wangwu")) == [theirs.number]
    assert _numbers(client.get(URL, assignee="wangwu", status="triaged")) == []
    assert _numbers(client.get(URL, status="closed")) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"category": "weather"}, "category"),
        ({"severity": "catastrophic"}, "severity"),
        ({"channel": "fax"}, "channel"),
        ({"assignee": "nobody-by-that-name"}, "assignee"),
        ({"page": 0}, "page"),
        ({"page_size": 500}, "page_size"),
        ({"page": "two"}, "page"),
    ],
)
def test_unknown_filter_value_is_422(client, params, field):
    response = client.get(URL, **params)
    assert response.status_code == 422
    body = response.json()
    assert_error_shape(body)
    assert field in body["error"]["fields"], body


def test_unknown_status_message_lists_choices(client):
    message = client.get(URL, status="archived").json()["error"]["fields"]["status"]
    assert "archived" in message and "received" in message


def test_pagination(client):
    made = [make_dispute() for _ in range(5)]
    page1 = client.get(URL, page_size=2).json()
    page3 = client.get(URL, page_size=2, page=3).json()
    beyond = client.get(URL, page_size=2, page=4).json()
    assert (page1["count"], page1["pages"], page1["page"], page1["page_size"]) == (5, 3, 1, 2)
    assert len(page1["items"]) == 2 and len(page3["items"]) == 1
    assert beyond["items"] == [] and beyond["count"] == 5
    seen = [
        d["number"] for p in (1, 2, 3) for d in client.get(URL, page_size=2, page=p).json()["items"]
    ]
    assert sorted(seen) == sorted(d.number for d in made)


def test_empty_queue_has_one_page(client):
    body = client.get(URL).json()
    assert (body["count"], body["pages"], body["items"]) == (0, 1, [])


def test_queue_is_most_urgent_first(client):
    old_general = make_dispute()
    newer_major = make_dispute()
    complex_ = make_dispute()
    closed_major = make_dispute()
    Dispute.objects.filter(pk=old_general.pk).update(received_at=timezone.now() - dt.timedelta(1))
    Dispute.objects.filter(pk=newer_major.pk).update(severity="major", severity_rank=3)
    Dispute.objects.filter(pk=complex_.pk).update(severity="complex", severity_rank=2)
    Dispute.objects.filter(pk=closed_major.pk).update(
        severity="major", severity_rank=3, status="closed", is_open=False
    )
    assert _numbers(client.get(URL)) == [
        newer_major.number,
        complex_.number,
        old_general.number,
        closed_major.number,
    ]


def test_queue_orders_by_due_time_then_age(client):
    late = make_dispute()
    soon = make_dispute()
    undated = make_dispute()
    now = timezone.now()
    Dispute.objects.filter(pk=late.pk).update(due_at=now + dt.timedelta(hours=5))
    Dispute.objects.filter(pk=soon.pk).update(due_at=now + dt.timedelta(minutes=10))
    # New disputes carry their first-contact due time (SLA timers); this one has none.
    Dispute.objects.filter(pk=undated.pk).update(due_at=None)
    assert _numbers(client.get(URL)) == [soon.number, late.number, undated.number]


def test_other_teams_disputes_are_not_in_the_queue(client):
    other_team = TeamFactory()
    outsider = make_staff(Role.AGENT, team=other_team)
    theirs = make_dispute(channel="phone", actor=outsider)
    ours = make_dispute()
    assert _numbers(client.get(URL)) == [ours.number]
    assert theirs.team == other_team


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing", 404, "not_found"),
        ("put", URL, 405, "method_not_allowed"),
        ("delete", f"{URL}/SH20260101000001", 405, "method_not_allowed"),
    ],
)
def test_unknown_paths_and_methods_answer_in_the_error_shape(agent, method, path, status, code):
    from django.test import Client

    response = getattr(Client(), method)(path, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert_error_shape(response.json(), code)
    if status == 405:
        assert "POST" in response["Allow"] or "GET" in response["Allow"]
