"""Query counts of the workbench's queue and dispute pages (issue 13): constant in the
number of rows shown. The queue with 1 dispute and with 30 runs the same number of
statements, plain, filtered and searched; the dispute page the same for a dispute with a
short and a long timeline and a customer with one or many earlier disputes. Ceilings:
what was measured when written (queue 13, dispute page 37; SQLite and PostgreSQL) plus a
little room for reads that do not depend on the rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.disputes.models import Dispute
from aftersales.disputes.taxonomy import Category
from aftersales.parties.roles import Role
from aftersales.triage.corrections import dispute_reclassify
from tests.factories import OrderFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

QUEUE_MAX = 16
DETAIL_MAX = 60
QUERIES = (
    {},
    {"status": "received", "needs_review": "", "q": "漏水"},
    {"breaching": "1", "assignee": "me"},
    {"q": "13900000000"},
    {"severity": "general", "at_risk": "1", "escalation_risk": ""},
)


@pytest.fixture
def agent(default_team):
    return make_staff(Role.AGENT, team=default_team)


def fill_queue(agent, total: int) -> None:
    for i in range(total - Dispute.objects.count()):
        make_dispute(
            OrderFactory(),
            actor=agent,
            channel="phone",
            customer={"name": f"顾客{i}", "phone": f"139{i:08d}"},
            description=f"热水器第 {i} 台漏水，要求退货退款。",
        )


def statements(client: Client, url: str, params=None) -> int:
    client.get(url, params or {})  # warm: session, translations, caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:500]
    return len(ctx)


def test_queue_page_does_not_grow_with_its_rows(agent, django_assert_max_num_queries):
    client = Client()
    client.force_login(agent)
    url = reverse("workbench:dispute_list")
    fill_queue(agent, 1)
    one = [statements(client, url, q) for q in QUERIES]
    fill_queue(agent, 30)
    thirty = [statements(client, url, q) for q in QUERIES]
    assert one == thirty, f"1 dispute: {one}, 30 disputes: {thirty}"
    body = client.get(url).content.decode()
    assert body.count("/workbench/disputes/SH") >= 30
    for q in QUERIES:
        with django_assert_max_num_queries(QUEUE_MAX):
            assert client.get(url, q).status_code == 200


def busy(agent, events: int, earlier: int) -> Dispute:
    order = OrderFactory()
    customer = {"name": "王芳", "phone": "13911112222"}
    for _ in range(earlier):
        make_dispute(OrderFactory(customer=order.customer), actor=agent, customer=customer)
    dispute = make_dispute(order, actor=agent, channel="phone", customer=customer)
    categories = [Category.LOGISTICS, Category.SERVICE, Category.QUALITY]
    i = 0
    while dispute.events.count() < events:
        dispute.refresh_from_db()
        dispute = dispute_reclassify(
            dispute=dispute,
            actor=agent,
            version=dispute.version,
            reason=f"复核第 {i + 1} 次",
            category=categories[i % len(categories)],
        )
        i += 1
    return dispute


def test_dispute_page_does_not_grow_with_its_timeline(agent, django_assert_max_num_queries):
    client = Client()
    client.force_login(agent)
    short = busy(agent, events=5, earlier=0)
    long = busy(agent, events=30, earlier=4)
    counts = [
        statements(client, reverse("workbench:dispute_detail", args=[d.number]))
        for d in (short, long)
    ]
    assert counts[0] == counts[1], f"short timeline: {counts[0]}, long: {counts[1]}"
    with django_assert_max_num_queries(DETAIL_MAX):
        client.get(reverse("workbench:dispute_detail", args=[long.number]))
