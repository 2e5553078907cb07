"""What the workbench's browser tests share: a logged-in Chromium page, axe-core, and
screenshots at desktop and phone size.

Use it from a test module::

    import pytest
    from tests.workbench.harness import BROWSER_MARKS, browser_page, check_page, login  # noqa: F401

    pytestmark = BROWSER_MARKS

    def test_queue(live_server, browser_page):
        login(browser_page, live_server.url, agent)
        browser_page.goto(f"{live_server.url}/workbench/")
        check_page(browser_page, "queue")

Importing `browser_page` into the test module registers the fixture there (pytest finds
fixtures among a module's globals); keep the `# noqa: F401` so ruff leaves the import.
A conftest could instead say ``pytest_plugins = ["tests.workbench.harness"]``.

`BROWSER_MARKS` are the marks every such module needs: `browser`, a skip when Debian's
Chromium is missing, and a database the live server can read (no wrapping transaction;
serialized rollback puts back the rows migrations made).

`no_sideways_scroll(page)`: True when the page fits the viewport's width as it is now
(for checks between the steps of a test, at whatever size the test set).

`check_page(page, name)`:
  - runs axe-core (vendored: tests/assets/axe-4.14.1.min.js) on the page and fails on any
    violation with impact "serious" or "critical", listing rule, impact and targets;
  - fails if the page reported a Content-Security-Policy violation (inline script or
    style, a foreign origin) since the page was opened;
  - writes test-artifacts/<name>-desktop.png (1366×768) and <name>-phone.png (390×844),
    full page; the folder is the repository's test-artifacts/ (git-ignored), or
    $TEST_ARTIFACTS_DIR;
  - fails if the page, or a table in it, is wider than a 390 px phone screen (tables
    stack as cards: table.cards + td[data-label]), then puts the viewport back.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.db import connections

from tests.browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "assets" / "axe-4.14.1.min.js"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR") or REPO / "test-artifacts")
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian chromium at /usr/bin/chromium (apt-get install chromium "
        "fonts-noto-cjk, or run bash scripts/setup)",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_page(monkeypatch):
    """A Chromium page at desktop size, Chinese locale, Shanghai time. Each page
    records the CSP violations it reports in `page.csp_violations` (check_page asserts
    there are none)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise
    # refuse ORM calls made while it runs (fixture teardown flushes the database).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        try:
            page = context.new_page()
            watch_csp(page)
            yield page
        finally:
            context.close()
            browser.close()
            # Inside this block Playwright's greenlet has its own context, so Django hands
            # the test its own database connection; close it here or it outlives the test
            # and PostgreSQL refuses to drop the test database.
            connections.close_all()


def watch_csp(page) -> None:
    """Collect the console's CSP refusals of `page` into page.csp_violations."""
    page.csp_violations = []

    def on_console(msg):
        if "Content Security Policy" in msg.text:
            page.csp_violations.append(msg.text)

    page.on("console", on_console)


def login(page, base_url: str, user, *, next_path: str = "/workbench/") -> None:
    """Log `user` in through the login form (password tests.browser.PASSWORD) and wait
    until the browser has left the login page."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    # By id, not label: the login page may be in English (the language cookie).
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def axe_violations(page, impacts=BLOCKING) -> list[dict]:
    """axe-core's violations on the page as it is now, those of the given impacts.
    The script is evaluated through the DevTools protocol, which the page's CSP (no
    inline script) does not restrict, so the page keeps its real policy."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 8),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} — {', '.join(v['targets'])}" for v in violations
    )


def slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "-", name, flags=re.ASCII).strip("-") or "page"


def screenshot(page, name: str) -> tuple[Path, Path]:
    """Full-page screenshots at desktop and phone size; the viewport is put back."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or DESKTOP
    desktop = ARTIFACTS / f"{slug(name)}-desktop.png"
    phone = ARTIFACTS / f"{slug(name)}-phone.png"
    try:
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(desktop), full_page=True)
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(phone), full_page=True)
    finally:
        page.set_viewport_size(before)
    return desktop, phone


def sideways_scroll(page) -> dict | None:
    """At 390 px: the page's scroll and client widths (and the tables wider than the
    screen, even inside a box that scrolls) if anything scrolls sideways, else None.
    The viewport is put back."""
    before = page.viewport_size or DESKTOP
    try:
        page.set_viewport_size(PHONE)
        widths = page.evaluate(
            """() => {
                const d = document.documentElement;
                const wide = [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1)
                    // the innermost: those with no wide child
                    .filter(e => ![...e.children].some(
                        c => c.getBoundingClientRect().right > d.clientWidth + 1))
                    .slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                         + (e.className && typeof e.className === 'string'
                            ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
                // A list in a box that scrolls sideways scrolls sideways too.
                const tables = [...document.querySelectorAll('table')]
                    .filter(t => t.getBoundingClientRect().width > d.clientWidth + 1
                                 || t.scrollWidth > t.clientWidth + 1)
                    .map(t => 'table' + (t.id ? '#' + t.id : ''));
                return {scroll: d.scrollWidth, client: d.clientWidth, wide, tables};
            }"""
        )
    finally:
        page.set_viewport_size(before)
    too_wide = widths["scroll"] > widths["client"] + 1 or widths["tables"]
    return widths if too_wide else None


def no_sideways_scroll(page) -> bool:
    """The page fits the width of the viewport it is shown at now (a quick check between
    steps of a test; `check_page` does the full one at phone size)."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def check_page(page, name: str) -> None:
    """axe (no serious/critical violation), no CSP refusal, screenshots, no sideways
    scroll on a phone. `name` names the screenshots (test-artifacts/<name>-*.png)."""
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    screenshot(page, name)
    assert not violations, f"axe on {name} ({page.url}):\n{describe(violations)}"
    csp = getattr(page, "csp_violations", [])
    assert not csp, f"CSP refusals on {name} ({page.url}):\n" + "\n".join(csp)
    wide = sideways_scroll(page)
    assert wide is None, (
        f"{name} ({page.url}) scrolls sideways at 390 px: {json.dumps(wide, ensure_ascii=False)}"
    )
