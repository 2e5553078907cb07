"""财务付款 and the dispute page's after-sale orders in real headless Chromium: finance
approves an order from the list at desktop size and pays it from the dispute page on a
phone; neither page scrolls sideways."""

from aftersales.fulfilment.models import Payout
from aftersales.parties.roles import Role
from tests.workbench.harness import (  # noqa: F401
    BROWSER_MARKS,
    PHONE,
    browser_page,
    login,
    no_sideways_scroll,
)
from tests.workbench.test_aftersale_support import agreed_order_at, staff

pytestmark = BROWSER_MARKS


def test_finance_approves_on_the_list_and_pays_on_the_dispute_page(
    live_server,
    browser_page,  # noqa: F811
):
    from playwright.sync_api import expect

    dispute, order = agreed_order_at("awaiting_finance")
    finance = staff(Role.FINANCE)
    base = live_server.url
    page = browser_page

    login(page, base, finance, next_path="/workbench/payouts/")
    expect(page).to_have_url(f"{base}/workbench/payouts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("财务付款")
    row = page.locator(f"#order-{order.number}")
    expect(row).to_contain_text("待财审")
    expect(row).to_contain_text(f"¥{order.amount:,.2f}")
    assert no_sideways_scroll(page)

    row.get_by_text("财务审核通过", exact=True).first.click()  # the <summary>
    row.get_by_role("button", name="财务审核通过").click()
    expect(page.locator(".messages")).to_contain_text("财务审核通过 已登记")
    expect(page.locator(f"#order-{order.number}")).to_contain_text("待打款")

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/workbench/disputes/{dispute.number}/")
    card = page.locator(f"#order-{order.number}")
    expect(card).to_contain_text("待打款")
    expect(card).to_contain_text("财务部")
    assert no_sideways_scroll(page)
    card.get_by_text("登记打款", exact=True).first.click()
    card.get_by_label("流水号").fill("ALI-2026120501")
    card.get_by_role("button", name="登记打款").click()
    expect(page.locator(".messages")).to_contain_text("登记打款 已登记")
    card = page.locator(f"#order-{order.number}")
    expect(card).to_contain_text("已完成")
    expect(card).to_contain_text("ALI-2026120501")
    assert no_sideways_scroll(page)
    assert Payout.objects.filter(aftersale_order=order).count() == 1

    page.goto(f"{base}/workbench/payouts/?status=done")
    expect(page.locator("#payout-list")).to_contain_text("ALI-2026120501")
    assert no_sideways_scroll(page)
