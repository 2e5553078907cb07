"""No tests here: what the after-sale step tests (test_aftersale_steps,
test_aftersale_parcels) read off the dispute page — an order's card, its state, the
moves it offers, the timeline, a field's error — and the orders they add by hand."""

from __future__ import annotations

import html as html_lib
import re

from aftersales.fulfilment.aftersale_orders import aftersale_order_create
from aftersales.parties.actors import SYSTEM
from tests.workbench.test_aftersale_support import form_data, logged_in, order_url, section


def page(client, dispute) -> str:
    response = client.get(f"/workbench/disputes/{dispute.number}/")
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, order) -> str:
    """The HTML of one order's card (<article id="order-…">) on the dispute page."""
    found = re.search(rf'<article [^>]*id="order-{order.number}".*?</article>', html, re.S)
    assert found, f"no card for {order.number}"
    return found.group(0)


def text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def actions(html: str, order) -> list[str]:
    """The moves the card offers (its forms' <summary>)."""
    return [text(m) for m in re.findall(r"<summary>(.*?)</summary>", card(html, order), re.S)]


def state_of(html: str, order) -> str:
    found = re.search(r'<strong class="state">(.*?)</strong>', card(html, order), re.S)
    assert found
    return found.group(1)


def timeline(html: str, kind: str) -> list[str]:
    """The timeline's entries of one kind as a reader sees them, the newest first."""
    entries = re.findall(rf'<li data-kind="{kind}">(.*?)</li>', section(html, "timeline"), re.S)
    return [text(e) for e in entries]


def field_error(html: str, name: str) -> str:
    """The error shown with the form field `name` (Django's errorlist tied to the input
    by id), '' when there is none."""
    found = re.search(
        rf'<ul class="errorlist"[^>]* id="id_[^"]*-{name}_error">(.*?)</ul>', html, re.S
    )
    return text(found.group(1)) if found else ""


def messages(client, dispute) -> str:
    return text(re.search(r'class="messages".*?</ul>', page(client, dispute), re.S).group(0))


def hand_order(dispute, type_: str, **kw):
    """An after-sale order by hand beside the agreed one (the dispute stays executing)."""
    kw.setdefault("reason", "电话中另行约定")
    return aftersale_order_create(dispute=dispute, type=type_, actor=SYSTEM, **kw)


def fresh(order):
    order.refresh_from_db()
    return order


def refused_step(client, dispute, order, role, step: str, label: str, **fields) -> str:
    """A role without the step: the page offers no `label` button on the order's card,
    and the form posted anyway answers 403 with the order where it was. Returns the page
    as that role sees it afterwards."""
    logged_in(client, role)
    assert label not in actions(page(client, dispute), order)
    before = fresh(order).state
    response = client.post(
        order_url(order, step), form_data(order, step, version=order.version, **fields)
    )
    assert response.status_code == 403
    assert fresh(order).state == before
    return page(client, dispute)
