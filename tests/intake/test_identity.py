"""The customer's proof of identity for the portal: order number + phone, a code by SMS,
the limits and the lock, and the session scoped to the customer's own disputes."""

import datetime as dt
import re
import time

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory
from django.utils import timezone

from aftersales.common.errors import NotFound, ValidationFailed
from aftersales.intake import identity
from aftersales.intake.identity import (
    TooManyAttempts,
    code_confirm,
    code_request,
    customer_dispute,
    customer_disputes,
    portal_customer,
    portal_login,
    portal_logout,
)
from aftersales.notifications import channels
from aftersales.parties.models import CustomerCode
from tests.factories import CustomerFactory, OrderFactory, make_dispute

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.AFTERSALES_PORTAL_CODE_MIN_SECONDS = 0
    channels.outbox.clear()
    yield
    channels.outbox.clear()


@pytest.fixture
def order():
    return OrderFactory(customer=CustomerFactory(phone="13912345678"))


def sms_code() -> str:
    """The code in the one SMS sent."""
    assert len(channels.outbox) == 1
    (code,) = re.findall(r"\d{6}", channels.outbox[-1].text)
    return code


def ask(order_no, phone, *, at=T0, ip=IP):
    return code_request(order_no=order_no, phone=phone, ip=ip, at=at)


def confirm(order_no, phone, code, *, at=T0, ip=IP):
    return code_confirm(order_no=order_no, phone=phone, code=code, ip=ip, at=at)


def refusal(order_no, phone, code, *, at=T0, ip=IP) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        confirm(order_no, phone, code, at=at, ip=ip)
    return caught.value


def test_matching_pair_gets_a_code_by_sms_and_confirms(order):
    answer = ask(order.order_no, "13912345678")

    assert "如果订单号与手机号匹配" in answer.message
    sent = channels.outbox[-1]
    assert sent.phone == "13912345678"
    # Signed by the order's store, as every SMS the customer gets from it.
    assert sent.text.startswith(f"【{order.store.name}】您的验证码为 ")
    assert "10 分钟内有效。请勿告诉他人。" in sent.text
    proof = confirm(order.order_no, "13912345678", sms_code(), at=T0 + dt.timedelta(minutes=3))
    assert (proof.customer_id, proof.order_id) == (order.customer_id, order.pk)


def test_the_code_and_phone_are_stored_only_hashed(order):
    ask(order.order_no, "13912345678")
    code = sms_code()

    row = CustomerCode.objects.values().get()
    stored = " ".join(str(value) for value in row.values())
    assert code not in stored
    assert "13912345678" not in stored
    assert row["order_id"] == order.pk and len(row["code_hash"]) == 64


def test_development_log_shows_the_code(order, caplog, settings):
    settings.DEBUG = True
    with caplog.at_level("INFO", logger="aftersales.intake.identity"):
        ask(order.order_no, "13912345678")
    assert sms_code() in caplog.text
    assert "13912345678" not in caplog.text


def test_wrong_pair_answers_the_same_and_sends_nothing(order):
    matched = ask(order.order_no, "13912345678")
    other = OrderFactory()
    unmatched = ask(other.order_no, "13912345678")
    unknown = ask("NO-SUCH-ORDER", "13700000000")

    assert matched == unmatched == unknown
    assert len(channels.outbox) == 1  # the matched one only
    assert CustomerCode.objects.filter(order__isnull=True).count() == 2


def test_wrong_pair_and_wrong_code_say_the_same_thing(order):
    ask(order.order_no, "13912345678")
    code = sms_code()
    wrong_code = str((int(code) + 1) % 10**6).zfill(6)

    by_code = refusal(order.order_no, "13912345678", wrong_code)
    by_phone = refusal(order.order_no, "13700000000", code)
    by_order = refusal("NO-SUCH-ORDER", "13912345678", code)

    assert by_code.message == by_phone.message == by_order.message == "订单号、手机号或验证码不正确"
    assert by_code.code == by_phone.code == by_order.code == "code_invalid"


def test_five_wrong_codes_lock_the_order_for_fifteen_minutes(order):
    ask(order.order_no, "13912345678")
    code = sms_code()
    wrong = "000000" if code != "000000" else "111111"
    for i in range(4):
        assert refusal(order.order_no, "13912345678", wrong, ip=f"198.51.100.{i}").code == (
            "code_invalid"
        )

    fifth = refusal(order.order_no, "13700000000", wrong, at=T0 + dt.timedelta(minutes=1))
    assert isinstance(fifth, TooManyAttempts) and fifth.code == "code_locked"
    assert fifth.message.startswith("尝试次数过多，请 15 分钟后再试")

    # Locked for everyone, even with the right code, any phone, any address.
    later = T0 + dt.timedelta(minutes=6)
    right = refusal(order.order_no, "13912345678", code, at=later, ip="192.0.2.1")
    assert right.code == "code_locked"
    assert right.message.startswith("尝试次数过多，请 10 分钟后再试")
    assert right.retry_after == 10 * 60
    with pytest.raises(TooManyAttempts):
        ask(order.order_no, "13912345678", at=later)

    # Lifted after 15 minutes: a new code works.
    lifted = T0 + dt.timedelta(minutes=16, seconds=1)
    channels.outbox.clear()
    ask(order.order_no, "13912345678", at=lifted)
    proof = confirm(order.order_no, "13912345678", sms_code(), at=lifted)
    assert proof.order_id == order.pk


