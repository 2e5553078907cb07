"""A customer's walk through a proposal on a phone, from the links the SMS carried: counter
the first proposal, accept the revision with its new code, download the agreement, fill in
the return's tracking number and confirm the refund arrived. Each step asserts what the
customer sees; axe and the phone width are checked on every page (test-artifacts/
portal-walk-*.png). (Filing with a photo and rating the outcome wait on the permission
and service changes the portal's report names.)"""

import re

from django.utils import timezone

from aftersales.fulfilment.models import AfterSaleOrder
from tests.customer_link import last_link
from tests.factories import carry_to, step, walk_to
from tests.workbench.harness import BROWSER_MARKS, PHONE, browser_page, check_page  # noqa: F401

from .conftest import customer_dispute

pytestmark = BROWSER_MARKS


def test_counter_accept_the_revision_return_and_confirm_the_refund(live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    _customer, _order, dispute = customer_dispute("13900007777")
    dispute = walk_to(dispute, "proposing")
    token, _code = last_link(dispute)
    page.set_viewport_size(PHONE)

    page.goto(f"{base}/portal/mediation/{token}/")
    assert "等待您答复" in page.inner_text("#offer")
    page.get_by_text("我有不同意见（还价）").click()
    page.get_by_label("您希望的解决办法").select_option("compensation")
    page.get_by_label("您希望的金额（元，可选）").fill("300")
    page.get_by_label("给商家的留言").fill("地板泡坏了，希望另外赔偿")
    check_page(page, "portal-walk-counter")
    page.get_by_role("button", name="提交我的意见").click()
    page.wait_for_selector(".messages")
    assert "已把您的意见转给商家" in page.inner_text(".messages")
    assert "您已提出意见，等待商家答复" in page.inner_text("#offer")

    step(dispute, "revise", reason="顾客还价，修改方案")  # the agent sends revision 2
    token2, code2 = last_link(dispute)
    page.goto(f"{base}/portal/mediation/{token2}/")
    assert "第 2 版" in page.inner_text("#offer")
    page.get_by_label(re.compile("验证码")).fill(code2)
    page.get_by_role("button", name="接受并确认").click()
    page.wait_for_selector("#agreement")
    assert "您已接受方案" in page.inner_text(".messages")
    check_page(page, "portal-walk-accepted")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载调解协议书（PDF）").click()
    assert download.value.suggested_filename == f"agreement-{dispute.number}.pdf"

    aftersale = AfterSaleOrder.objects.filter(dispute=dispute).order_by("id").first()
    carry_to(aftersale, "awaiting_return", at=timezone.now())
    page.reload()
    assert "请寄回商品并填写退货物流" in page.inner_text("#orders")
    page.get_by_label("快递公司").fill("顺丰速运")
    page.get_by_label("快递单号").fill("SF1234567890")
    check_page(page, "portal-walk-return")
    page.get_by_role("button", name="提交退货物流").click()
    page.wait_for_selector(".messages")
    assert "商品寄回途中" in page.inner_text("#orders")
    assert "SF1234567890" in page.inner_text("#orders")

    carry_to(aftersale, "done", at=timezone.now())
    page.reload()
    page.get_by_role("button", name="我已收到退款").click()
    page.wait_for_selector(".messages")
    assert "您已确认退款到账" in page.inner_text("#orders")
    check_page(page, "portal-walk-refund")
