"""新建投诉 in real Chromium, at desktop and phone size: the order found by the customer's
phone (htmx), a file refused before upload, the evidence sent with its progress shown,
and the number and acknowledgement on screen at once."""

import re

import pytest

from aftersales.disputes.models import Dispute, Evidence
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.api.test_evidence_api import png_bytes
from tests.factories import CustomerFactory, OrderFactory, make_staff
from tests.workbench.harness import (  # noqa: F401
    BROWSER_MARKS,
    DESKTOP,
    PHONE,
    browser_page,
    check_page,
    login,
)

pytestmark = BROWSER_MARKS

# Every text the upload status shows, in order (the element is replaced by the answer).
WATCH_STATUS = """() => {
    window.uploadStatus = [];
    const status = document.getElementById('upload-status');
    new MutationObserver(() => window.uploadStatus.push(status.textContent))
        .observe(status, {childList: true, characterData: true, subtree: true});
}"""


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_intake_by_phone_with_evidence_shows_the_number(
    live_server,
    browser_page,  # noqa: F811
    tmp_path,
    size,
):
    from playwright.sync_api import expect

    page = browser_page
    agent = make_staff(Role.AGENT, team=Team.objects.get(is_default=True))
    order = OrderFactory(customer=CustomerFactory(name="宋艳", phone="18712348311"))
    photo = tmp_path / "漏水照片.png"
    photo.write_bytes(png_bytes(600, 600) + b"\x00" * 2_000_000)  # trailing bytes: a big file
    wrong = tmp_path / "安装包.exe"
    wrong.write_bytes(b"MZ" + b"\x00" * 100)

    login(page, live_server.url, agent, next_path="/workbench/new/")
    page.set_viewport_size(size)
    expect(page.get_by_role("heading", name="新建投诉")).to_be_visible()
    check_page(page, f"intake-form-{'desktop' if size == DESKTOP else 'phone'}")

    page.get_by_label("受理渠道").select_option("phone")
    page.get_by_label("查找订单（订单号或顾客手机号）").fill("187 1234 8311")
    matches = page.locator("#order-table")
    expect(matches).to_contain_text(order.order_no)
    expect(matches).to_contain_text("187****8311")
    expect(matches).to_contain_text("¥1,999.00")
    page.get_by_role("button", name=f"使用此订单 {order.order_no}").click()
    expect(page.get_by_role("textbox", name="订单号", exact=True)).to_have_value(order.order_no)

    page.get_by_label("顾客姓名").fill("宋艳")
    page.get_by_label("联系电话").fill("18712348311")
    page.get_by_label("问题描述").fill("热水器安装第二天就漏水，地板泡坏了。")
    page.get_by_label("顾客诉求").select_option(label="退货退款")
    page.get_by_label("诉求金额（元，可选）").fill("1999.00")

    # Refused in the browser before anything is sent.
    files = page.get_by_label("证据文件（可选，可多选）")
    files.set_input_files(str(wrong))
    expect(page.locator("#file-checks")).to_contain_text("不是可接受的文件类型")
    expect(files).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="提交受理").click()
    assert not Dispute.objects.exists()

    files.set_input_files(str(photo))
    expect(page.locator("#file-checks")).to_contain_text("可以上传")

    # A bad phone: the answer (422) marks the field, keeps what was typed and the file.
    page.get_by_label("联系电话").fill("12345")
    page.get_by_role("button", name="提交受理").click()
    expect(page.locator("#form-errors")).to_contain_text("联系电话格式不正确", timeout=30_000)
    phone = page.get_by_label("联系电话")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_value("12345")
    expect(page.get_by_label("问题描述")).to_have_value("热水器安装第二天就漏水，地板泡坏了。")
    assert (
        page.evaluate("() => document.querySelector('#intake-form input[type=file]').files.length")
        == 1
    )
    assert not Dispute.objects.exists()

    phone.fill("18712348311")
    page.evaluate(WATCH_STATUS)
    page.get_by_role("button", name="提交受理").click()

    number = page.locator("#dispute-number")
    expect(number).to_have_text(re.compile(r"^SH\d+"), timeout=30_000)
    dispute = Dispute.objects.get()
    expect(number).to_have_text(dispute.number)
    expect(page.locator("#acknowledgement")).to_contain_text(dispute.number)
    expect(page.locator("#evidence-list")).to_contain_text("漏水照片.png")
    statuses = page.evaluate("() => window.uploadStatus")
    assert any(re.search(r"正在上传：\d+%", s) for s in statuses), statuses
    assert Evidence.objects.get(dispute=dispute).original_name == "漏水照片.png"
    assert dispute.channel == "phone" and dispute.order == order
    check_page(page, f"intake-done-{'desktop' if size == DESKTOP else 'phone'}")
