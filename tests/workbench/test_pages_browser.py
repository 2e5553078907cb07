"""The staff workbench in real headless Chromium: login, the queue with masked phones,
search across Traditional and Simplified script, and a dispute's timeline."""

import re

import pytest
from django.db import connections

from aftersales.disputes.intake import validate_intake
from aftersales.intake.services import dispute_create
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD
from tests.conftest import intake_body
from tests.factories import OrderFactory, make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian chromium at /usr/bin/chromium (apt-get install chromium "
        "fonts-noto-cjk, or run bash scripts/setup)",
    ),
    # The live server reads what the test writes, so no wrapping transaction; the
    # serialized rollback puts back the rows migrations made (roles, the default team)
    # for the tests that run after this one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise
    # refuse ORM calls made while it runs (fixture teardown flushes the database).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()
            # Inside this block Playwright's greenlet has its own context, so Django hands
            # the test its own database connection; close it here or it outlives the test
            # and PostgreSQL refuses to drop the test database.
            connections.close_all()


def _dispute(*, phone: str, description: str, name: str):
    order = OrderFactory()
    body = intake_body(order, customer={"name": name, "phone": phone}, description=description)
    dispute, created = dispute_create(request=validate_intake(body), actor=SYSTEM)
    assert created
    return dispute


def test_agent_logs_in_searches_and_reads_a_timeline(live_server, page):
    from playwright.sync_api import expect

    team = Team.objects.get(is_default=True)
    agent = make_staff(Role.AGENT, team=team)
    # One described in Simplified, one in Traditional; search must find each from the
    # other script.
    leak = _dispute(
        phone="13812341234", name="张三", description="电热水器漏水，用了三天地板都泡坏了。"
    )
    crack = _dispute(
        phone="13987655678", name="李四", description="電飯煲外殼破損，快遞包裝也壓壞了。"
    )
    base = live_server.url

    # Not logged in: the workbench sends us to the login page and back afterwards.
    page.goto(f"{base}/workbench/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/workbench/$"))
    page.get_by_label("用户名").fill(agent.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base}/workbench/")

    rows = page.locator("#disputes tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#disputes")).to_contain_text(leak.number)
    expect(page.locator("#disputes")).to_contain_text(crack.number)
    expect(page.locator("#disputes")).to_contain_text("138****1234")
    expect(page.locator("#disputes")).to_contain_text("139****5678")
    html = page.content()
    assert "13812341234" not in html
    assert "13987655678" not in html

    # Traditional query, Simplified description.
    page.get_by_label("搜索").fill("熱水器漏水")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(leak.number)
    expect(page.locator("#count")).to_have_text("共 1 条")
    expect(page.get_by_label("搜索")).to_have_value("熱水器漏水")

    # Simplified query, Traditional description.
    page.get_by_label("搜索").fill("电饭煲")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(crack.number)

    # A search matching nothing says so.
    page.get_by_label("搜索").fill("洗衣机")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("没有符合条件的投诉")

    # Back to everything, then into the leak's detail page.
    page.get_by_label("搜索").fill("")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(2)
    page.get_by_role("link", name=leak.number).click()
    expect(page).to_have_url(f"{base}/workbench/disputes/{leak.number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(leak.number)
    expect(page.locator("main")).to_contain_text("138****1234")
    expect(page.locator("main")).to_contain_text("电热水器漏水，用了三天地板都泡坏了")
    assert "13812341234" not in page.content()

    # Why it was classified so, and the department task routing made.
    expect(page.locator("#classification")).to_contain_text("商品质量问题")
    expect(page.locator("#classification")).to_contain_text("置信度")
    expect(page.locator("ul.signals li").first).to_be_visible()
    expect(page.locator("#tasks")).to_contain_text("质检")

    timeline = page.locator("ol.timeline li")
    expect(timeline.last).to_contain_text("受理")
    expect(timeline.last).to_contain_text("→ 受理")  # the status label, not "received"
    expect(page.locator("ol.timeline")).not_to_contain_text("received")
    expect(timeline.filter(has_text="受理告知")).to_have_count(1)
    assert timeline.count() >= 2
    expect(page.locator("ol.timeline")).not_to_contain_text(crack.number)
