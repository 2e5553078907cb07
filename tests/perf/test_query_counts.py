"""N+1 guards: the queue, the dispute page and intake run the same number of statements
whether there are 5 disputes (or timeline events) or 50. Each test counts the statements
of one request at both sizes; a statement per row shows up as a difference of 45, and an
absolute ceiling keeps the constant part from creeping up unnoticed."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aftersales.disputes.models import Dispute
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.parties.roles import Role
from aftersales.triage.corrections import dispute_reclassify
from tests.conftest import ApiClient, intake_body
from tests.factories import OrderFactory, ProductFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

FEW, MANY = 5, 50
# Measured when written, on SQLite and PostgreSQL alike: queue page 7 (11 since the
# filters, saved views and bulk forms: session, user, language, teams, handlers, roles,
# the scope's team read, disputes, clocks, unread count, saved views), queue API 4
# (token, the scope's team read, disputes: a list that fits on its page is not
# counted), dispute page 24 (23 on PostgreSQL, where the customer's and the order's
# other disputes are one UNION; 51 before its sections shared their reads, 29 before the
# follow-up took its calls from the page's timeline), dispute API 6, intake 17 (16 on
# PostgreSQL). The ceilings leave room for a few more reads that do not depend on the
# number of rows.
CEILING = {"page_list": 12, "api_list": 6, "page_detail": 27, "api_detail": 10, "intake": 26}


def count(call) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx), "\n".join(q["sql"][:160] for q in ctx.captured_queries)


def queue_of(agent, n: int) -> None:
    """n disputes the agent holds: each with its own order, store and customer; every
    third a repeat complaint on the order before it (so `duplicate_of` is set)."""
    order = None
    for i in range(n):
        if order is None or i % 3:
            order = OrderFactory()
        make_dispute(
            order,
            actor=agent,
            channel="phone",
            customer={"name": f"顾客{i}", "phone": f"139{i:08d}"},
        )


def assert_flat(name: str, few: tuple[int, str], many: tuple[int, str]) -> None:
    assert many[0] == few[0], (
        f"{name}: {few[0]} statements with {FEW}, {many[0]} with {MANY} — one per row?\n{many[1]}"
    )
    assert many[0] <= CEILING[name], f"{name}: {many[0]} statements\n{many[1]}"


@pytest.fixture
def agent(default_team):
    return make_staff(Role.AGENT, team=default_team)


def queue_counts(agent, total: int):
    queue_of(agent, total - Dispute.objects.count())
    page, api = Client(), ApiClient(agent)
    page.force_login(agent)
    page.get("/workbench/")  # sessions, translations and the like warm up once
    api.get("/api/v1/disputes")

    def list_page():
        response = page.get("/workbench/")
        assert response.status_code == 200
        assert response.content.decode().count("/workbench/disputes/") >= total

    def list_api():
        response = api.get("/api/v1/disputes", page_size=100)
        assert response.status_code == 200
        assert response.json()["count"] == total

    return count(list_page), count(list_api)


def test_the_queue_runs_as_many_statements_for_50_disputes_as_for_5(agent):
    few_page, few_api = queue_counts(agent, FEW)
    many_page, many_api = queue_counts(agent, MANY)
    assert_flat("page_list", few_page, many_page)
    assert_flat("api_list", few_api, many_api)


def busy_dispute(agent, team, events: int):
    """A dispute whose timeline holds about `events` events, written by different agents:
    corrections of category and severity back and forth (each one re-routes, so tasks
    are added too)."""
    dispute = make_dispute(OrderFactory(), actor=agent, channel="phone")
    agents = [agent, *(make_staff(Role.AGENT, team=team) for _ in range(3))]
    categories = [Category.QUALITY, Category.LOGISTICS, Category.SERVICE, Category.PRICE_PROMOTION]
    categories.sort(key=lambda c: c == dispute.category)  # the first one is a change
    severities = [Severity.GENERAL, Severity.COMPLEX]
    i = 0
    while dispute.events.count() < events:
        dispute.refresh_from_db()
        dispute = dispute_reclassify(
            dispute=dispute,
            actor=agents[i % len(agents)],
            version=dispute.version,
            reason=f"复核第 {i + 1} 次",
            category=categories[i % len(categories)],
            severity=severities[i % len(severities)],
        )
        i += 1
    return dispute


def detail_counts(agent, team, events: int):
    dispute = busy_dispute(agent, team, events)
    page, api = Client(), ApiClient(agent)
    page.force_login(agent)
    url = f"/workbench/disputes/{dispute.number}/"
    page.get(url)
    api.get(f"/api/v1/disputes/{dispute.number}")
    n = dispute.events.count()
    last = dispute.events.latest("id").reason

    def detail_page():
        response = page.get(url)
        assert response.status_code == 200
        assert last in response.content.decode()

    def detail_api():
        response = api.get(f"/api/v1/disputes/{dispute.number}")
        assert response.status_code == 200
        assert len(response.json()["timeline"]) == n

    return count(detail_page), count(detail_api)


def test_the_dispute_page_runs_as_many_statements_for_50_events_as_for_5(agent, default_team):
    few_page, few_api = detail_counts(agent, default_team, FEW)
    many_page, many_api = detail_counts(agent, default_team, MANY)
    assert_flat("page_detail", few_page, many_page)
    assert_flat("api_detail", few_api, many_api)


def intake_count(agent, earlier: int) -> tuple[int, str]:
    """One API intake about a product that `earlier` open disputes of the same buyer
    already complain about in nearly the same words (the duplicate and group-complaint
    checks read them)."""
    product = ProductFactory()
    orders = [OrderFactory(line=False) for _ in range(earlier + 1)]
    for order in orders:
        order.lines.create(product=product, quantity=1, unit_price=order.amount_paid)
    text = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"
    for i, order in enumerate(orders[:-1]):
        make_dispute(order, description=f"{text}（第 {i} 台）", product_name=product.name)
    api = ApiClient(agent)
    warm = OrderFactory()
    assert api.post("/api/v1/disputes", intake_body(warm)).status_code == 201

    def intake():
        body = intake_body(orders[-1], product_name=product.name, description=text)
        response = api.post("/api/v1/disputes", body)
        assert response.status_code == 201, response.content

    return count(intake)


def test_intake_runs_as_many_statements_after_50_similar_disputes_as_after_5(agent):
    assert_flat("intake", intake_count(agent, FEW), intake_count(agent, MANY))
