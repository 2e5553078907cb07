"""The tracking page of my own dispute: where it stands in my words, the next deadline
the merchant owes me, the messages both ways and a form to write; withdraw with a
reason; the proposal by the signed-in door; the return tracking and the refund."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from aftersales.disputes.evidence import evidence_add
from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.parties.roles import Role
from tests.factories import carry_to, make_staff

from .conftest import visible

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def _png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, format="PNG")
    return out.getvalue()


def test_my_dispute_in_my_words_with_the_next_deadline(client_of, mine):
    customer, order, dispute = mine
    page = client_of(customer, order).get(f"/portal/disputes/{dispute.number}/")
    assert page.status_code == 200
    text = visible(page)
    assert f"投诉 {dispute.number}" in text
    assert "已受理" in text
    assert "商家最晚将在" in text
    assert "received" not in text and "first_contact" not in text
    assert "沟通记录" in text


def test_a_message_appears_in_the_conversation(client_of, mine):
    customer, order, dispute = mine
    client = client_of(customer, order)
    response = client.post(
        f"/portal/disputes/{dispute.number}/messages/",
        {"message-text": "请问什么时候处理？"},
        follow=True,
    )
    text = visible(response)
    assert "留言已发送" in text
    assert "请问什么时候处理？" in text


def test_an_empty_message_is_marked_on_its_field(client_of, mine):
    customer, order, dispute = mine
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/", {"message-text": ""}
    )
    assert response.status_code == 422
    assert 'id="id_message-text" aria-invalid="true"' in response.content.decode() or (
        'aria-invalid="true"' in response.content.decode()
    )


def test_a_file_that_is_not_evidence_is_refused_before_anything_is_kept(client_of, mine):
    customer, order, dispute = mine
    bad = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/",
        {"message-text": "照片在附件", "message-files": [bad]},
    )
    assert response.status_code == 422
    assert "照片在附件" in response.content.decode()
    assert "photo.png：不支持的文件类型" in visible(response)
    assert not dispute.evidence.exists()


def test_a_photo_goes_with_the_message(client_of, mine):
    customer, order, dispute = mine
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/messages/",
        {"message-text": "照片在附件", "message-files": [photo]},
        follow=True,
    )
    assert "附 1 个文件" in visible(response)
    assert dispute.evidence.count() == 1
    # Listed among what the customer sent, by its name.
    assert "我提交的凭证" in visible(response) and "photo.png" in visible(response)


def test_i_open_my_own_photo_again_but_not_the_merchants_files(client_of, mine):
    customer, order, dispute = mine
    client = client_of(customer, order)
    photo = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    client.post(
        f"/portal/disputes/{dispute.number}/messages/",
        {"message-text": "照片在附件", "message-files": [photo]},
    )
    staff_file = evidence_add(
        dispute=dispute,
        upload=SimpleUploadedFile("质检.png", _png((0, 90, 0)), content_type="image/png"),
        actor=make_staff(Role.QUALITY_CONTROL),
    ).evidence
    mine_file = dispute.evidence.get(uploaded_by__isnull=True)
    page = client.get(f"/portal/disputes/{dispute.number}/").content.decode()
    link = f"/portal/disputes/{dispute.number}/evidence/{mine_file.pk}/"
    assert f'href="{link}"' in page and "质检.png" not in page
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["Content-Type"] == "image/png"
    assert not response["Content-Disposition"].startswith("attachment")  # shown, not saved
    refused = client.get(f"/portal/disputes/{dispute.number}/evidence/{staff_file.pk}/")
    assert refused.status_code == 404


def test_withdraw_with_a_reason(client_of, mine):
    customer, order, dispute = mine
    client = client_of(customer, order)
    blank = client.post(f"/portal/disputes/{dispute.number}/withdraw/", {"withdraw-reason": ""})
    assert blank.status_code == 422
    assert 'aria-invalid="true"' in blank.content.decode()
    done = client.post(
        f"/portal/disputes/{dispute.number}/withdraw/",
        {"withdraw-reason": "已经自己修好了"},
        follow=True,
    )
    assert "您的投诉已撤回" in visible(done)
    assert "您已撤回" in visible(done)
    assert Dispute.objects.get(pk=dispute.pk).status == "withdrawn"


def test_the_proposal_by_the_signed_in_door(client_of, proposed):
    customer, order, dispute, _token, code = proposed
    client = client_of(customer, order)
    tracking = visible(client.get(f"/portal/disputes/{dispute.number}/"))
    assert "等待您确认方案" in tracking
    assert "查看并答复处理方案" in tracking
    page = client.get(f"/portal/disputes/{dispute.number}/proposal/")
    assert page.status_code == 200
    accepted = client.post(
        f"/portal/disputes/{dispute.number}/accept/", {"accept-code": code}, follow=True
    )
    assert "您已接受方案" in visible(accepted)
    pdf = client.get(f"/portal/disputes/{dispute.number}/agreement.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_return_tracking(client_of, proposed):
    customer, order, dispute, _token, code = proposed
    client = client_of(customer, order)
    client.post(f"/portal/disputes/{dispute.number}/accept/", {"accept-code": code})
    aftersale = AfterSaleOrder.objects.filter(dispute=dispute).order_by("id").first()
    carry_to(aftersale, "awaiting_return", at=timezone.now())
    page = visible(client.get(f"/portal/disputes/{dispute.number}/"))
    assert "请寄回商品并填写退货物流" in page
    url = f"/portal/disputes/{dispute.number}/orders/{aftersale.number}/return/"
    key = f"return-{aftersale.number}"
    bad = client.post(url, {f"{key}-carrier": "顺丰", f"{key}-tracking_no": ""})
    assert bad.status_code == 422
    assert 'value="顺丰"' in bad.content.decode()
    done = client.post(
        url, {f"{key}-carrier": "顺丰速运", f"{key}-tracking_no": "SF1234567890"}, follow=True
    )
    assert "退货物流已登记" in visible(done)
    assert "SF1234567890" in visible(done)


def test_confirm_the_refund_arrived(client_of, proposed):
    customer, order, dispute, _token, code = proposed
    client = client_of(customer, order)
    client.post(f"/portal/disputes/{dispute.number}/accept/", {"accept-code": code})
    aftersale = AfterSaleOrder.objects.filter(dispute=dispute).order_by("id").first()
    carry_to(aftersale, "done", at=timezone.now())
    page = visible(client.get(f"/portal/disputes/{dispute.number}/"))
    assert "我已收到退款" in page
    done = client.post(
        f"/portal/disputes/{dispute.number}/orders/{aftersale.number}/arrival/", follow=True
    )
    assert "已记录退款到账" in visible(done)
    assert "您已确认退款到账" in visible(done)
    aftersale.refresh_from_db()
    assert aftersale.arrival_confirmed_at is not None


def test_reading_the_conversation_marks_our_messages_read(client_of, mine):
    from aftersales.notifications.models import OutboundMessage

    customer, order, dispute = mine
    assert OutboundMessage.objects.filter(dispute=dispute, read_at__isnull=True).exists()
    client_of(customer, order).get(f"/portal/disputes/{dispute.number}/")
    assert (
        not OutboundMessage.objects.filter(dispute=dispute, read_at__isnull=True)
        .exclude(state="cancelled")
        .exists()
    )
