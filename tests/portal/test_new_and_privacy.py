"""Filing a complaint in the portal (with the privacy notice) and the customer's own
data: download it, ask for its erasure."""

import json

import pytest

from aftersales.disputes.models import Dispute
from aftersales.privacy.models import ErasureRequest

from .conftest import visible

pytestmark = pytest.mark.django_db


def test_the_form_offers_my_orders_and_the_privacy_notice(client_of, mine):
    customer, order, _dispute = mine
    page = client_of(customer, order).get("/portal/new/")
    assert page.status_code == 200
    text = visible(page)
    assert order.order_no in text
    assert "个人信息处理说明" in text
    for want in ("仅退款", "退货退款", "换货", "补发", "维修"):
        assert want in text


def test_bad_input_keeps_what_was_typed_and_marks_the_fields(client_of, mine):
    customer, order, _dispute = mine
    response = client_of(customer, order).post(
        "/portal/new/",
        {"key": "k1", "order_no": order.order_no, "description": "漏水了", "privacy": ""},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "漏水了" in body
    assert body.count('aria-invalid="true"') >= 2  # what they want; the notice
    assert "请先阅读并同意个人信息处理说明" in visible(response)
    assert Dispute.objects.filter(customer=customer).count() == 1


def test_filing_gives_the_number_and_the_next_step(client_of, mine):
    customer, order, _dispute = mine
    response = client_of(customer, order).post(
        "/portal/new/",
        {
            "key": "k2",
            "order_no": order.order_no,
            "description": "收到的热水器外壳裂了",
            "expectation": "exchange",
            "privacy": "on",
        },
    )
    assert response.status_code == 201
    created = Dispute.objects.filter(customer=customer).latest("id")
    text = visible(response)
    assert created.number in text
    assert "接下来" in text
    assert created.channel == "portal"


def test_download_my_data(client_of, mine):
    customer, order, dispute = mine
    response = client_of(customer, order).get("/portal/privacy/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert dispute.number in json.dumps(data, ensure_ascii=False)


def test_ask_for_erasure(client_of, mine):
    customer, order, _dispute = mine
    client = client_of(customer, order)
    assert client.get("/portal/privacy/").status_code == 200
    done = client.post("/portal/privacy/erasure/", {"erasure-reason": "不再使用"}, follow=True)
    assert "已收到您的删除申请" in visible(done)
    assert ErasureRequest.objects.filter(customer=customer, state="pending").count() == 1
