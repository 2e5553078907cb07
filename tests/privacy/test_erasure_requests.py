"""Issue 14 item 5: the customer downloads everything held about them and asks for
erasure; the request waits in the admins' queue (oldest first) until an admin approves
it — the data is erased as far as the law allows, and the request says what was kept and
why — or refuses it with a note."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Dispute
from aftersales.parties.models import Customer
from aftersales.parties.roles import Role
from aftersales.privacy.erase import ERASED
from aftersales.privacy.models import ErasureRequest
from aftersales.privacy.requests import (
    customer_export,
    erasure_decide,
    erasure_latest,
    erasure_queue,
    erasure_request,
)
from tests.factories import CustomerFactory, OrderFactory, make_dispute, make_staff, walk_to

pytestmark = pytest.mark.django_db
NOW = timezone.now()
CHANGELIST = "/admin/privacy/erasurerequest/"


@pytest.fixture
def admin(db):
    return make_staff(Role.ADMIN)


def closed_dispute(agent, *, days_ago: int, description: str):
    dispute = make_dispute(
        OrderFactory(),
        received_at=(NOW - dt.timedelta(days=days_ago + 10)).isoformat(),
        description=description,
    )
    walk_to(dispute, "closed", at=NOW - dt.timedelta(days=days_ago), actor=agent)
    return Dispute.objects.get(pk=dispute.pk)


@pytest.fixture
def history(agent):
    """张三: a dispute closed four years ago (past retention) and one still open."""
    old = closed_dispute(agent, days_ago=4 * 365, description="热水器漏水（旧）")
    current = make_dispute(OrderFactory(), description="冰箱不制冷")
    return old, current


def test_the_customer_downloads_everything_held_about_them(history):
    old, current = history
    download = customer_export(old.customer)
    assert download.filename.startswith("personal-data-") and download.filename.endswith(".json")
    assert download.content_type == "application/json"
    data = json.loads(download.content)
    assert data["customers"][0]["name"] == "张三"
    assert {d["number"] for d in data["disputes"]} == {old.number, current.number}
    assert "冰箱不制冷" in download.content.decode()  # Chinese as written, not \\u escapes
    assert current.events.filter(kind="personal_data_exported").exists()


def test_one_request_waits_per_customer(history):
    customer = history[0].customer
    first = erasure_request(customer=customer, reason=" 不再使用，请删除 ", ip="203.0.113.5")
    assert (first.state, first.reason, first.ip) == ("pending", "不再使用，请删除", "203.0.113.5")
    again = erasure_request(customer=customer, reason="再次申请", ip=None)
    assert again.pk == first.pk and again.reason == "不再使用，请删除"
    assert ErasureRequest.objects.filter(customer=customer).count() == 1
    assert erasure_latest(customer).pk == first.pk


def test_a_reason_too_long_names_the_field(history):
    with pytest.raises(ValidationFailed) as caught:
        erasure_request(customer=history[0].customer, reason="删" * 1001, ip=None)
    assert "reason" in caught.value.fields


def test_only_an_admin_decides(history, agent):
    request = erasure_request(customer=history[0].customer, reason="", ip=None)
    for role in (Role.TEAM_LEAD, Role.SUPERVISOR, Role.MANAGEMENT):
        with pytest.raises(Forbidden):
            erasure_decide(request=request, actor=make_staff(role), approve=True)
    assert ErasureRequest.objects.get(pk=request.pk).state == "pending"


def test_a_refusal_needs_a_note(history, admin):
    request = erasure_request(customer=history[0].customer, reason="", ip=None)
    with pytest.raises(ValidationFailed) as caught:
        erasure_decide(request=request, actor=admin, approve=False, note="  ")
    assert "note" in caught.value.fields
    refused = erasure_decide(
        request=request, actor=admin, approve=False, note="投诉仍在处理中，结案后可再申请"
    )
    assert (refused.state, refused.decided_by, refused.decision_note) == (
        "refused",
        admin,
        "投诉仍在处理中，结案后可再申请",
    )
    assert refused.decided_at is not None
    assert Dispute.objects.get(pk=history[0].pk).description == "热水器漏水（旧）"
    # Decided: a new request may be made, and this one is not decided twice.
    with pytest.raises(Conflict):
        erasure_decide(request=refused, actor=admin, approve=True)
    assert erasure_request(customer=history[0].customer, reason="", ip=None).pk != refused.pk


def test_approval_erases_what_the_law_allows_and_says_what_it_kept(history, admin):
    old, current = history
    request = erasure_request(customer=old.customer, reason="请删除我的信息", ip=None)
    done = erasure_decide(request=request, actor=admin, approve=True, note="核实为本人")
    assert done.state == "done" and done.decided_by == admin
    assert Dispute.objects.get(pk=old.pk).description == ERASED
    assert Dispute.objects.get(pk=current.pk).description == "冰箱不制冷"
    assert [d["number"] for d in done.report["erased"]] == [old.number]
    assert [(d["number"], d["code"]) for d in done.report["kept"]] == [(current.number, "open")]
    assert done.report["customer"]["erased"] is False  # an open dispute keeps them on file
    assert "phone" not in done.report
    erased = old.events.get(kind="personal_data_erased")
    assert f"#{request.pk}" in erased.reason


def test_a_customer_with_nothing_left_to_keep_is_anonymised(agent, admin):
    customer = CustomerFactory()
    order = OrderFactory(customer=customer, received_at=NOW - dt.timedelta(days=5 * 365))
    old = make_dispute(
        order,
        customer={"name": customer.name, "phone": customer.phone},
        received_at=(NOW - dt.timedelta(days=4 * 365 + 10)).isoformat(),
    )
    walk_to(old, "closed", at=NOW - dt.timedelta(days=4 * 365), actor=agent)
    request = erasure_request(customer=customer, reason="", ip=None)
    done = erasure_decide(request=request, actor=admin, approve=True)
    assert done.report["customer"]["erased"] is True
    assert Customer.objects.get(pk=customer.pk).name == "已匿名化"


def test_the_admin_queue_lists_pending_requests_oldest_first(admin):
    newer = erasure_request(customer=CustomerFactory(), reason="", ip=None, at=NOW)
    older = erasure_request(
        customer=CustomerFactory(), reason="", ip=None, at=NOW - dt.timedelta(days=2)
    )
    decided = erasure_request(
        customer=CustomerFactory(), reason="", ip=None, at=NOW - dt.timedelta(days=5)
    )
    erasure_decide(request=decided, actor=admin, approve=False, note="非本人申请")
    assert [r.pk for r in erasure_queue()] == [older.pk, newer.pk]
    client = Client()
    client.force_login(admin)
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    listed = [r.pk for r in page.context["cl"].result_list]
    assert listed[:2] == [older.pk, newer.pk] and listed[2] == decided.pk
    # The list's action approves the selected pending requests through the service.
    client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [older.pk, decided.pk]}
    )
    assert ErasureRequest.objects.get(pk=older.pk).state == "done"
    assert ErasureRequest.objects.get(pk=older.pk).decided_by == admin
    assert ErasureRequest.objects.get(pk=decided.pk).state == "refused"  # unchanged


def test_an_admin_refuses_one_on_its_page_with_a_note(admin):
    request = erasure_request(customer=CustomerFactory(), reason="", ip=None)
    client = Client()
    client.force_login(admin)
    page = f"{CHANGELIST}{request.pk}/change/"
    assert client.get(page).status_code == 200
    client.post(page, {"decision": "refuse", "note": ""})
    assert ErasureRequest.objects.get(pk=request.pk).state == "pending"
    client.post(page, {"decision": "refuse", "note": "无法核实申请人身份"})
    refused = ErasureRequest.objects.get(pk=request.pk)
    assert (refused.state, refused.decision_note) == ("refused", "无法核实申请人身份")


def test_staff_who_are_not_admins_see_no_queue(db):
    client = Client()
    client.force_login(make_staff(Role.TEAM_LEAD))
    assert client.get(CHANGELIST).status_code in (302, 403)
