"""An audit of the portal as a customer would use it: what they type (full-width digits,
spaces, +86, a platform order number, Traditional script, markup), codes expired, used
or for another order, answers to a proposal that no longer waits, ratings and
withdrawals at the wrong time, return tracking where there is no return, English, and
an expired session. Every refusal names the field in the reader's language and changes
nothing."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.mediation.models import Proposal
from aftersales.notifications import channels
from aftersales.parties.models import CustomerCode
from tests.factories import OrderFactory, carry_to, make_dispute, walk_to

from .conftest import customer_dispute, signed_in_client, visible

pytestmark = pytest.mark.django_db

CODE = re.compile(r"验证码为 (\d{6})")
ERROR = re.compile(r'class="error"[^>]*>([^<]+)<')


def _code_sent_to(phone: str) -> str:
    for delivery in reversed(channels.outbox):
        if delivery.phone == phone and CODE.search(delivery.text):
            return CODE.search(delivery.text).group(1)
    raise AssertionError(f"no code sent to {phone}")


def _sign_in(client, order_no: str, phone: str, real_phone: str):
    client.post("/portal/sign-in/", {"order_no": order_no, "phone": phone})
    return client.post("/portal/sign-in/code/", {"code": _code_sent_to(real_phone)}, follow=True)


def _refusal(response) -> str:
    """What the page says at its top about a step no longer open."""
    found = re.search(r'id="refusal">(.*?)</div>', response.content.decode(), re.S)
    text = re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""
    print("refusal:", text)
    return text


def _wide(text: str) -> str:
    """As typed with a Chinese input method in full-width mode."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# -- signing in -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed_phone",
    [
        "１３９ ００００ １１１１",
        "+86 139 0000 1111",
        "＋８６－１３９００００１１１１",
        "139-0000-1111",
    ],
)
def test_sign_in_with_full_width_and_spaced_numbers(mine, typed_phone):
    customer, order, dispute = mine
    typed_order = "　" + _wide(order.order_no).lower() + " "
    done = _sign_in(Client(), typed_order, typed_phone, customer.phone)
    assert done.redirect_chain[-1][0] == "/portal/disputes/"
    assert dispute.number in visible(done)


def test_sign_in_with_the_platform_order_number(mine):
    customer, order, dispute = mine
    order.platform_order_no = "3871234567890123456"
    order.save(update_fields=["platform_order_no"])
    done = _sign_in(Client(), _wide("3871234567890123456"), customer.phone, customer.phone)
    assert done.redirect_chain[-1][0] == "/portal/disputes/"
    assert dispute.number in visible(done)


def test_a_phone_that_is_no_phone_is_named_on_its_field(mine):
    _customer, order, _dispute = mine
    response = Client().post("/portal/sign-in/", {"order_no": order.order_no, "phone": "一三九"})
    assert response.status_code == 422
    assert "请填写下单时使用的手机号" in visible(response)
    assert 'id="id_phone"' in response.content.decode()
    assert not CustomerCode.objects.exists()


