"""Issue 11 item 9: `aftersales privacy export|erase`, and reads of personal data on the
timeline (agreement PDF; evidence in test_exif.py; the full contact)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import DisputeKind
from aftersales.mediation.models import SettlementAgreement
from aftersales.notifications.models import OutboundMessage
from aftersales.parties.models import Customer, Order
from aftersales.privacy.timeline import PrivacyKind
from tests.factories import OrderFactory, make_dispute, walk_to

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
NAME = "张三"
ADDRESS = "上海市浦东新区世纪大道 100 号 12 楼"
NOW = timezone.now()


def privacy(*args) -> dict:
    out = io.StringIO()
    call_command("privacy", *args, stdout=out)
    return json.loads(out.getvalue())


def dispute_closed(order, agent, *, closed_days_ago: int | None, description: str):
    """A dispute by 张三 on `order`, received 10 days before it was closed (None: open)."""
    days = closed_days_ago if closed_days_ago is not None else 0
    received = NOW - dt.timedelta(days=days + 10)
    dispute = make_dispute(
        order,
        received_at=received.isoformat(),
        description=description,
        expectation_text=f"请联系{NAME}，电话{PHONE}",
    )
    if closed_days_ago is not None:
        walk_to(dispute, "closed", at=NOW - dt.timedelta(days=days), actor=agent)
    return Dispute.objects.get(pk=dispute.pk)


@pytest.fixture
def customer_history(agent):
    """Three disputes of 张三: closed 4 years ago, closed 1 year ago, still open."""
    order = OrderFactory(address=ADDRESS, buyer_account="zhangsan_tb")
    old = dispute_closed(order, agent, closed_days_ago=4 * 365, description="热水器漏水（旧）")
    recent = dispute_closed(
        OrderFactory(), agent, closed_days_ago=365, description="冰箱不制冷（去年）"
    )
    current = dispute_closed(OrderFactory(), agent, closed_days_ago=None, description="新投诉")
    Order.objects.filter(pk=order.pk).update(
        customer=old.customer,
        paid_at=NOW - dt.timedelta(days=5 * 365),
        received_at=NOW - dt.timedelta(days=5 * 365 - 3),
    )
    return old, recent, current


def test_export_prints_everything_held_and_is_recorded(customer_history):
    old, recent, current = customer_history
    data = privacy("export", "--phone", "+86 138-1234-1234")
    assert data["phone"] == PHONE
    # Times are shown as the customer and staff read them: Asia/Shanghai.
    assert data["exported_at"].endswith("+08:00")
    assert data["customers"][0]["created_at"].endswith("+08:00")
    assert data["customers"] == [
        {
            "name": NAME,
            "phone": PHONE,
            "email": "",
            "created_at": data["customers"][0]["created_at"],
        }
    ]
    assert [o["address"] for o in data["orders"]] == [ADDRESS]
    by_number = {d["number"]: d for d in data["disputes"]}
    assert set(by_number) == {old.number, recent.number, current.number}
    exported = by_number[old.number]
    assert exported["description"] == "热水器漏水（旧）"
    assert {"intake", "action"} <= {e["kind"] for e in exported["timeline"]}
    assert exported["messages"] and all(m["body"] for m in exported["messages"])
    # How each message went: the customer can see what reached them and what did not.
    assert {"state", "attempts", "delivered_at", "failure_detail"} <= set(exported["messages"][0])
    assert exported["proposals"] and exported["proposals"][0]["message"]
    assert exported["agreements"][0]["sha256"]
    for d in (old, recent, current):
        assert d.events.filter(kind=PrivacyKind.PERSONAL_DATA_EXPORTED).count() == 1


def test_export_of_an_unknown_phone_is_empty_and_a_bad_phone_refused(db):
    assert privacy("export", "--phone", "13900000000")["disputes"] == []
    with pytest.raises(CommandError):
        privacy("export", "--phone", "12345")


def test_erase_anonymises_only_what_is_past_retention(customer_history):
    old, recent, current = customer_history
    events_before = old.events.count()
    recent_before = list(recent.events.values_list("payload", "reason"))

    report = privacy("erase", "--phone", PHONE, "--reason", "顾客申请删除（工单 PIPL-7）")

    assert [e["number"] for e in report["erased"]] == [old.number]
    kept = {k["number"]: k["code"] for k in report["kept"]}
    assert kept == {recent.number: "retention", current.number: "open"}
    assert report["customer"]["erased"] is False  # still needed for the kept disputes
    assert report["retention_days"] == 3 * 365

    old.refresh_from_db()
    assert old.description == "[已匿名化]" and old.expectation_text == ""
    # The timeline keeps every event, plus the erasure, with no personal data left.
    assert old.events.count() == events_before + 1
    timeline = json.dumps(
        list(old.events.values("reason", "payload", "actor_label")), ensure_ascii=False
    )
    for personal in (NAME, PHONE, ADDRESS, "热水器漏水"):
        assert personal not in timeline
    erasure = old.events.get(kind=PrivacyKind.PERSONAL_DATA_ERASED)
    assert erasure.reason == "顾客申请删除（工单 PIPL-7）"
    assert {"action", "intake"} <= set(old.events.values_list("kind", flat=True))
    for message in OutboundMessage.objects.filter(dispute=old):
        assert NAME not in message.body + message.subject
    agreement = SettlementAgreement.objects.get(dispute=old)
    assert bytes(agreement.pdf) == b"" and len(agreement.sha256) == 64
    assert Order.objects.get(disputes=old).address == ""

    # Kept disputes are untouched.
    recent.refresh_from_db()
    assert recent.description == "冰箱不制冷（去年）"
    assert list(recent.events.values_list("payload", "reason")) == recent_before
    assert Customer.objects.get(phone=PHONE).name == NAME

    # A second run erases nothing twice.
    again = privacy("erase", "--phone", PHONE, "--reason", "重复执行")
    assert again["erased"] == [{"number": old.number, "already": True}]
    assert old.events.filter(kind=PrivacyKind.PERSONAL_DATA_ERASED).count() == 1


def test_customer_row_is_anonymised_when_nothing_is_kept(agent, settings):
    settings.PRIVACY_RETENTION_DAYS = 30
    order = OrderFactory(address=ADDRESS)
    dispute = dispute_closed(order, agent, closed_days_ago=60, description="漏水")
    Order.objects.filter(pk=order.pk).update(
        customer=dispute.customer,
        paid_at=NOW - dt.timedelta(days=90),
        received_at=NOW - dt.timedelta(days=87),
    )
    report = privacy("erase", "--phone", PHONE, "--reason", "顾客申请删除")
    assert report["customer"] == {"erased": True}
    assert not Customer.objects.filter(phone=PHONE).exists()
    customer = Customer.objects.get(pk=dispute.customer_id)
    assert customer.name == "已匿名化" and PHONE not in customer.phone
    assert privacy("export", "--phone", PHONE)["disputes"] == []


def test_staff_reading_an_agreement_is_recorded(agent, api_as):
    dispute = make_dispute()
    walk_to(dispute, "executing", actor=agent)  # the customer accepted: an agreement
    agreement = SettlementAgreement.objects.get(dispute=dispute)
    url = f"/api/v1/disputes/{dispute.number}/proposals/{agreement.proposal_id}/agreement.pdf"
    response = api_as(agent).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    (viewed,) = Event.objects.filter(dispute=dispute, kind=DisputeKind.AGREEMENT_VIEWED)
    assert viewed.actor == agent and viewed.payload["sha256"] == agreement.sha256


def test_revealing_the_contact_is_recorded(agent, api_as):
    dispute = make_dispute()
    response = api_as(agent).get(f"/api/v1/disputes/{dispute.number}/contact")
    assert response.status_code == 200 and response.json()["phone"] == PHONE
    assert dispute.events.filter(kind=DisputeKind.CONTACT_REVEALED, actor=agent).count() == 1
