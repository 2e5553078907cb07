"""The proposal builder and 待我审批 in real headless Chromium, at desktop (1366×768) and
phone (390×844) sizes: the agent adds a remedy line with proposal.js, checks the draft
(the authority it needs, the statutory verdict, the customer's message) before saving,
saves it; the team lead approves it from the approvals inbox; the agent sends it."""

import pytest

from aftersales.mediation.models import Proposal, ProposalState
from aftersales.parties.roles import Role
from tests.mediation.proposal_helpers import investigating_dispute, staff
from tests.workbench import harness
from tests.workbench.harness import browser_page  # noqa: F401  (the fixture)

from .test_mediation_browser import login
from .test_pages_browser import CHROMIUM, page  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:  # noqa: F811
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_builder_adds_lines_checks_and_the_lead_approves_from_the_inbox(live_server, page):  # noqa: F811
    from playwright.sync_api import expect

    agent, lead = staff(Role.AGENT), staff(Role.TEAM_LEAD)
    dispute = investigating_dispute()
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, base, agent)
    page.goto(f"{base}/workbench/disputes/{dispute.number}/#builder")

    builder = page.locator("#proposal-builder")
    rows = builder.locator("#remedy-lines tbody tr.line")
    total = builder.locator("input[name='line-TOTAL_FORMS']")
    expect(rows).to_have_count(4)  # the standard remedy and three empty rows
    expect(page.locator("#my-authority")).to_contain_text("¥200.00 以内")
    expect(rows.nth(0).locator("select[name='line-0-code']")).to_have_value("return_refund")

    # proposal.js: a fifth row from the template, then an empty one removed again.
    builder.get_by_role("button", name="添加一行").click()
    expect(rows).to_have_count(5)
    expect(total).to_have_value("5")
    builder.get_by_role("button", name="删除第 2 项").click()
    expect(rows).to_have_count(4)
    expect(total).to_have_value("4")
    last = rows.nth(3)
    expect(last.locator("select").first).to_have_attribute("name", "line-3-code")
    last.get_by_label("第 4 项解决办法").select_option("compensation")
    last.get_by_label("第 4 项金额（元）").fill("300.00")
    builder.get_by_label("致顾客的附言").fill("地板损失另行补偿")

    # The check before saving: htmx puts the verdict under the builder.
    builder.get_by_role("button", name="检查权限与法定标准").click()
    check = page.locator("#proposal-check")
    expect(check).to_contain_text("计入权限的金额 ¥300.00")
    expect(check).to_contain_text("须调解小组组长或以上审批")
    expect(check).to_contain_text("法定标准检查：不低于顾客的法定权益。")
    expect(check.locator(".customer-message")).to_contain_text("地板损失另行补偿")
    assert Proposal.objects.filter(dispute=dispute).count() == 0

    builder.get_by_role("button", name="保存草稿").click()
    proposal = page.locator("#proposals .proposal")
    expect(proposal).to_have_attribute("data-state", "pending_approval")
    expect(proposal).to_contain_text("赔偿金 300.00 元")
    expect(proposal.get_by_role("button", name="发送给顾客")).to_have_count(0)

    # The team lead's inbox, at desktop size, then on a phone: no sideways scrolling.
    page.context.clear_cookies()
    login(page, base, lead)
    page.goto(f"{base}/workbench/approvals/")
    expect(page.get_by_role("heading", level=1)).to_have_text("待我审批")
    row = page.locator("#approvals tr.waiting")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(dispute.number)
    expect(row).to_contain_text("¥2,299.00")
    expect(row).to_contain_text("不低于法定标准")
    assert no_sideways_scroll(page)
    page.set_viewport_size(PHONE)
    expect(row.get_by_role("button", name="同意")).to_be_visible()
    assert no_sideways_scroll(page)
    row.get_by_label("审批意见").fill("地板损失有照片为证")
    row.get_by_role("button", name="同意").click()
    expect(page.locator(".messages")).to_contain_text(f"已同意投诉 {dispute.number} 的调解方案")
    expect(page.locator("#approvals")).to_contain_text("没有等待您审批的方案")

    # The agent sends it.
    page.set_viewport_size(DESKTOP)
    page.context.clear_cookies()
    login(page, base, agent)
    page.goto(f"{base}/workbench/disputes/{dispute.number}/#proposals")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#proposals").get_by_role("button", name="发送给顾客").click()
    expect(page.locator("#proposals .proposal")).to_have_attribute("data-state", "sent")
    assert Proposal.objects.get(dispute=dispute).state == ProposalState.SENT


def test_an_exchange_line_with_what_the_customer_pays_and_ship_first(live_server, browser_page):  # noqa: F811
    """The row's other options: what the customer pays and 先发后退, saved and shown."""
    from playwright.sync_api import expect

    tab = browser_page
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    base = live_server.url
    harness.login(tab, base, agent)
    tab.goto(f"{base}/workbench/disputes/{dispute.number}/#builder")
    builder = tab.locator("#proposal-builder")
    row = builder.locator("#remedy-lines tbody tr.line").nth(0)
    row.get_by_label("第 1 项解决办法").select_option("exchange")
    row.get_by_label("第 1 项金额（元）").fill("")
    options = row.locator("details.line-options")
    expect(options.get_by_label("买家应补（元）")).to_be_hidden()
    options.get_by_text("第 1 项其他选项").click()
    options.get_by_label("买家应补（元）").fill("50.00")
    options.get_by_label("先发后退").check()
    harness.check_page(tab, "proposal-builder-options")

    builder.get_by_role("button", name="保存草稿").click()
    proposal = tab.locator("#proposals .proposal")
    expect(proposal).to_contain_text("换货，顾客补差价 50.00 元")
    (line,) = Proposal.objects.get(dispute=dispute).revisions.get().remedies
    assert (line["customer_pays"], line.get("ship_first")) == ("50.00", True)
    # The builder, to revise the draft, shows the line with its options open.
    options = tab.locator("#proposal-builder tr.line").nth(0).locator("details.line-options")
    expect(options).to_have_attribute("open", "")
    expect(options.get_by_label("买家应补（元）")).to_have_value("50.00")
    expect(options.get_by_label("先发后退")).to_be_checked()
    expect(options.get_by_label("先退款后退货")).not_to_be_checked()
