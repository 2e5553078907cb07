"""A customer's whole journey on a phone (390×844), in real Chromium, from signing in to
the dispute's closing: sign in with the order number, the phone and the code the SMS
carried → file a complaint with a photo and read its number (the acknowledgement SMS
carries the same) → an agent sees it in the workbench queue → the proposal arrives by
SMS and on the dispute's page → counter once → accept the revision with its new code →
download the agreement → fill in the return's tracking → confirm the refund → rate 4 →
the dispute reads closed. Each step asserts what the customer sees (the page's text,
the SMS on their "phone": the development SMS sender's file, after the worker delivered
the outbox) and
passes axe; screenshots test-artifacts/portal-journey-<nn>-<step>-phone.png. Staff act
through the services the workbench calls (tests.factories `walk_to`, `step`,
`carry_to`)."""

import re
from pathlib import Path

import pytest
from django.conf import settings as live_settings
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.notifications.sms.dev import read_outbox
from aftersales.notifications.tasks import deliver_messages
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.customer_link import CODE, LINK
from tests.factories import CustomerFactory, OrderFactory, carry_to, make_staff, step, walk_to
from tests.workbench.harness import (  # noqa: F401
    BROWSER_MARKS,
    DESKTOP,
    PHONE,
    browser_page,
    check_page,
    login,
)

pytestmark = BROWSER_MARKS

PHONE_NO = "13900008888"
WHAT_HAPPENED = "热水器到货后外壳开裂，通电后漏水，地板也泡坏了。"


# --- the customer's phone: the SMS they received --------------------------------------


@pytest.fixture(autouse=True)
def development_sms(settings, tmp_path):
    """Texts go as in development: by the development SMS sender, one JSON line per text
    in a file (what `aftersales demo` prints the path of) — the customer's phone here."""
    settings.CUSTOMER_CHANNEL = ""
    settings.AFTERSALES_SMS_BACKEND = "aftersales.notifications.sms.dev.DevelopmentSms"
    settings.AFTERSALES_SMS_DEV_FILE = str(tmp_path / "sms-outbox.jsonl")


def received() -> list[dict]:
    return read_outbox(Path(live_settings.AFTERSALES_SMS_DEV_FILE))


def run_worker() -> None:
    """The background worker's run: every customer message due goes out."""
    deliver_messages.call()


def sms_to(phone: str, containing: str | re.Pattern) -> str:
    """The latest SMS the phone received that contains `containing` (text or pattern)."""
    for sms in reversed(received()):
        if sms["phone"] != phone:
            continue
        text = sms["text"]
        found = (
            containing.search(text) if isinstance(containing, re.Pattern) else containing in text
        )
        if found:
            return text
    texts = [sms["text"] for sms in received() if sms["phone"] == phone]
    raise AssertionError(f"no SMS to {phone} with {containing!r}; it received: {texts}")


def proposal_sms(phone: str) -> tuple[str, str]:
    """After the worker ran: the link (as the SMS wrote it) and the one-time code of the
    latest proposal SMS."""
    run_worker()
    text = sms_to(phone, LINK)
    link = re.search(r"https?://[^/\s]+" + LINK.pattern, text)
    code = CODE.search(text)
    assert link and code, f"the proposal SMS lacks its link or code: {text}"
    return link.group(0), code.group(1)


# --- the customer's browser -----------------------------------------------------------