def test_lock_says_the_same_for_a_pair_that_never_matched(order):
    stranger = ("NO-SUCH-ORDER", "13700000000")
    owner = (order.order_no, "13912345678")
    for pair in (stranger, owner):
        ask(*pair)
    answers = []
    for pair in (stranger, owner):
        for _ in range(4):
            refusal(*pair, "999999")
        answers.append(refusal(*pair, "999999"))
    assert answers[0].message == answers[1].message
    assert answers[0].code == answers[1].code == "code_locked"


def test_one_code_per_pair_per_minute(order):
    ask(order.order_no, "13912345678")
    with pytest.raises(TooManyAttempts) as caught:
        ask(order.order_no, "13912345678", at=T0 + dt.timedelta(seconds=20))
    assert caught.value.retry_after == 40
    assert "40 秒后再试" in caught.value.message
    # The same refusal for a pair that matches nothing.
    ask("NO-SUCH-ORDER", "13700000000")
    with pytest.raises(TooManyAttempts) as unmatched:
        ask("NO-SUCH-ORDER", "13700000000", at=T0 + dt.timedelta(seconds=20))
    assert unmatched.value.message == caught.value.message

    ask(order.order_no, "13912345678", at=T0 + dt.timedelta(seconds=61))
    assert len(channels.outbox) == 2


def test_five_codes_per_order_per_hour(order):
    phones = [f"1370000000{i}" for i in range(6)]
    for i, phone in enumerate(phones[:5]):
        ask(order.order_no, phone, at=T0 + dt.timedelta(minutes=i), ip=f"198.51.100.{i}")
    with pytest.raises(TooManyAttempts) as caught:
        ask(order.order_no, phones[5], at=T0 + dt.timedelta(minutes=10), ip="192.0.2.9")
    assert caught.value.retry_after == 50 * 60
    ask(order.order_no, phones[5], at=T0 + dt.timedelta(minutes=60), ip="192.0.2.9")


def test_twenty_codes_per_address_per_hour(db):
    for i in range(20):
        ask(f"NO-{i}", "13700000000", at=T0 + dt.timedelta(seconds=i))
    with pytest.raises(TooManyAttempts):
        ask("NO-20", "13700000000", at=T0 + dt.timedelta(seconds=30))
    ask("NO-20", "13700000000", at=T0 + dt.timedelta(seconds=30), ip="192.0.2.9")


def test_limits_are_read_from_settings(order, settings):
    settings.AFTERSALES_PORTAL_CODE_RATES = {"pair": "off", "order": "2/hour"}
    ask(order.order_no, "13912345678")
    ask(order.order_no, "13912345678", at=T0 + dt.timedelta(seconds=1))
    with pytest.raises(TooManyAttempts):
        ask(order.order_no, "13912345678", at=T0 + dt.timedelta(seconds=2))


def test_platform_order_number_works(db):
    order = OrderFactory(
        platform_order_no="TB-2026-88a", customer=CustomerFactory(phone="13912345678")
    )
    ask("tb-2026-88A", "13912345678")
    proof = confirm("TB-2026-88A", "13912345678", sms_code())
    assert proof.order_id == order.pk
    # A code asked with the platform number confirms with our own number too.
    channels.outbox.clear()
    ask("TB-2026-88A", "13912345678", at=T0 + dt.timedelta(minutes=2))
    assert confirm(order.order_no, "139 1234 5678", sms_code(), at=T0 + dt.timedelta(minutes=2))


def test_full_width_and_formatted_input(order):
    wide_order = "　" + order.order_no.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789T"})
    ask(wide_order.lower(), "＋８６ １３９－１２３４－５６７８ ")
    code = sms_code()
    wide_code = code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    proof = confirm(order.order_no.lower(), "+86 139-1234-5678", wide_code)
    assert proof.customer_id == order.customer_id


def test_malformed_input_is_a_form_error_not_a_match_answer(db):
    with pytest.raises(ValidationFailed) as caught:
        ask(" ", "12345")
    assert set(caught.value.fields) == {"order_no", "phone"}
    assert not CustomerCode.objects.exists()


