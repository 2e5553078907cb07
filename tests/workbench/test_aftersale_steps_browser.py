"""After-sale order steps on the dispute page in real headless Chromium (the harness:
axe, CSP, screenshots, no sideways scroll at 390 px): an agent sends the return address
at desktop size; an agent cancels an order on a phone, refused first without a reason;
logistics records a parcel's movement and then its delivery (签收), which finishes the
order."""

import re

from aftersales.fulfilment.aftersale_orders import aftersale_order_create
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.factories import carry_to
from tests.workbench.harness import (  # noqa: F401
    BROWSER_MARKS,
    PHONE,
    browser_page,
    check_page,
    login,
)
from tests.workbench.test_aftersale_support import agreed_order_at, settled, staff

pytestmark = BROWSER_MARKS

ADDRESS = "广东省深圳市南山区科技园南区 8 栋 售后部 收"


def dispute_path(dispute) -> str:
    return f"/workbench/disputes/{dispute.number}/"


def open_action(card, label: str):
    """Open the card's form of one move (its <details>) and return that form."""
    details = card.locator("details.action").filter(
        has=card.page.locator("summary", has_text=re.compile(f"^{re.escape(label)}"))
    )
    details.locator("summary").click()
    return details.locator("form")


def test_an_agent_sends_the_return_address(live_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    dispute, order = agreed_order_at("awaiting_return_address")
    agent = staff(Role.AGENT)
    page = browser_page
    login(page, live_server.url, agent, next_path=dispute_path(dispute))
    card = page.locator(f"#order-{order.number}")
    expect(card.locator(".state")).to_have_text("待发退货地址")

    form = open_action(card, "发送退货地址")
    expect(form).to_contain_text("不填则使用店铺默认退货地址")
    form.get_by_label("退货地址").fill(ADDRESS)
    check_page(page, "aftersale-return-address-form")
    form.get_by_role("button", name="发送退货地址").click()

    expect(page.locator(".messages")).to_contain_text(f"售后单 {order.number}：发送退货地址 已登记")
    card = page.locator(f"#order-{order.number}")
    expect(card.locator(".state")).to_have_text("待买家退货")
    expect(card.locator("table.facts")).to_contain_text(ADDRESS)
    expect(card.locator("summary", has_text="发送退货地址")).to_have_count(0)
    expect(page.locator('#timeline li[data-kind="aftersale_state"]').first).to_contain_text(
        agent.username
    )
    check_page(page, "aftersale-return-address-sent")


def test_an_agent_cancels_an_order_on_a_phone_with_a_reason(live_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    dispute, order = agreed_order_at("awaiting_return_address")
    agent = staff(Role.AGENT)
    page = browser_page
    page.set_viewport_size(PHONE)
    page.on("dialog", lambda dialog: dialog.accept())  # the 确定要执行该操作吗？ confirm
    login(page, live_server.url, agent, next_path=dispute_path(dispute))
    card = page.locator(f"#order-{order.number}")

    # Blanks pass the browser's `required`; the server refuses them on the field.
    form = open_action(card, "取消")
    form.get_by_label("理由").fill("   ")
    form.get_by_role("button", name="取消").click()
    card = page.locator(f"#order-{order.number}")
    reason = card.locator('form[action$="/cancel/"]').get_by_label("理由")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(card.locator('form[action$="/cancel/"] .errorlist')).to_be_visible()
    expect(card.locator(".state")).to_have_text("待发退货地址")
    check_page(page, "aftersale-cancel-refused")

    reason.fill("顾客来电说已自行修好，不再退货")
    card.locator('form[action$="/cancel/"]').get_by_role("button", name="取消").click()
    expect(page.locator(".messages")).to_contain_text(f"售后单 {order.number}：取消 已登记")
    card = page.locator(f"#order-{order.number}")
    expect(card.locator(".state")).to_have_text("已取消")
    expect(card.locator("table.facts")).to_contain_text("顾客来电说已自行修好，不再退货")
    expect(page.locator("#timeline")).to_contain_text("顾客来电说已自行修好，不再退货")
    check_page(page, "aftersale-cancelled")


def test_logistics_records_a_movement_and_the_delivery(live_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    dispute, _agreed = settled()
    reship = aftersale_order_create(
        dispute=dispute, type="reship", actor=SYSTEM, reason="电话中另行约定补发配件"
    )
    carry_to(reship, "shipped")
    parcel = reship.parcels.get()
    logistics = staff(Role.LOGISTICS)
    page = browser_page
    login(page, live_server.url, logistics, next_path=dispute_path(dispute))
    card = page.locator(f"#order-{reship.number}")
    expect(card.locator(".state")).to_have_text("已发货")

    form = open_action(card, f"登记物流轨迹 · {parcel.tracking_no}")
    form.get_by_label("物流信息").fill("快件已到达杭州转运中心")
    check_page(page, "aftersale-parcel-movement-form")
    form.get_by_role("button", name="登记物流轨迹").click()
    expect(page.locator(".messages")).to_contain_text("物流更新已登记")
    card = page.locator(f"#order-{reship.number}")
    expect(card.locator("table.parcels")).to_contain_text("快件已到达杭州转运中心")
    expect(card.locator(".state")).to_have_text("已发货")
    expect(page.locator('#timeline li[data-kind="parcel_moved"]')).to_have_count(1)

    form = open_action(card, f"登记物流轨迹 · {parcel.tracking_no}")
    form.get_by_label("物流信息").fill("已签收，本人签收")
    form.get_by_label("已签收").check()
    form.get_by_role("button", name="登记物流轨迹").click()
    card = page.locator(f"#order-{reship.number}")
    expect(card.locator(".state")).to_have_text("已完成")
    expect(card.locator('table.parcels td[data-label="签收时间"]')).not_to_have_text("—")
    expect(card.locator("details.action")).to_have_count(0)
    expect(page.locator('#timeline li[data-kind="parcel_moved"]')).to_have_count(2)
    check_page(page, "aftersale-parcel-delivered")
