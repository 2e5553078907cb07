"""The language switch in the header, in Chromium: English is remembered for the user
(a new login keeps it) and switching back gives Chinese."""

from django.utils import translation
from django.utils.translation import pgettext
from playwright.sync_api import expect

from aftersales.parties.models import StaffProfile, Team
from aftersales.parties.roles import Role
from tests.factories import make_staff
from tests.workbench.harness import BROWSER_MARKS, browser_page, check_page, login  # noqa: F401

pytestmark = BROWSER_MARKS


def test_switch_to_english_log_in_again_and_back(live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    agent = make_staff(Role.AGENT, team=Team.objects.get(is_default=True))
    with translation.override("en"):
        queue_en = pgettext("workbench nav", "投诉队列")

    login(page, base, agent)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator('nav.nav a[data-nav="queue"]')).to_have_text("投诉队列")

    page.locator("#language-select").select_option("en")
    page.locator("form.lang button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('nav.nav a[data-nav="queue"]')).to_have_text(queue_en)
    assert StaffProfile.objects.get(user=agent).language == "en"
    check_page(page, "queue-english")

    # Log out, forget every cookie (another browser), log in again: still English.
    page.locator('form[action="/accounts/logout/"] button').click()
    page.context.clear_cookies()
    login(page, base, agent)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator('nav.nav a[data-nav="queue"]')).to_have_text(queue_en)
    expect(page.locator("#language-select")).to_have_value("en")

    page.locator("#language-select").select_option("zh-hans")
    page.locator("form.lang button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator('nav.nav a[data-nav="queue"]')).to_have_text("投诉队列")
    assert StaffProfile.objects.get(user=agent).language == "zh-hans"
    # And English was English: the catalogue has the navigation (filled at the end).
    assert queue_en != "投诉队列", "the English catalogue has the workbench navigation"
