"""/api/v1/docs in Chromium with every request to another host refused: Swagger UI
renders the operations list from our own static files, within the site's
Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.workbench.harness import BROWSER_MARKS, browser_page  # noqa: F401

pytestmark = BROWSER_MARKS


# Swagger UI treats localhost specially (no online validator there), so the page is
# opened under this name too; the route sends its requests to the live server.
PUBLIC = "http://docs.example.test"


def offline(page, live_url: str) -> list[str]:
    """Refuse every request to a host other than the live server's (or PUBLIC, which goes
    to the live server); the list of what was refused."""
    refused: list[str] = []

    def route(route):
        url = route.request.url
        if url.startswith(PUBLIC + "/"):
            # Fetched from the live server and answered as this origin, so the page's
            # own origin ('self') stays PUBLIC. A request the page dropped meanwhile
            # (a superseded fetch) has nothing left to answer.
            try:
                route.fulfill(response=route.fetch(url=live_url + url[len(PUBLIC) :]))
            except PlaywrightError as exc:
                if "disposed" not in str(exc) and "closed" not in str(exc):
                    raise
            return
        host = re.match(r"^[a-z-]+://([^/:]+)", url)
        if host and host.group(1) not in ("localhost", "127.0.0.1"):
            refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", route)
    return refused


@pytest.mark.parametrize("site", ["localhost", "public"])
def test_swagger_ui_lists_the_operations_offline(live_server, browser_page, site):  # noqa: F811
    page = browser_page
    refused = offline(page, live_server.url)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url if site == 'localhost' else PUBLIC}/api/v1/docs")

    expect(page.locator("#swagger-ui .info .title")).to_contain_text("售后纠纷管理系统 API")
    operations = page.locator("#swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 20
    expect(
        page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/disputes$")).first
    ).to_be_visible()
    expect(page.locator("#swagger-ui .opblock-tag", has_text="disputes").first).to_be_visible()

    # Open one operation: its parameters render (Swagger UI works, not only its shell).
    page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/disputes$")).first.click()
    expect(page.locator(".opblock.is-open .parameters-container").first).to_be_visible()

    assert refused == [], refused
    assert errors == [], errors
    assert page.csp_violations == [], page.csp_violations
    # Requests still in flight when the page closes are not this test's business.
    page.unroute_all(behavior="ignoreErrors")
