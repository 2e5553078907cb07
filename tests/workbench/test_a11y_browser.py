"""Accessibility sweep: every workbench page each role reaches from its navigation, and
the dispute pages at the stages that role works on, pass check_page — axe-core finds no
serious or critical violation, no Content-Security-Policy refusal, screenshots at desktop
and phone size (test-artifacts/<role>-<page>-*.png), nothing wider than a phone — and
can be worked by keyboard (the skip link, focus reaching the main content)."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.mediation import proposals
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.factories import (
    OrderFactory,
    carry_to,
    make_dispute,
    make_held_dispute,
    make_staff,
    walk_to,
)
from tests.mediation.proposal_helpers import comp, investigating_dispute
from tests.workbench.harness import BROWSER_MARKS, browser_page, check_page, login  # noqa: F401

pytestmark = BROWSER_MARKS

# The dispute pages each role looks at (keys of `world`), besides its navigation.
DISPUTES_OF = {
    Role.ADMIN: ("fresh", "investigating", "pending", "executing", "closed"),
    Role.AGENT: ("fresh", "pending"),
    Role.TEAM_LEAD: ("pending",),
    Role.QUALITY_CONTROL: ("investigating",),
    Role.FINANCE: ("executing",),
    Role.LOGISTICS: ("returning",),
    Role.SUPERVISOR: ("closed",),
}
NOT_OURS = {"admin"}  # Django's admin site: not a workbench page


def world(users) -> dict:
    """Disputes at the stages the pages show: just taken in by phone (the agent holds it),
    under investigation (a QC task open), a proposal above the agent's authority waiting
    for the team lead, after-sale orders being carried out, and one closed."""
    agent = users[Role.AGENT]
    now = timezone.now()
    fresh = make_held_dispute(
        agent,
        received_at=now - dt.timedelta(hours=1),
        customer={"name": "王五", "phone": "13700001111"},
    )
    investigating = investigating_dispute(customer_name="李四", phone="13700002222")
    pending_dispute = investigating_dispute(customer_name="赵六", phone="13700003333")
    proposals.proposal_create(dispute=pending_dispute, actor=agent, remedies_raw=comp("300.00"))
    executing = walk_to(
        make_dispute(OrderFactory(), customer={"name": "孙七", "phone": "13700004444"}),
        "executing",
    )
    # Its return-and-refund order waits for finance (the return received and inspected);
    # another's return parcel is on its way to logistics.
    carry_to(AfterSaleOrder.objects.get(dispute=executing), "awaiting_finance")
    returning = walk_to(
        make_dispute(OrderFactory(), customer={"name": "吴九", "phone": "13700006666"}),
        "executing",
    )
    carry_to(AfterSaleOrder.objects.get(dispute=returning), "return_shipped")
    closed = walk_to(
        make_dispute(OrderFactory(), customer={"name": "周八", "phone": "13700005555"}), "closed"
    )
    return {
        "fresh": fresh,
        "investigating": investigating,
        "pending": pending_dispute,
        "executing": executing,
        "returning": returning,
        "closed": closed,
    }


def sweep(page, base: str, role: Role, disputes: dict) -> tuple[list[str], list[str]]:
    """check_page on the role's navigation targets and its dispute pages: (problems,
    placeholders)."""
    problems, placeholders = [], []
    links = page.locator("nav.nav a[data-nav]")
    targets = [
        (links.nth(i).get_attribute("data-nav"), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]
    assert targets, f"{role}: no navigation"
    targets = [(key, href) for key, href in targets if key not in NOT_OURS]
    targets += [
        (f"dispute-{stage}", f"/workbench/disputes/{disputes[stage].number}/")
        for stage in DISPUTES_OF[role]
    ]
    for key, href in targets:
        response = page.goto(base + href)
        name = f"{role.value}-{key}"
        if response.status != 200:
            problems.append(f"{name} {href}: HTTP {response.status}")
            continue
        if not page.locator("main").inner_text().strip():
            placeholders.append(f"{name} {href}")
            continue
        try:
            check_page(page, name)
        except AssertionError as failure:
            problems.append(str(failure))
    return problems, placeholders


@pytest.mark.parametrize("role", list(DISPUTES_OF), ids=lambda r: r.value)
def test_every_page_of_a_role_passes_axe_and_fits_a_phone(live_server, browser_page, role):  # noqa: F811
    team = Team.objects.get(is_default=True)
    users = {r: make_staff(r, team=team) for r in (Role.AGENT, role)}
    disputes = world(users)
    login(browser_page, live_server.url, users[role])
    problems, placeholders = sweep(browser_page, live_server.url, role, disputes)
    if placeholders:
        print("placeholder pages (empty body, not checked):", *placeholders, sep="\n  ")
    assert problems == [], "\n\n".join(problems)


def test_login_and_error_pages(live_server, browser_page):  # noqa: F811
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    check_page(page, "login")
    page.get_by_label("用户名").fill("nobody")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.locator("#login-error").inner_text() == "用户名或密码不正确"
    assert page.get_by_label("用户名").input_value() == "nobody"  # what was typed is kept
    check_page(page, "login-failed")

    page.goto(f"{base}/no/such/page/")
    check_page(page, "error-404")
    login(page, base, make_staff(Role.SUPERVISOR))
    response = page.goto(f"{base}/workbench/tokens/")
    assert response.status == 403
    check_page(page, "error-403")


def test_keyboard_reaches_the_content_and_the_navigation(live_server, browser_page):  # noqa: F811
    """The first Tab lands on the skip link, which moves focus to the main content; the
    navigation and the language switch are reached by Tab alone."""
    page, base = browser_page, live_server.url
    agent = make_staff(Role.AGENT, team=Team.objects.get(is_default=True))
    login(page, base, agent)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.goto(f"{base}/workbench/")
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(
            page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.dataset.nav || e.id || e.tagName.toLowerCase(); })()"
            )
        )
    assert {"mine", "queue", "new", "tokens", "language-select"} <= reached, reached
