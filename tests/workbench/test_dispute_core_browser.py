"""The dispute page in real headless Chromium, at desktop (1366×768) and phone (390×844)
size: revealing the customer's number (logged), the evidence upload with its check
before upload and its progress bar, and the live notice when someone else changes the
dispute; no horizontal page scroll on the phone."""

import re

import pytest

from aftersales.disputes.contacts import note_add
from aftersales.disputes.models import Event
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.api.test_evidence_api import png_bytes
from tests.factories import make_dispute, make_staff
from tests.workbench.harness import (  # noqa: F401
    BROWSER_MARKS,
    browser_page,
    check_page,
    login,
    no_sideways_scroll,
)

pytestmark = BROWSER_MARKS


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["desktop", "phone"])
def test_reveal_upload_with_progress_and_live_notice(
    live_server,
    browser_page,  # noqa: F811
    size,
    tmp_path,
):
    from playwright.sync_api import expect

    team = Team.objects.get(is_default=True)
    agent = make_staff(Role.AGENT, team=team)
    lead = make_staff(Role.TEAM_LEAD, team=team)
    dispute = make_dispute(
        customer={"name": "张三", "phone": "13812341234"},
        description="热水器用了三天就漏水，地板都泡坏了，要求退货退款。",
    )
    page = browser_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    progress: list[str] = []
    page.expose_binding("reportProgress", lambda _source, value: progress.append(value))
    base = live_server.url
    url = f"{base}/workbench/disputes/{dispute.number}/"
    login(page, base, agent)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text(dispute.number)
    expect(page.locator("#clocks")).to_contain_text("首次联系顾客")
    expect(page.locator("#clocks time[data-due] .left").first).to_contain_text("剩余")
    assert no_sideways_scroll(page), "the dispute page scrolls sideways"

    # Reveal: the full number in place, the look on the timeline.
    expect(page.locator("#phone")).to_contain_text("138****1234")
    page.get_by_role("button", name="显示完整号码").click()
    expect(page.locator("#phone")).to_contain_text("13812341234")
    assert Event.objects.filter(dispute=dispute, kind="contact_revealed", actor=agent).exists()

    # Evidence: a wrong type is refused before anything is sent.
    page.locator("#evidence summary").click()
    bad = tmp_path / "setup.exe"
    bad.write_bytes(b"MZ" + b"\x00" * 100)
    file_input = page.get_by_label("证据文件")
    file_input.set_input_files(str(bad))
    expect(page.locator("#evidence .upload-error")).to_contain_text("不支持的文件类型")
    expect(file_input).to_have_attribute("aria-invalid", "true")
    page.locator("#evidence").get_by_role("button", name="上传").click()
    expect(page.locator("#evidence .upload-error")).to_be_visible()
    assert not dispute.evidence.exists()

    # A real image goes up with the progress bar shown.
    good = tmp_path / "leak.png"
    good.write_bytes(png_bytes(400, 400))
    file_input.set_input_files(str(good))
    expect(page.locator("#evidence .upload-error")).to_be_hidden()
    page.evaluate(
        """() => {
          const bar = document.querySelector('#evidence .upload-progress');
          new MutationObserver(() => window.reportProgress(
              (bar.hidden ? 'hidden:' : 'shown:') + bar.value)
          ).observe(bar, {attributes: true});
        }"""
    )
    page.locator("#evidence").get_by_role("button", name="上传").click()
    expect(page).to_have_url(re.compile(r"#evidence$"))
    expect(page.locator("#evidence .gallery")).to_contain_text("leak.png")
    assert any(p.startswith("shown:") for p in progress), progress
    assert dispute.evidence.count() == 1
    expect(page.locator(".messages")).to_contain_text("证据已上传")
    assert no_sideways_scroll(page), "the dispute page scrolls sideways"

    # Someone else changes the dispute: the page says so within a poll.
    page.goto(url)
    note_add(dispute=dispute, actor=lead, text="顾客来电催促，请尽快处理")
    live = page.locator("#live")
    expect(live).to_contain_text("此投诉刚被他人更新", timeout=12_000)
    expect(live).to_contain_text("内部备注")
    assert no_sideways_scroll(page), "the dispute page scrolls sideways"


def test_a_full_dispute_page_passes_axe_and_fits_a_phone(live_server, browser_page):  # noqa: F811
    """Every section of the core filled in (clocks, actions, evidence, facts, contacts,
    notes, a bound form with errors): axe, CSP and the phone width (the harness)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales.disputes.contacts import contact_record
    from aftersales.disputes.evidence import evidence_add

    team = Team.objects.get(is_default=True)
    lead = make_staff(Role.TEAM_LEAD, team=team)
    make_staff(Role.AGENT, team=team)
    dispute = make_dispute(description="热水器用了三天就漏水，地板都泡坏了，要求退货退款。")
    evidence_add(
        dispute=dispute,
        upload=SimpleUploadedFile("leak.png", png_bytes(40, 40), content_type="image/png"),
        actor=lead,
        note="漏水处照片",
    )
    contact_record(
        dispute=dispute, actor=lead, channel="phone", direction="outbound", summary="已致电顾客"
    )
    note_add(dispute=dispute, actor=lead, text="顾客只在下午接电话")
    login(browser_page, live_server.url, lead)
    url = f"{live_server.url}/workbench/disputes/{dispute.number}/"
    browser_page.goto(url)
    for summary in browser_page.locator("details > summary").all():
        summary.click()  # every form open
    check_page(browser_page, "dispute-core")
    # A form that came back with errors is as accessible (blanks pass the browser's
    # `required`; the server refuses them).
    browser_page.get_by_label("谈了什么").fill("   ")
    browser_page.locator("#contacts").get_by_role("button", name="保存联系记录").click()
    expect_error = browser_page.locator("#contacts .errorlist").first
    expect_error.wait_for()
    check_page(browser_page, "dispute-core-errors")