def test_expired_code_is_refused(order):
    ask(order.order_no, "13912345678")
    late = refusal(order.order_no, "13912345678", sms_code(), at=T0 + dt.timedelta(minutes=10))
    assert late.message == "订单号、手机号或验证码不正确"


def test_used_code_cannot_be_used_again(order):
    ask(order.order_no, "13912345678")
    code = sms_code()
    confirm(order.order_no, "13912345678", code)
    again = refusal(order.order_no, "13912345678", code, at=T0 + dt.timedelta(seconds=5))
    assert again.message == "订单号、手机号或验证码不正确"


def test_a_newer_code_replaces_the_older(order):
    ask(order.order_no, "13912345678")
    first = sms_code()
    channels.outbox.clear()
    ask(order.order_no, "13912345678", at=T0 + dt.timedelta(minutes=1))
    second = sms_code()
    at = T0 + dt.timedelta(minutes=2)
    if first != second:
        refusal(order.order_no, "13912345678", first, at=at)
    assert confirm(order.order_no, "13912345678", second, at=at).order_id == order.pk


def test_order_without_a_customer_never_matches(db):
    order = OrderFactory(customer=None)
    ask(order.order_no, "13912345678")
    assert not channels.outbox


def test_refused_sms_answers_the_same_and_voids_the_code(order, settings):
    settings.CUSTOMER_CHANNEL = "aftersales.notifications.channels.UnconfiguredChannel"
    answer = ask(order.order_no, "13912345678")
    assert answer == ask("NO-SUCH-ORDER", "13700000000")
    row = CustomerCode.objects.get(order=order)
    assert row.expires_at <= T0


def test_a_match_and_a_mismatch_take_at_least_the_same_time(order, settings):
    settings.AFTERSALES_PORTAL_CODE_MIN_SECONDS = 0.05
    for pair in ((order.order_no, "13912345678"), ("NO-SUCH-ORDER", "13700000000")):
        started = time.monotonic()
        ask(*pair)
        assert time.monotonic() - started >= 0.05


# The portal session.


def portal_request():
    request = RequestFactory().get("/portal/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.session.save()
    return request


def signed_in(order, at=T0):
    ask(order.order_no, order.customer.phone, at=at)
    proof = confirm(order.order_no, order.customer.phone, sms_code(), at=at)
    channels.outbox.clear()
    request = portal_request()
    before = request.session.session_key
    portal_login(request, proof)
    assert request.session.session_key != before
    return request


def test_session_names_the_customer_until_it_is_too_old(order, settings):
    request = signed_in(order)
    assert portal_customer(request, at=T0 + dt.timedelta(hours=11)) == order.customer
    assert portal_customer(request, at=T0 + dt.timedelta(hours=12, seconds=1)) is None
    settings.AFTERSALES_PORTAL_SESSION_HOURS = 1
    assert portal_customer(request, at=T0 + dt.timedelta(hours=2)) is None


def test_logout_ends_the_portal_session(order):
    request = signed_in(order)
    portal_logout(request)
    assert portal_customer(request, at=T0) is None
    assert portal_customer(portal_request()) is None


def test_a_customer_sees_only_their_own_disputes(db):
    alice = OrderFactory(customer=CustomerFactory(phone="13911110000"))
    bob = OrderFactory(customer=CustomerFactory(phone="13922220000"))
    mine = make_dispute(alice, customer={"name": "甲", "phone": "13911110000"})
    theirs = make_dispute(bob, customer={"name": "乙", "phone": "13922220000"})

    request = signed_in(alice, at=timezone.now())
    customer = portal_customer(request)
    assert list(customer_disputes(customer)) == [mine]
    assert customer_dispute(customer, mine.number.lower()) == mine
    with pytest.raises(NotFound) as other:
        customer_dispute(customer, theirs.number)
    with pytest.raises(NotFound) as missing:
        customer_dispute(customer, "TS999999999")
    assert other.value.message == missing.value.message
    with pytest.raises(NotFound):
        customer_dispute(None, mine.number)


def test_public_names_are_stable():
    # The portal codes against these names.
    for name in (
        "code_request",
        "code_confirm",
        "portal_login",
        "portal_customer",
        "portal_logout",
        "customer_disputes",
        "customer_dispute",
        "CodeRequest",
        "PortalIdentity",
    ):
        assert hasattr(identity, name)


def test_purge_keeps_what_the_limits_still_read(order):
    ask(order.order_no, "13912345678")
    refusal(order.order_no, "13912345678", "999999")
    assert identity.code_requests_purge(at=T0 + dt.timedelta(hours=2)) == 0
    assert identity.code_requests_purge(at=T0 + dt.timedelta(days=2)) == 2
    assert not CustomerCode.objects.exists()