def test_an_expired_code_is_refused(mine):
    customer, order, _dispute = mine
    client = Client()
    client.post("/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone})
    code = _code_sent_to(customer.phone)
    CustomerCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post("/portal/sign-in/code/", {"code": code})
    assert response.status_code == 422
    assert "订单号、手机号或验证码不正确" in visible(response)
    assert client.get("/portal/disputes/").status_code == 302


def test_a_used_code_does_not_sign_in_twice(mine):
    customer, order, _dispute = mine
    first = Client()
    first.post("/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone})
    code = _code_sent_to(customer.phone)
    assert first.post("/portal/sign-in/code/", {"code": code}).status_code == 302
    second = Client()
    too_soon = second.post(
        "/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone}
    )
    assert too_soon.status_code == 429  # one code a minute, said in words
    assert "分钟" in visible(too_soon) or "秒" in visible(too_soon)
    CustomerCode.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    second.post("/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone})
    response = second.post("/portal/sign-in/code/", {"code": code})
    assert response.status_code == 422
    assert second.get("/portal/disputes/").status_code == 302


def test_a_code_for_another_of_my_orders_is_refused(mine):
    customer, order, _dispute = mine
    other = OrderFactory(customer=customer)
    client = Client()
    client.post("/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone})
    code_a = _code_sent_to(customer.phone)
    client.post("/portal/sign-in/", {"order_no": other.order_no, "phone": customer.phone})
    code_b = _code_sent_to(customer.phone)
    assert code_a != code_b or pytest.skip("the two codes happen to be equal")
    response = client.post("/portal/sign-in/code/", {"code": code_a})
    assert response.status_code == 422
    assert client.get("/portal/disputes/").status_code == 302


def test_full_width_code_is_taken(mine):
    customer, order, _dispute = mine
    client = Client()
    client.post("/portal/sign-in/", {"order_no": order.order_no, "phone": customer.phone})
    code = _code_sent_to(customer.phone)
    response = client.post("/portal/sign-in/code/", {"code": _wide(code[:3]) + " " + code[3:]})
    assert response.status_code == 302


def test_one_customer_sees_both_orders_disputes_and_no_one_elses(mine, theirs):
    customer, _order, dispute = mine
    second_order = OrderFactory(customer=customer)
    second = make_dispute(second_order, customer={"name": "张三", "phone": customer.phone})
    _c, _o, their_dispute = theirs
    page = visible(signed_in_client(customer, second_order).get("/portal/disputes/"))
    assert dispute.number in page and second.number in page
    assert their_dispute.number not in page


def test_an_expired_session_asks_to_sign_in_again(mine):
    customer, order, dispute = mine
    client = signed_in_client(customer, order)
    session = client.session
    session["portal_verified_at"] = (timezone.now() - dt.timedelta(hours=13)).isoformat()
    session.save()
    response = client.get(f"/portal/disputes/{dispute.number}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/sign-in/?next=")


# -- messages both ways -----------------------------------------------------------------

TRADITIONAL = "請問退貨運費由誰負擔？熱水器漏水，謝謝。"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_message_in_traditional_script_is_kept_as_typed(client_of, mine):
    customer, order, dispute = mine
    done = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/", {"message-text": TRADITIONAL}, follow=True
    )
    assert TRADITIONAL in visible(done)


def test_markup_in_a_message_is_text_on_the_portal_and_the_staff_page(
    client, client_of, mine, agent, default_team
):
    customer, order, dispute = mine
    Dispute.objects.filter(pk=dispute.pk).update(team=default_team, assignee=agent)
    portal = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/", {"message-text": MARKUP}, follow=True
    )
    assert "<script>alert" not in portal.content.decode()
    assert MARKUP in visible(portal)
    client.force_login(agent)
    staff = client.get(f"/workbench/disputes/{dispute.number}/").content.decode()
    assert "<script>alert" not in staff and "<img src=x" not in staff
    assert "&lt;script&gt;alert" in staff


def test_a_message_too_long_is_named_and_not_sent(client_of, mine):
    customer, order, dispute = mine
    before = dispute.events.count()
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/", {"message-text": "漏" * 2001}
    )
    assert response.status_code == 422
    assert "2000" in visible(response)
    assert 'id="id_message-text"' in response.content.decode()
    assert dispute.events.count() == before


def test_a_file_of_the_wrong_type_is_refused_by_name(client_of, mine):
    customer, order, dispute = mine
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 64)
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/",
        {"message-text": "見附件", "message-files": [exe]},
    )
    assert response.status_code == 422
    assert "setup.exe" in visible(response)
    assert "見附件" in response.content.decode()
    assert not dispute.evidence.exists()


def test_a_file_too_big_is_refused_by_name(client_of, mine, settings):
    from .test_tracking import PNG

    settings.EVIDENCE_MAX_BYTES = 50
    customer, order, dispute = mine
    big = SimpleUploadedFile("大圖.png", PNG + b"\x00" * 100, content_type="image/png")
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/",
        {"message-text": "見附件", "message-files": [big]},
    )
    assert response.status_code == 422
    assert "大圖.png" in visible(response)
    assert not dispute.evidence.exists()


