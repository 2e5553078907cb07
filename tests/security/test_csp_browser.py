"""The Content-Security-Policy in real headless Chromium: the workbench list, a dispute,
the login page, the password-reset page, the admin and the API docs load with the header
and the browser reports no violation (item 3)."""

import pytest
from django.db import connections

from aftersales.parties.roles import Role
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD
from tests.factories import make_dispute, make_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Recorded in the page before any of its own code runs (Playwright injects it, so the
# policy does not apply to it).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def browser_page(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
        try:
            yield page, console
        finally:
            context.close()
            browser.close()
            connections.close_all()


def visit(page, console, url) -> None:
    """Load `url`, wait until it is idle, and fail on any CSP report or console error."""
    console.clear()
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.ok, (url, response and response.status)
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, (url, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (url, policy)
    page.wait_for_timeout(300)  # reports are queued as tasks
    violations = page.evaluate("window.__csp")
    assert violations == [], (url, violations)
    # Chromium logs each refusal ("Refused to load/apply/execute ... Content Security
    # Policy"); a script stopped by the policy may also surface as a page error.
    problems = [
        m
        for m in console
        if "Content Security Policy" in m or "Refused to" in m or m.startswith("pageerror")
    ]
    assert problems == [], (url, problems)


def log_in(page, base, username, path="/accounts/login/"):
    page.goto(f"{base}{path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_load_state("networkidle")


def test_workbench_login_and_reset_pages_pass_the_policy(live_server, browser_page, default_team):
    page, console = browser_page
    base = live_server.url
    agent = make_staff(Role.AGENT, team=default_team)
    dispute = make_dispute()

    visit(page, console, f"{base}/accounts/login/")
    visit(page, console, f"{base}/accounts/password_reset/")
    log_in(page, base, agent.username)
    visit(page, console, f"{base}/workbench/")
    assert page.get_by_role("button", name="退出").is_visible()  # styled by the static sheet
    assert page.locator("header").evaluate("e => getComputedStyle(e).display") == "flex"
    visit(page, console, f"{base}/workbench/disputes/{dispute.number}/")
    assert dispute.number in page.content()


def test_admin_and_api_docs_pass_the_policy(live_server, browser_page, default_team):
    page, console = browser_page
    base = live_server.url
    admin = make_staff(Role.ADMIN, team=default_team)
    admin.is_superuser = True
    admin.is_staff = True
    admin.save(update_fields=["is_superuser", "is_staff"])
    dispute = make_dispute()

    visit(page, console, f"{base}/admin/login/")
    log_in(page, base, admin.username, path="/admin/login/")
    visit(page, console, f"{base}/admin/")
    visit(page, console, f"{base}/admin/disputes/dispute/")
    visit(page, console, f"{base}/admin/disputes/dispute/{dispute.pk}/change/")
    visit(page, console, f"{base}/admin/auth/user/add/")
    visit(page, console, f"{base}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__csp") == []