class Customer:
    """The phone's browser on the live server; `look` checks and photographs each page."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.shot = 0
        page.set_viewport_size(PHONE)

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, f"{path}: {response}"

    def look(self, name: str) -> None:
        self.shot += 1
        check_page(self.page, f"portal-journey-{self.shot:02d}-{name}")

    def text(self, selector: str) -> str:
        return self.page.inner_text(selector)

    def dispute_page(self, number: str) -> None:
        self.go(f"/portal/disputes/{number}/")
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(number)

    def press(self, button: str) -> None:
        """Press a button and wait for the page that answers (with its notice)."""
        self.page.get_by_role("button", name=button).click()
        self.page.wait_for_selector(".messages")


def a_photo(tmp_path) -> str:
    path = tmp_path / "裂缝.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(path, format="PNG")
    return str(path)


def agent_sees_in_queue(page, base: str, number: str, *, photo: str) -> None:
    """A second browser (desktop), an agent of the default team signed in: the queue
    lists the number; opened from there, the dispute shows the customer's photo. Closed
    afterwards (its polls would hold SQLite's lock)."""
    agent = make_staff(Role.AGENT, team=Team.objects.get(is_default=True))
    context = page.context.browser.new_context(
        viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        desk = context.new_page()
        login(desk, base, agent)
        row = desk.locator(f'#disputes tbody tr[data-number="{number}"]')
        expect(row).to_be_visible()
        check_page(desk, "portal-journey-queue-agent")
        row.locator("a.open").click()
        expect(desk.get_by_role("heading", level=1)).to_contain_text(number)
        expect(desk.locator("#evidence")).to_contain_text(photo)
    finally:
        context.close()


def test_a_customer_files_follows_negotiates_and_rates_on_a_phone(
    live_server,
    browser_page,  # noqa: F811
    tmp_path,
    settings,
):
    settings.AFTERSALES_PUBLIC_URL = live_server.url  # the links in the SMS lead here
    customer = CustomerFactory(name="周敏", phone=PHONE_NO)
    order = OrderFactory(customer=customer)
    me = Customer(browser_page, live_server.url)
    page = me.page

    # 1. Sign in: the order number and the phone → the code the SMS carried.
    me.go("/portal/sign-in/")
    me.look("sign-in")
    page.get_by_label("订单号").fill(order.order_no)
    page.get_by_label("下单时的手机号").fill(PHONE_NO)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/portal/sign-in/code/")
    assert "如果订单号与手机号匹配" in me.text("body")
    me.look("code")
    code = CODE.search(sms_to(PHONE_NO, CODE)).group(1)
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/portal/disputes/")
    me.look("signed-in")

    # 2. File a complaint with a photo: the number and the next step at once; the
    #    acknowledgement SMS carries the same number.
    me.go("/portal/new/")
    page.get_by_label("哪一笔订单").select_option(order.order_no)
    page.get_by_label("发生了什么").fill(WHAT_HAPPENED)
    page.get_by_label("退货退款").check()
    page.get_by_label(re.compile("照片或其他证据")).set_input_files(a_photo(tmp_path))
    page.get_by_label("我已阅读并同意上面的个人信息处理说明").check()
    me.look("new")
    page.get_by_role("button", name="提交投诉").click()
    number_shown = page.locator("#dispute-number")
    expect(number_shown).to_have_text(re.compile(r"\S+"), timeout=30_000)
    number = number_shown.inner_text()
    assert "投诉已提交" in me.text("h1")
    assert "客服会尽快联系您核实情况" in me.text("main")
    me.look("filed")
    run_worker()
    assert number in sms_to(PHONE_NO, number)
    me.dispute_page(number)
    assert "已受理" in me.text("#status-words")
    assert number in me.text("#message")  # the acknowledgement, in the portal inbox too
    me.look("tracking")

    # 3. An agent sees it in the workbench queue, and the photo on its page.
    agent_sees_in_queue(page, live_server.url, number, photo="裂缝.png")

    # 4. Staff make and send a proposal: it arrives by SMS (link and code) and on the
    #    dispute's page.
    dispute = walk_to(Dispute.objects.get(number=number), "proposing")
    link, _first_code = proposal_sms(PHONE_NO)
    assert link.startswith(f"{live_server.url}/portal/mediation/")
    me.go(link.removeprefix(live_server.url))  # the customer taps the link
    assert "等待您答复" in me.text("#offer")
    assert "法律规定您可以得到的" in me.text("main")
    me.look("proposal-link")
    me.dispute_page(number)
    assert "等待您确认方案" in me.text("#status-words")
    me.look("proposal-arrived")

    # 5. Counter once; staff revise; accept the revision with its new code; download
    #    the agreement.
    page.get_by_role("link", name="查看并答复处理方案").click()
    expect(page.locator("#offer")).to_contain_text("等待您答复")
    page.get_by_text("我有不同意见（还价）").click()
    page.get_by_label("您希望的金额（元，可选）").fill("2300")
    page.get_by_label("给商家的留言").fill("地板泡坏了，希望另外赔偿地板的损失")
    me.look("counter")
    me.press("提交我的意见")
    assert "已把您的意见转给商家" in me.text(".messages")
    assert "您已提出意见，等待商家答复" in me.text("#offer")

    step(dispute, "revise", reason="顾客还价，修改方案")
    _link, new_code = proposal_sms(PHONE_NO)
    me.dispute_page(number)
    assert "等待您确认方案" in me.text("#status-words")
    page.get_by_role("link", name="查看并答复处理方案").click()
    expect(page.locator("#offer")).to_contain_text("第 2 版")
    me.look("revision")
    page.get_by_label(re.compile("验证码")).fill(new_code)
    page.get_by_role("button", name="接受并确认").click()
    page.wait_for_selector("#agreement")
    assert "您已接受方案" in me.text(".messages")
    me.look("accepted")
    pdf_link = page.get_by_role("link", name="下载调解协议书（PDF）")
    pdf = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body()[:5] == b"%PDF-"

    # 6. The return: staff send the address; the customer fills in carrier and number.
    aftersale = AfterSaleOrder.objects.filter(dispute=dispute).order_by("id").first()
    carry_to(aftersale, "awaiting_return", at=timezone.now())
    me.dispute_page(number)
    assert "请寄回商品并填写退货物流" in me.text("#orders")
    page.get_by_label("快递公司").fill("顺丰速运")
    page.get_by_label("快递单号").fill("SF1234567890")
    me.look("return")
    me.press("提交退货物流")
    assert "商品寄回途中" in me.text("#orders")
    assert "SF1234567890" in me.text("#orders")
    me.look("return-sent")

    # 7. Staff receive, inspect and pay out; the customer confirms the refund arrived.
    for state in ("received", "awaiting_finance", "awaiting_payout", "done"):
        carry_to(aftersale, state, at=timezone.now())
    me.dispute_page(number)
    me.press("我已收到退款")
    assert "您已确认退款到账" in me.text("#orders")
    me.look("refund-confirmed")

    # 8. In follow-up: rate 4 with a comment; the dispute reads closed.
    me.dispute_page(number)
    assert "已办理完毕，请您评价" in me.text("#status-words")
    rating = page.locator("#rating")
    rating.get_by_label("4 分 · 满意").check()
    rating.get_by_label("您的意见（可选）").fill("处理及时，客服态度很好")
    me.look("rating")
    me.press("提交评价")
    assert "感谢您的评价" in me.text(".messages")
    assert "处理完成" in me.text("#status-words")
    assert not page.locator("#rating").count()
    me.look("closed")
    me.go("/portal/disputes/")
    assert "处理完成" in me.text("main")
