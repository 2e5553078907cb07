"""Signing in: order number + phone → "a code was sent if they match" → the code →
my disputes; a wrong pair and a wrong code read the same; sign out ends it."""

import re

import pytest
from django.test import Client

from aftersales.notifications import channels

from .conftest import visible

pytestmark = pytest.mark.django_db

CODE = re.compile(r"验证码为 (\d{6})")


def _code_sent_to(phone: str) -> str:
    for delivery in reversed(channels.outbox):
        if delivery.phone == phone and CODE.search(delivery.text):
            return CODE.search(delivery.text).group(1)
    raise AssertionError(f"no code sent to {phone}")


def test_signing_in_with_the_order_and_phone_and_the_code(mine):
    customer, order, dispute = mine
    client = Client()
    page = client.get("/portal/sign-in/")
    assert page.status_code == 200
    assert "获取验证码" in visible(page)
    sent = client.post(
        "/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone}, follow=True
    )
    assert "如果订单号与手机号匹配" in visible(sent)
    assert order.order_no in visible(sent)
    assert customer.phone not in visible(sent)  # masked
    done = client.post(
        "/portal/sign-in/code/", {"code": _code_sent_to(customer.phone)}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/portal/disputes/"
    assert dispute.number in visible(done)
    out = client.post("/portal/sign-out/", follow=True)
    assert "您已退出" in visible(out)
    assert client.get("/portal/disputes/").status_code == 302


def test_a_wrong_pair_and_a_wrong_code_read_the_same(mine):
    customer, order, _dispute = mine
    stranger, right = Client(), Client()
    a = stranger.post("/portal/sign-in/", {"order_no": order.order_no, "phone": "13600003333"})
    b = right.post("/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone})
    assert a.status_code == b.status_code == 302
    wrong_pair = stranger.post("/portal/sign-in/code/", {"code": "123456"})
    sent = _code_sent_to(customer.phone)
    wrong = "654321" if sent != "654321" else "123456"
    wrong_code = right.post("/portal/sign-in/code/", {"code": wrong})
    assert wrong_pair.status_code == wrong_code.status_code
    error = re.compile(r'class="error"[^>]*>([^<]+)<')
    assert error.search(wrong_pair.content.decode()).group(1) == error.search(
        wrong_code.content.decode()
    ).group(1)


def test_a_blank_form_marks_both_fields_and_keeps_what_was_typed(db):
    response = Client().post("/portal/sign-in/", {"order_no": "T123", "phone": ""})
    assert response.status_code == 422
    text = response.content.decode()
    assert 'value="T123"' in text
    assert 'aria-invalid="true"' in text


def test_the_code_page_without_a_pair_goes_back_to_sign_in(db):
    response = Client().get("/portal/sign-in/code/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/sign-in/"


def test_pages_ask_to_sign_in_first(db):
    for url in ("/portal/disputes/", "/portal/new/", "/portal/privacy/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/portal/sign-in/?next=")


def test_english_through_the_language_switch(db):
    client = Client()
    client.post("/portal/language/", {"language": "en", "next": "/portal/sign-in/"})
    page = client.get("/portal/sign-in/")
    assert page.status_code == 200
    assert 'lang="en"' in page.content.decode()


def test_forms_need_the_csrf_token(mine):
    _customer, order, _dispute = mine
    client = Client(enforce_csrf_checks=True)
    response = client.post("/portal/sign-in/", {"order_no": order.order_no, "phone": "1"})
    assert response.status_code == 403


def test_five_wrong_codes_lock_the_order(mine):
    customer, order, _dispute = mine
    client = Client()
    client.post("/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone})
    sent = _code_sent_to(customer.phone)
    wrong = "111111" if sent != "111111" else "222222"
    for _attempt in range(5):
        client.post("/portal/sign-in/code/", {"code": wrong})
    locked = client.post("/portal/sign-in/code/", {"code": sent})
    assert locked.status_code == 429
    assert "分钟" in visible(locked)
    assert client.get("/portal/disputes/").status_code == 302  # not signed in
