"""The portal in Chromium on a phone (390×844): sign in with the code the SMS carried,
follow my dispute, answer the proposal from its link with the code and download the
agreement; axe finds no serious or critical problem on any of these pages, nothing
scrolls sideways, and the pages still fit at 200 % zoom. Screenshots under
test-artifacts/portal-*.png."""

import re

from aftersales.notifications import channels
from tests.customer_link import last_link
from tests.factories import walk_to
from tests.workbench.harness import (  # noqa: F401
    BROWSER_MARKS,
    PHONE,
    browser_page,
    check_page,
    no_sideways_scroll,
)

from .conftest import customer_dispute

pytestmark = BROWSER_MARKS

CODE = re.compile(r"验证码为 (\d{6})")
ZOOMED = {"width": PHONE["width"] // 2, "height": PHONE["height"] // 2}  # 200 % zoom


def _code_sent_to(phone: str) -> str:
    for delivery in reversed(channels.outbox):
        if delivery.phone == phone and CODE.search(delivery.text):
            return CODE.search(delivery.text).group(1)
    raise AssertionError(f"no code sent to {phone}")


def _fits_zoomed(page) -> bool:
    page.set_viewport_size(ZOOMED)
    try:
        return no_sideways_scroll(page)
    finally:
        page.set_viewport_size(PHONE)


def test_a_customer_signs_in_follows_and_accepts_on_a_phone(live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    customer, order, dispute = customer_dispute("13900005555")
    dispute = walk_to(dispute, "proposing")
    token, code = last_link(dispute)
    page.set_viewport_size(PHONE)

    page.goto(f"{base}/portal/sign-in/")
    check_page(page, "portal-sign-in")
    assert _fits_zoomed(page)
    page.get_by_label("订单号").fill(order.order_no)
    page.get_by_label("下单时的手机号").fill(customer.phone)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/portal/sign-in/code/")
    assert "如果订单号与手机号匹配" in page.inner_text("body")
    check_page(page, "portal-code")
    page.get_by_label("短信验证码").fill(_code_sent_to(customer.phone))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/disputes/")
    check_page(page, "portal-disputes")

    page.get_by_role("link", name=f"投诉 {dispute.number}").click()
    page.wait_for_url(f"**/portal/disputes/{dispute.number}/")
    assert "等待您确认方案" in page.inner_text("#status")
    check_page(page, "portal-tracking")
    assert _fits_zoomed(page)

    page.goto(f"{base}/portal/mediation/{token}/")
    assert "法律规定您可以得到的" in page.inner_text("body")
    check_page(page, "portal-proposal")
    assert _fits_zoomed(page)
    page.get_by_label(re.compile("验证码")).fill(code)
    page.get_by_role("button", name="接受并确认").click()
    page.wait_for_selector("#agreement")
    assert "您已接受方案" in page.inner_text("body")
    check_page(page, "portal-accepted")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载调解协议书（PDF）").click()
    assert download.value.suggested_filename == f"agreement-{dispute.number}.pdf"


def test_pages_of_a_signed_in_customer_pass_axe(live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    customer, order, _dispute = customer_dispute("13900006666")
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/portal/sign-in/")
    page.get_by_label("订单号").fill(order.order_no)
    page.get_by_label("下单时的手机号").fill(customer.phone)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/portal/sign-in/code/")
    page.get_by_label("短信验证码").fill("000000")
    page.get_by_role("button", name="登录").click()
    check_page(page, "portal-code-wrong")
    page.get_by_label("短信验证码").fill(_code_sent_to(customer.phone))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/disputes/")
    for path, name in (("/portal/new/", "portal-new"), ("/portal/privacy/", "portal-privacy")):
        page.goto(base + path)
        check_page(page, name)
        assert _fits_zoomed(page)
    page.goto(f"{base}/portal/new/")
    page.get_by_role("button", name="提交投诉").click()
    check_page(page, "portal-new-errors")
