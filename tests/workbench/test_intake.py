"""新建投诉 in the workbench: the same intake as POST /api/v1/disputes (validate_intake,
dispute_create, evidence_add), the number and the acknowledgement shown at once, bad
input kept and marked, a double submit taking the complaint in once."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from aftersales.disputes.models import Dispute, Event, Evidence
from aftersales.disputes.timeline import DisputeKind
from aftersales.notifications.models import OutboundMessage
from aftersales.parties.models import Order
from aftersales.parties.roles import Role
from tests.api.test_evidence_api import png_bytes
from tests.factories import CustomerFactory, OrderFactory, make_staff

pytestmark = pytest.mark.django_db
URL = reverse("workbench:intake")
LOOKUP = reverse("workbench:intake_orders")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_of(response) -> str:
    return re.search(r'name="key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def form_data(client, order_no: str, **overrides) -> dict:
    data = {
        "key": key_of(client.get(URL)),
        "channel": "phone",
        "order_no": order_no,
        "customer_name": "王芳",
        "customer_phone": "139 1234 5678",
        "description": "电饭煲用了一周内胆涂层脱落，要求退货退款。",
        "expectation": "return_refund",
        "claimed_amount": "299.00",
        "occurred_at": "2026-11-20T09:30",
    }
    data.update(overrides)
    return data


def test_an_agent_takes_in_a_phone_complaint_and_sees_number_and_acknowledgement(agent):
    order = OrderFactory()
    client = client_for(agent)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'aria-current="page" data-nav="new"' in page.content.decode()

    response = client.post(URL, form_data(client, order.order_no))

    assert response.status_code == 201
    dispute = Dispute.objects.get()
    assert dispute.channel == "phone"
    assert dispute.order == order
    assert dispute.expectation == "return_refund"
    assert str(dispute.claimed_amount) == "299.00"
    assert dispute.customer.phone == "13912345678"
    html = response.content.decode()
    assert f'<strong id="dispute-number">{dispute.number}</strong>' in html
    message = OutboundMessage.objects.get(dispute=dispute, template="acknowledgement")
    assert dispute.number in message.body
    assert message.body.splitlines()[0] in html
    assert reverse("workbench:dispute_detail", args=[dispute.number]) in html


def test_bad_input_answers_422_keeps_what_was_typed_and_marks_each_field(agent):
    client = client_for(agent)
    data = form_data(client, "", customer_phone="12345", description="", claimed_amount="12.345")
    response = client.post(URL, data)

    assert response.status_code == 422
    assert not Dispute.objects.exists()
    html = response.content.decode()
    assert 'value="王芳"' in html  # what was typed stays
    assert 'value="12345"' in html
    for field, message in (
        ("customer_phone", "联系电话格式不正确"),
        ("description", "请填写问题描述"),
        ("order_no", "请填写订单号"),
        ("claimed_amount", "金额最多保留两位小数"),
    ):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag, field
        assert f"id_{field}_error" in tag
        error = re.search(rf'id="id_{field}_error">([^<]*)<', html).group(1)
        assert message in error, (field, error)


def test_bad_input_is_marked_in_english_for_an_english_user(agent):
    client = client_for(agent)
    client.post(reverse("workbench:set_language"), {"language": "en", "next": URL})
    response = client.post(URL, form_data(client, "", customer_phone="12345"))

    assert response.status_code == 422
    error = re.search(r'id="id_customer_phone_error">([^<]*)<', response.content.decode())
    assert error and re.search(r"[A-Za-z]{4}", error.group(1)), error
    assert "联系电话" not in error.group(1)


def test_an_unknown_order_is_refused_on_the_order_number(agent):
    client = client_for(agent)
    response = client.post(URL, form_data(client, "NOPE-1"))
    assert response.status_code == 422
    error = re.search(r'id="id_order_no_error">([^<]*)<', response.content.decode()).group(1)
    assert "NOPE-1" in error
    assert not Dispute.objects.exists()


def test_an_unknown_order_is_given_inline_and_created_with_the_dispute(agent):
    client = client_for(agent)
    data = form_data(
        client,
        "JD-778899",
        new_order="on",
        order_store="京东自营旗舰店",
        order_platform="jd",
        order_channel="online",
        order_paid_at="2026-11-01T10:00",
        order_product="智能电饭煲",
        order_sku="RC-100",
        order_quantity="1",
        order_unit_price="329.00",
        order_paid="299.00",
    )
    response = client.post(URL, data)

    assert response.status_code == 201, response.content.decode()[:2000]
    order = Order.objects.get(order_no="JD-778899")
    assert order.store.name == "京东自营旗舰店"
    assert str(order.amount_paid) == "299.00"
    assert Dispute.objects.get().order == order


def test_an_inline_order_with_gaps_marks_the_order_fields(agent):
    client = client_for(agent)
    data = form_data(client, "JD-1", new_order="on", order_platform="jd", order_product="电饭煲")
    response = client.post(URL, data)

    assert response.status_code == 422
    html = response.content.decode()
    for field in ("order_store", "order_sku", "order_unit_price"):
        assert f'id="id_{field}_error"' in html, field
    assert '<details id="new-order" open>' in html
    assert not Order.objects.filter(order_no="JD-1").exists()


def test_a_double_submit_takes_the_complaint_in_once(agent):
    order = OrderFactory()
    client = client_for(agent)
    data = form_data(client, order.order_no)

    first = client.post(URL, data)
    second = client.post(URL, data)

    assert first.status_code == 201
    assert second.status_code == 200
    (dispute,) = Dispute.objects.all()
    assert dispute.number in second.content.decode()
    assert "没有重复受理" in second.content.decode()
    # The same key with other content is not a second dispute either.
    third = client.post(URL, {**data, "description": "另一件事：快递员态度恶劣。"})
    assert third.status_code == 409
    assert dispute.number in third.content.decode()
    assert Dispute.objects.count() == 1


@pytest.mark.parametrize("role", [Role.QUALITY_CONTROL, Role.FINANCE, Role.SUPERVISOR])
def test_roles_without_intake_are_refused(role):
    order = OrderFactory()
    client = client_for(make_staff(role))
    assert client.get(URL).status_code == 403
    data = {"key": "a" * 32, "channel": "phone", "order_no": order.order_no}
    assert client.post(URL, data).status_code == 403
    assert client.get(LOOKUP, {"q": order.order_no}).status_code == 403
    assert not Dispute.objects.exists()


def test_order_lookup_by_number_shows_store_items_amount_and_masked_buyer(agent):
    order = OrderFactory(customer=CustomerFactory(name="宋艳", phone="18712348311"))
    response = client_for(agent).get(LOOKUP, {"q": order.order_no}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the list alone, for htmx
    assert f'data-use-order="{order.order_no}"' in html
    assert order.store.name in html
    line = order.lines.get()
    assert f"{line.product.name} × 1" in html
    assert "¥1,999.00" in html
    assert "187****8311" in html and "宋*" in html
    assert "18712348311" not in html and "宋艳" not in html


def test_order_lookup_by_phone_finds_the_buyers_orders(agent):
    buyer = CustomerFactory(phone="13698761234")
    mine = [OrderFactory(customer=buyer), OrderFactory(customer=buyer)]
    other = OrderFactory()
    response = client_for(agent).get(LOOKUP, {"q": "136-9876-1234"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    for order in mine:
        assert f'data-use-order="{order.order_no}"' in html
    assert other.order_no not in html


def test_order_lookup_without_a_match_offers_the_inline_order(agent):
    response = client_for(agent).get(LOOKUP, {"q": "X-404"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'data-new-order="X-404"' in html
    assert 'id="order-none"' in html


def test_order_lookup_without_javascript_keeps_the_form(agent):
    order = OrderFactory()
    response = client_for(agent).get(
        LOOKUP, {"q": order.order_no, "customer_name": "王芳", "description": "漏水"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="intake-form"' in html
    assert f'data-use-order="{order.order_no}"' in html
    assert 'value="王芳"' in html


def test_the_file_input_carries_the_allowed_types_and_the_limit(agent, settings):
    settings.EVIDENCE_MAX_BYTES = 12345
    html = client_for(agent).get(URL).content.decode()
    tag = re.search(r'<input[^>]*type="file"[^>]*>', html).group(0)
    assert 'data-max-bytes="12345"' in tag
    assert "image/jpeg" in re.search(r'accept="([^"]*)"', tag).group(1)
    assert "application/pdf" in re.search(r'data-types="([^"]*)"', tag).group(1)
    assert ".txt" in re.search(r'data-endings="([^"]*)"', tag).group(1)
    assert "multiple" in tag


def test_evidence_is_attached_with_the_intake(agent):
    order = OrderFactory()
    client = client_for(agent)
    photo = SimpleUploadedFile("内胆.png", png_bytes(), content_type="image/png")
    log = SimpleUploadedFile("聊天记录.txt", "顾客：涂层脱落。".encode(), content_type="text/plain")
    response = client.post(URL, {**form_data(client, order.order_no), "files": [photo, log]})

    assert response.status_code == 201
    dispute = Dispute.objects.get()
    assert sorted(e.original_name for e in Evidence.objects.filter(dispute=dispute)) == [
        "内胆.png",
        "聊天记录.txt",
    ]
    assert Event.objects.filter(dispute=dispute, kind=DisputeKind.EVIDENCE_ADDED).count() == 2
    assert "内胆.png" in response.content.decode()


def test_evidence_too_large_is_refused_with_a_clear_message_and_nothing_is_kept(agent, settings):
    settings.EVIDENCE_MAX_BYTES = 50
    order = OrderFactory()
    client = client_for(agent)
    big = SimpleUploadedFile("大图.png", png_bytes(40, 40), content_type="image/png")
    response = client.post(URL, {**form_data(client, order.order_no), "files": [big]})

    assert response.status_code == 422
    error = re.search(r'id="id_files_error">([^<]*)<', response.content.decode()).group(1)
    assert "大图.png" in error and "过大" in error and "50 B" in error
    assert not Dispute.objects.exists()
    assert not Evidence.objects.exists()
    assert 'value="王芳"' in response.content.decode()


def test_evidence_of_a_wrong_type_is_refused(agent):
    order = OrderFactory()
    client = client_for(agent)
    exe = SimpleUploadedFile("发票.exe", b"MZ\x90\x00" + b"\x00" * 200, content_type="x/y")
    response = client.post(URL, {**form_data(client, order.order_no), "files": [exe]})

    assert response.status_code == 422
    error = re.search(r'id="id_files_error">([^<]*)<', response.content.decode()).group(1)
    assert "发票.exe" in error and "不支持的文件类型" in error
    assert not Dispute.objects.exists()


def test_a_refused_second_file_leaves_no_first_file_on_disk(agent, settings):
    """The photo was stored before the program was refused: the intake rolls back and so
    does the photo's file (nothing of a complaint that was not taken in stays behind)."""
    from pathlib import Path

    def files() -> set[Path]:
        return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}

    order = OrderFactory()
    client = client_for(agent)
    before = files()
    photo = SimpleUploadedFile("内胆.png", png_bytes(), content_type="image/png")
    exe = SimpleUploadedFile("发票.exe", b"MZ\x90\x00" + b"\x00" * 200, content_type="x/y")
    response = client.post(URL, {**form_data(client, order.order_no), "files": [photo, exe]})

    assert response.status_code == 422
    assert not Dispute.objects.exists() and not Evidence.objects.exists()
    assert files() == before
