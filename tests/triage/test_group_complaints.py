"""Group complaints (集体投诉): near-identical complaints about one product from
different customers within a week become a candidate the team lead confirms or
dismisses; confirmation makes every member major."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event
from aftersales.parties.models import OrderLine
from aftersales.parties.roles import Role
from aftersales.triage.models import GroupComplaint
from aftersales.triage.timeline import TriageKind
from tests.conftest import intake_body
from tests.factories import OrderFactory, ProductFactory, make_staff

pytestmark = pytest.mark.django_db

TEXT = "这批羽绒服跑绒特别严重，穿一天身上全是毛，洗了一次就结块了，要求退货。"
ALIKE = "這批羽絨服跑絨特別嚴重，穿一天身上全是毛，洗了一次就結塊了！要求退貨退款"
OTHER = "客服一直不回消息，问了三天都没人理，态度太差了。"


@pytest.fixture
def product():
    return ProductFactory(name="轻薄羽绒服")


def order_of(product):
    order = OrderFactory(line=False)
    OrderLine.objects.create(order=order, product=product, quantity=1, unit_price=order.amount_paid)
    return order


@pytest.fixture
def lead(default_team):
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    default_team.lead = lead
    default_team.save()
    return lead


def complain(client, product, text, phone, **extra):
    body = intake_body(
        order_of(product), description=text, customer={"name": "顾客", "phone": phone}, **extra
    )
    r = client.post("/api/v1/disputes", body)
    assert r.status_code == 201, r.content
    return r.json()["number"]


def test_similar_complaints_from_two_customers_form_a_candidate(api_as, agent, lead, product):
    client = api_as(agent)
    first = complain(client, product, TEXT, "13600000001")
    second = complain(client, product, ALIKE, "13600000002")
    group = GroupComplaint.objects.get()
    assert group.state == GroupComplaint.State.CANDIDATE
    assert set(group.disputes.values_list("number", flat=True)) == {first, second}
    flagged = Event.objects.get(dispute__number=second, kind=TriageKind.GROUP_FLAGGED)
    assert flagged.payload["similar_to"] == first
    inbox = api_as(lead).get("/api/v1/notifications").json()
    assert any(n["kind"] == "group_complaint" for n in inbox)
    listed = api_as(lead).get("/api/v1/group-complaints").json()
    assert listed[0]["disputes"] == [first, second]


def test_same_customer_other_problem_or_other_product_do_not_group(api_as, agent, product):
    client = api_as(agent)
    complain(client, product, TEXT, "13600000001")
    complain(client, product, ALIKE, "13600000001")  # the same customer again
    complain(client, product, OTHER, "13600000003")  # another customer, another problem
    complain(client, ProductFactory(), ALIKE, "13600000004")  # another product
    assert not GroupComplaint.objects.exists()


def test_complaints_older_than_a_week_do_not_group(api_as, agent, product):
    client = api_as(agent)
    complain(client, product, TEXT, "13600000001")
    Dispute.objects.update(received_at=timezone.now() - dt.timedelta(days=8))
    complain(client, product, ALIKE, "13600000002")
    assert not GroupComplaint.objects.exists()


def test_confirming_makes_every_member_major(api_as, agent, lead, product):
    client = api_as(agent)
    first = complain(client, product, TEXT, "13600000001")
    second = complain(client, product, ALIKE, "13600000002")
    group = GroupComplaint.objects.get()
    refused = api_as(agent).post(f"/api/v1/group-complaints/{group.pk}/decision", {"confirm": True})
    assert refused.status_code == 403
    r = api_as(lead).post(
        f"/api/v1/group-complaints/{group.pk}/decision",
        {"confirm": True, "reason": "同批次质量问题"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "confirmed"
    for number in (first, second):
        d = Dispute.objects.get(number=number)
        assert d.severity == "major"
        event = d.events.get(kind=TriageKind.GROUP_DECIDED)
        assert event.payload["severity_after"] == "major"
    again = api_as(lead).post(
        f"/api/v1/group-complaints/{group.pk}/decision", {"confirm": False, "reason": "x"}
    )
    assert again.status_code == 409
    # A later complaint of the same kind joins the confirmed group as major at once.
    third = complain(client, product, TEXT + "质量太差", "13600000003")
    assert Dispute.objects.get(number=third).severity == "major"
    assert group.disputes.count() == 3


def test_dismissing_needs_a_reason_and_changes_no_severity(api_as, agent, lead, product):
    client = api_as(agent)
    complain(client, product, TEXT, "13600000001")
    complain(client, product, ALIKE, "13600000002")
    group = GroupComplaint.objects.get()
    lead_client = api_as(lead)
    r = lead_client.post(f"/api/v1/group-complaints/{group.pk}/decision", {"confirm": False})
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    r = lead_client.post(
        f"/api/v1/group-complaints/{group.pk}/decision", {"confirm": False, "reason": "顾客刷单"}
    )
    assert r.json()["state"] == "dismissed"
    assert not Dispute.objects.filter(severity="major").exists()