def test_english_errors_with_accept_language(mine):
    customer, order, dispute = mine
    client = signed_in_client(customer, order)
    response = client.post(
        f"/portal/disputes/{dispute.number}/messages/",
        {"message-text": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert 'lang="en"' in response.content.decode()
    errors = ERROR.findall(response.content.decode())
    assert errors and not any(re.search(r"[\u4e00-\u9fff]", e) for e in errors), errors
    assert "Message" in visible(response)


def test_english_sign_in_refusal_with_the_switch(mine):
    client = Client()
    client.post("/portal/language/", {"language": "en", "next": "/portal/sign-in/"})
    response = client.post("/portal/sign-in/", {"order_no": "T1", "phone": "abc"})
    assert response.status_code == 422
    errors = ERROR.findall(response.content.decode())
    assert (
        errors
        and "phone" in errors[0].lower()
        and not any(re.search(r"[\u4e00-\u9fff]", e) for e in errors)
    ), errors


# -- the proposal: counter, accept, an answer that no longer waits ----------------------


def _link(token, rest=""):
    return f"/portal/mediation/{token}/{rest}"


@pytest.mark.parametrize(
    ("amount", "words"),
    [("-100", "负"), ("1e12", ""), ("99999999999", ""), ("12.345", ""), ("NaN", "")],
)
def test_a_counter_with_a_bad_amount_is_named_and_changes_nothing(proposed, amount, words):
    _customer, _order, dispute, token, _code = proposed
    response = Client().post(
        _link(token, "counter/"),
        {"counter-remedy": "compensation", "counter-amount": amount, "counter-message": "再多些"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_counter-amount"' in body and 'aria-invalid="true"' in body
    assert "金额" in visible(response)
    assert words in visible(response)
    assert Proposal.objects.get(dispute=dispute).state == "sent"


def test_a_counter_asking_a_remedy_not_offered_is_named(proposed):
    _customer, _order, dispute, token, _code = proposed
    response = Client().post(
        _link(token, "counter/"), {"counter-remedy": "whole_exchange", "counter-amount": "10"}
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert Proposal.objects.get(dispute=dispute).state == "sent"


def test_a_counter_in_traditional_script_with_full_width_amount(proposed):
    _customer, _order, dispute, token, _code = proposed
    done = Client().post(
        _link(token, "counter/"),
        {
            "counter-remedy": "compensation",
            "counter-amount": "３００",
            "counter-message": TRADITIONAL,
        },
        follow=True,
    )
    assert "已把您的意见转给商家" in visible(done)
    revision = Proposal.objects.get(dispute=dispute).revisions.latest("number")
    assert revision.counter["amount"] == "300.00"
    assert revision.counter["message"] == TRADITIONAL


def test_accepting_twice_says_it_is_already_answered(proposed):
    _customer, _order, dispute, token, code = proposed
    client = Client()
    client.post(_link(token, "accept/"), {"accept-code": code})
    again = client.post(_link(token, "accept/"), {"accept-code": code})
    assert again.status_code in (409, 422)
    assert "不需要您答复" in visible(again)
    assert dispute.agreements.count() == 1 if hasattr(dispute, "agreements") else True


def test_counter_then_reject_after_accepting_is_refused(proposed):
    _customer, _order, dispute, token, code = proposed
    client = Client()
    client.post(_link(token, "accept/"), {"accept-code": code})
    status = Dispute.objects.get(pk=dispute.pk).status
    for rest, data in (
        ("counter/", {"counter-amount": "1"}),
        ("reject/", {"reject-message": "不要了"}),
    ):
        response = client.post(_link(token, rest), data)
        assert response.status_code in (409, 422), rest
        assert "不需要您答复" in visible(response)
    assert Dispute.objects.get(pk=dispute.pk).status == status
    assert Proposal.objects.get(dispute=dispute).state == "accepted"


def test_the_old_code_after_a_revision_does_not_accept_the_new_one(proposed):
    from tests.customer_link import last_link
    from tests.factories import step

    _customer, _order, dispute, token, old_code = proposed
    client = Client()
    client.post(_link(token, "counter/"), {"counter-amount": "300", "counter-message": "再多些"})
    step(Dispute.objects.get(pk=dispute.pk), "revise", reason="顾客还价，修改方案")
    new_token, new_code = last_link(dispute)
    if new_code == old_code:
        pytest.skip("the two codes happen to be equal")
    # The old link still opens the dispute's proposal: the newest revision.
    page = client.get(_link(token))
    assert page.status_code == 200
    assert "等待您答复" in visible(page)
    refused = client.post(_link(token, "accept/"), {"accept-code": old_code})
    assert refused.status_code == 422
    assert "验证码" in visible(refused)
    assert Proposal.objects.get(dispute=dispute).state == "sent"
    done = client.post(_link(new_token, "accept/"), {"accept-code": new_code}, follow=True)
    assert "您已接受方案" in visible(done)


# -- after the agreement: return tracking, refund arrived, rating, withdrawal -----------


def _accepted(proposed):
    customer, order, dispute, _token, code = proposed
    client = signed_in_client(customer, order)
    client.post(f"/portal/disputes/{dispute.number}/accept/", {"accept-code": code})
    aftersale = AfterSaleOrder.objects.filter(dispute=dispute).order_by("id").first()
    return client, dispute, aftersale


def _return_url(dispute, aftersale):
    return f"/portal/disputes/{dispute.number}/orders/{aftersale.number}/return/"


def _tracking(aftersale, carrier, number):
    key = f"return-{aftersale.number}"
    return {f"{key}-carrier": carrier, f"{key}-tracking_no": number}


def test_return_tracking_before_the_return_is_due_is_refused_in_words(proposed):
    client, dispute, aftersale = _accepted(proposed)
    state = aftersale.state
    assert state != "awaiting_return"
    response = client.post(_return_url(dispute, aftersale), _tracking(aftersale, "顺丰", "SF1"))
    assert response.status_code in (409, 422)
    assert "现在不需要填写退货物流" in _refusal(response)
    aftersale.refresh_from_db()
    assert aftersale.state == state and not aftersale.parcels.exists()


def test_return_tracking_twice_is_refused_in_words(proposed):
    client, dispute, aftersale = _accepted(proposed)
    carry_to(aftersale, "awaiting_return", at=timezone.now())
    first = client.post(
        _return_url(dispute, aftersale), _tracking(aftersale, "順豐速運", "SF1234567890")
    )
    assert first.status_code == 302
    again = client.post(_return_url(dispute, aftersale), _tracking(aftersale, "中通", "ZT1"))
    assert again.status_code in (409, 422)
    assert _refusal(again), "the refusal is not shown"
    assert "现在不需要填写退货物流" in _refusal(again)
    assert [p.tracking_no for p in aftersale.parcels.all()] == ["SF1234567890"]


def test_return_tracking_with_spaces_is_named_on_its_field(proposed):
    client, dispute, aftersale = _accepted(proposed)
    carry_to(aftersale, "awaiting_return", at=timezone.now())
    response = client.post(
        _return_url(dispute, aftersale), _tracking(aftersale, "顺丰", "SF 1234 5678 90")
    )
    assert response.status_code == 422
    assert "快递单号" in ERROR.findall(response.content.decode())[0]
    assert 'value="SF 1234 5678 90"' in response.content.decode()
    assert not aftersale.parcels.exists()


def test_return_tracking_typed_full_width_is_taken(proposed):
    client, dispute, aftersale = _accepted(proposed)
    carry_to(aftersale, "awaiting_return", at=timezone.now())
    response = client.post(
        _return_url(dispute, aftersale),
        _tracking(aftersale, "順豐速運", "ＳＦ１２３４５６７８９０"),
    )
    assert response.status_code == 302
    assert [(p.carrier, p.tracking_no) for p in aftersale.parcels.all()] == [
        ("順豐速運", "SF1234567890")
    ]


def test_filing_in_traditional_script_with_a_full_width_amount(client_of, mine):
    customer, order, _dispute = mine
    response = client_of(customer, order).post(
        "/portal/new/",
        {
            "key": "k-audit",
            "order_no": order.order_no,
            "description": "收到的熱水器外殼裂了，請儘快處理。",
            "expectation": "refund",
            "claimed_amount": "１９９.００",
            "privacy": "on",
        },
    )
    assert response.status_code == 201, visible(response)
    created = Dispute.objects.filter(customer=customer).latest("id")
    assert created.description == "收到的熱水器外殼裂了，請儘快處理。"
    assert f"{created.claimed_amount:.2f}" == "199.00"


def test_filing_for_someone_elses_order_is_refused(client_of, mine, theirs):
    customer, order, _dispute = mine
    _c, their_order, _d = theirs
    response = client_of(customer, order).post(
        "/portal/new/",
        {
            "key": "k-other",
            "order_no": their_order.order_no,
            "description": "不是我的订单",
            "expectation": "exchange",
            "privacy": "on",
        },
    )
    assert response.status_code == 422
    assert 'id="id_order_no"' in response.content.decode()
    assert Dispute.objects.filter(customer=customer).count() == 1
    assert Dispute.objects.filter(order=their_order).count() == 1


def test_confirming_the_refund_twice_is_refused_in_words(proposed):
    client, dispute, aftersale = _accepted(proposed)
    carry_to(aftersale, "done", at=timezone.now())
    url = f"/portal/disputes/{dispute.number}/orders/{aftersale.number}/arrival/"
    assert client.post(url).status_code == 302
    again = client.post(url)
    assert again.status_code in (409, 422)
    assert "不能重复确认" in _refusal(again)


def test_rating_before_the_follow_up_is_refused_in_words(client_of, mine):
    customer, order, dispute = mine
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/rating/",
        {"rating-satisfaction": 5, "rating-comment": "很好"},
    )
    assert response.status_code in (409, 422)
    assert "现在不需要评价" in visible(response)
    assert Dispute.objects.get(pk=dispute.pk).status == dispute.status


@pytest.mark.parametrize("score", ["0", "6", "五", "4.5"])
def test_a_rating_outside_one_to_five_is_named(client_of, mine, score):
    from tests.followup.conftest import complete

    customer, order, dispute = mine
    dispute = complete(walk_to(dispute, "executing"))
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/rating/", {"rating-satisfaction": score}
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"


def test_withdrawing_a_closed_dispute_is_refused_in_words(client_of, mine):
    from tests.followup.conftest import complete

    customer, order, dispute = mine
    dispute = complete(walk_to(dispute, "executing"))
    client = client_of(customer, order)
    client.post(f"/portal/disputes/{dispute.number}/rating/", {"rating-satisfaction": 5})
    assert Dispute.objects.get(pk=dispute.pk).status == "closed"
    response = client.post(
        f"/portal/disputes/{dispute.number}/withdraw/", {"withdraw-reason": "不想要了"}
    )
    assert response.status_code in (409, 422)
    assert _refusal(response), "the refusal is not shown"
    assert "不能再撤回" in _refusal(response) and "withdraw" not in _refusal(response)
    assert Dispute.objects.get(pk=dispute.pk).status == "closed"


def test_withdrawing_twice_is_refused_in_words(client_of, mine):
    customer, order, dispute = mine
    client = client_of(customer, order)
    url = f"/portal/disputes/{dispute.number}/withdraw/"
    assert client.post(url, {"withdraw-reason": "已自行解決"}).status_code == 302
    again = client.post(url, {"withdraw-reason": "已自行解決"})
    assert again.status_code in (409, 422)
    assert _refusal(again), "the refusal is not shown"
    assert "不能再撤回" in _refusal(again) and "withdraw" not in _refusal(again)
    assert Dispute.objects.get(pk=dispute.pk).status == "withdrawn"


# -- our messages reaching the customer ------------------------------------------------


def test_a_reply_in_traditional_script_reaches_the_sms_file_and_the_portal(
    mine, agent, default_team, settings, tmp_path
):
    from aftersales.intake.customer_messages import staff_reply
    from aftersales.notifications.delivery import message_deliver
    from aftersales.notifications.models import OutboundMessage
    from aftersales.notifications.sms.dev import read_outbox
    from tests.notifications.conftest import DEVELOPMENT

    settings.CUSTOMER_CHANNEL = ""
    settings.AFTERSALES_SMS_BACKEND = DEVELOPMENT
    settings.AFTERSALES_SMS_DEV_FILE = str(tmp_path / "sms.jsonl")
    customer, order, dispute = mine
    Dispute.objects.filter(pk=dispute.pk).update(team=default_team, assignee=agent)
    dispute.refresh_from_db()
    text = "您好，退貨運費由我們負擔 <b>免費</b>。"
    message = staff_reply(dispute=dispute, actor=agent, text=text, template="")
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)  # a retry sends nothing twice
    sent = [line for line in read_outbox() if line["phone"] == customer.phone]
    assert len([line for line in sent if text in line["text"]]) == 1
    assert sent[-1]["text"].startswith("【")
    assert OutboundMessage.objects.get(pk=message.pk).state in ("sent", "delivered")
    page = signed_in_client(customer, order).get(f"/portal/disputes/{dispute.number}/")
    assert "<b>免費</b>" not in page.content.decode()
    assert text in visible(page)


# -- privacy ----------------------------------------------------------------------------


def test_asking_for_erasure_twice_keeps_one_request(client_of, mine):
    from aftersales.privacy.models import ErasureRequest

    customer, order, _dispute = mine
    client = client_of(customer, order)
    client.post("/portal/privacy/erasure/", {"erasure-reason": "不再使用，請刪除"})
    again = client.post("/portal/privacy/erasure/", {"erasure-reason": "再次申請"})
    assert again.status_code in (302, 409, 422)
    assert ErasureRequest.objects.filter(customer=customer, state="pending").count() == 1
    if again.status_code != 302:
        assert ERROR.findall(again.content.decode()) or _refusal(again)


def test_an_erasure_reason_too_long_is_named(client_of, mine):
    from aftersales.privacy.models import ErasureRequest

    customer, order, _dispute = mine
    response = client_of(customer, order).post(
        "/portal/privacy/erasure/", {"erasure-reason": "刪" * 1001}
    )
    assert response.status_code == 422
    assert 'id="id_erasure-reason"' in response.content.decode()
    assert "1000" in ERROR.findall(response.content.decode())[0]
    assert not ErasureRequest.objects.filter(customer=customer).exists()


def test_my_export_holds_my_traditional_name_and_not_another_customers(client_of, theirs):
    import json

    customer, order, dispute = customer_dispute("13900002222", name="陳大文")
    _c, _o, their_dispute = theirs
    data = json.dumps(
        json.loads(client_of(customer, order).get("/portal/privacy/export/").content),
        ensure_ascii=False,
    )
    assert "陳大文" in data and dispute.number in data
    assert their_dispute.number not in data and "李四" not in data


def test_after_the_session_expires_signing_in_comes_back_to_the_page(mine):
    customer, order, dispute = mine
    client = Client()
    url = f"/portal/disputes/{dispute.number}/"
    to_sign_in = client.get(url)
    assert to_sign_in.status_code == 302
    client.post(
        to_sign_in["Location"],
        {"order_no": order.order_no, "phone": customer.phone, "next": url},
    )
    done = client.post("/portal/sign-in/code/", {"code": _code_sent_to(customer.phone)})
    assert done["Location"] == url


def test_a_message_on_a_withdrawn_dispute_says_to_file_a_new_one(client_of, mine):
    customer, order, dispute = mine
    client = client_of(customer, order)
    client.post(f"/portal/disputes/{dispute.number}/withdraw/", {"withdraw-reason": "不用了"})
    before = dispute.events.count()
    response = client.post(
        f"/portal/disputes/{dispute.number}/messages/", {"message-text": "我又想投訴了"}
    )
    assert response.status_code in (409, 422)
    assert "已由您撤回，不能再留言；如有新问题，请提交新的投诉" in visible(response)
    assert dispute.events.count() == before


def test_ten_files_are_too_many(client_of, mine):
    from .test_tracking import _png

    customer, order, dispute = mine
    files = [
        SimpleUploadedFile(f"p{i}.png", _png((i * 20, 0, 0)), content_type="image/png")
        for i in range(10)
    ]
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/",
        {"message-text": "十張照片", "message-files": files},
    )
    assert response.status_code == 422
    assert "9" in " ".join(ERROR.findall(response.content.decode()))
    assert not dispute.evidence.exists()


REVISION = re.compile(r'name="accept-revision" value="(\d+)"')


def _revise(dispute):
    from tests.customer_link import last_link
    from tests.factories import step

    step(Dispute.objects.get(pk=dispute.pk), "revise", reason="顾客还价，修改方案")
    return last_link(dispute)


@pytest.mark.parametrize(
    ("rest", "field"),
    [("accept/", "accept-code"), ("reject/", "reject-message"), ("counter/", "counter-amount")],
)
def test_an_answer_written_on_the_old_revision_does_not_answer_the_new_one(proposed, rest, field):
    from aftersales.mediation.models import ProposalRevision

    _customer, _order, dispute, token, old_code = proposed
    client = Client()
    shown = REVISION.search(client.get(_link(token)).content.decode()).group(1)
    client.post(_link(token, "counter/"), {"counter-amount": "300", "counter-revision": shown})
    _new_token, _new_code = _revise(dispute)
    value = old_code if field == "accept-code" else "50"
    prefix = rest.rstrip("/")
    # The tab still open on the first revision answers it.
    response = client.post(_link(token, rest), {field: value, f"{prefix}-revision": shown})
    assert response.status_code == 409
    assert "商家已发来新的方案" in _refusal(response)
    newest = ProposalRevision.objects.filter(proposal__dispute=dispute).latest("number")
    assert newest.state == "sent" and newest.code_attempts == 0
    # The page now carries the new revision, ready to answer.
    assert REVISION.search(response.content.decode()).group(1) == str(newest.pk)


def test_markup_in_a_counter_and_a_complaint_is_text_on_the_staff_page(
    client, proposed, agent, default_team
):
    _customer, _order, dispute, token, _code = proposed
    Client().post(_link(token, "counter/"), {"counter-amount": "300", "counter-message": MARKUP})
    Dispute.objects.filter(pk=dispute.pk).update(team=default_team, assignee=agent)
    client.force_login(agent)
    staff = client.get(f"/workbench/disputes/{dispute.number}/").content.decode()
    assert "<script>alert" not in staff and "<img src=x" not in staff
    assert "&lt;script&gt;alert" in staff
