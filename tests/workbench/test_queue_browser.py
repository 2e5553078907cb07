"""The queue in real headless Chromium: keyboard shortcuts (j/k, o, /, ?), the live
countdown, the refreshed rows keeping what was ticked, and no sideways scrolling at
desktop (1366×768) and phone (390×844) sizes."""

import re

import pytest

from aftersales.parties.models import Team
from aftersales.parties.roles import Role
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
def test_keyboard_and_live_countdown(live_server, browser_page, size):  # noqa: F811
    from playwright.sync_api import expect

    team = Team.objects.get(is_default=True)
    lead = make_staff(Role.TEAM_LEAD, team=team)
    disputes = [make_dispute(description=f"热水器第{i}次漏水，地板泡坏了。") for i in range(3)]
    base = live_server.url
    page = browser_page
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, base, lead)
    expect(page).to_have_url(f"{base}/workbench/")
    rows = page.locator("#disputes tbody tr[data-number]")
    expect(rows).to_have_count(3)
    assert no_sideways_scroll(page), "the queue scrolls sideways"

    # The shared script ticks the countdown: "剩余 …分" (first contact is due soon),
    # and the rule's source is named beside it.
    first_clock = rows.first.locator("td.clock time[data-due] .left")
    expect(first_clock).to_have_text(re.compile(r"^(剩余|已超时) (\d+天)?(\d+小时)?(\d+分)?$"))
    expect(rows.first.locator("td.clock .source")).to_have_text(re.compile("^(内部|平台|法定)$"))

    # j, j, k: down two rows and back one; the row in hand is marked and focused.
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    expect(rows.nth(0).locator("a.open")).to_be_focused()
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(rows.nth(0)).not_to_have_attribute("aria-current", "true")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(rows.nth(1).locator("a.open")).to_be_focused()
    second = rows.nth(1).get_attribute("data-number")
    assert second in {d.number for d in disputes}

    # x ticks the row; the live refresh keeps the tick and the row in hand.
    page.keyboard.press("x")
    expect(rows.nth(1).locator('input[name="pick"]')).to_be_checked()
    expect(page.locator("#picked-count")).to_have_text("已选 1 条")
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.evaluate(
            "htmx.ajax('GET', document.querySelector('#queue-body').getAttribute('hx-get'),"
            " {target: '#queue-body', swap: 'outerHTML'})"
        )
    expect(page.locator(f'tr[data-number="{second}"] input[name="pick"]')).to_be_checked()
    expect(page.locator(f'tr[data-number="{second}"]')).to_have_attribute("aria-current", "true")
    expect(first_clock).to_have_text(re.compile(r"^(剩余|已超时) "))

    # ? shows the help; Escape closes it. / goes to the search box, where j is typed.
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="键盘快捷键")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.locator(f'tr[data-number="{second}"] a.open').focus()
    page.keyboard.press("/")
    expect(page.get_by_label("搜索")).to_be_focused()
    page.keyboard.type("jk")
    expect(page.get_by_label("搜索")).to_have_value("jk")
    expect(page.locator(f'tr[data-number="{second}"]')).to_have_attribute("aria-current", "true")

    # o opens the row in hand.
    page.locator(f'tr[data-number="{second}"] a.open').focus()
    page.keyboard.press("o")
    expect(page).to_have_url(f"{base}/workbench/disputes/{second}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)

    # a (assign to me) on the queue: the row's dispute is mine afterwards.
    page.goto(f"{base}/workbench/")
    expect(rows).to_have_count(3)
    page.locator("h1").click()
    page.keyboard.press("j")
    number = rows.nth(0).get_attribute("data-number")
    page.keyboard.press("a")
    expect(page.locator(".messages")).to_contain_text(f"已分派 1 条投诉：{number}")
    row = page.locator(f'tr[data-number="{number}"]')
    expect(row.locator('td[data-label="处理人"]')).to_have_text(
        lead.get_full_name() or lead.username
    )
    assert no_sideways_scroll(page), "the queue scrolls sideways after the bulk action"


def test_the_queue_with_every_part_open_passes_axe(live_server, browser_page):  # noqa: F811
    """A lead's queue with a saved view, both bulk forms open with their errors, an
    invalid filter named, and the shortcut help: axe, CSP, no sideways scroll."""
    from playwright.sync_api import expect

    from aftersales.parties.saved_views import saved_view_save

    lead = make_staff(Role.TEAM_LEAD, team=Team.objects.get(is_default=True))
    make_dispute()
    make_dispute(channel="phone")
    saved_view_save(user=lead, name="电话投诉", params={"channel": "phone"})
    page = browser_page
    login(page, live_server.url, lead, next_path="/workbench/?status=nonsense")
    expect(page.locator("#filter-errors")).to_contain_text("状态")
    expect(page.get_by_role("link", name="电话投诉")).to_be_visible()
    page.get_by_text("批量分派").click()
    page.get_by_role("button", name="分派所选投诉").click()
    expect(page.locator("#bulk-assign")).to_contain_text("请先勾选要处理的投诉")
    page.get_by_text("批量驳回重复投诉").click()
    check_page(page, "queue-lead-forms")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="键盘快捷键")).to_be_visible()
    check_page(page, "queue-shortcut-help")
