"""One customer cannot reach another's dispute by changing any id in a URL: every portal
URL with an id answers another customer's exactly as a missing one (404), by either
door, for every method it takes."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from aftersales.disputes.evidence import evidence_add
from aftersales.parties.actors import customer_actor
from tests.factories import make_execution

from .test_tracking import PNG

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _patterns(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def portal_routes() -> list[str]:
    portal = next(
        p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "portal"
    )
    return sorted({"/portal/" + route for route in _patterns(portal)})


def _url(route: str, **values) -> str:
    return PARAM.sub(lambda m: values[m.group(1)], route)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(response, id_: str) -> str:
    """The page without what differs between any two requests (the CSRF token) and
    with the id typed in the URL blanked (a path segment: a short evidence id must not
    blank the digits of a dispute's number)."""
    return CSRF.sub("", response.content.decode()).replace(f"/{id_}/", "/ID/")


def _answer(client, url):
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


def _photo(dispute):
    """A photo the dispute's customer sent (as the portal's message form stores it)."""
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    return evidence_add(
        dispute=dispute, upload=upload, actor=customer_actor(dispute.customer)
    ).evidence


def test_every_url_with_an_id_hides_another_customers_dispute(client_of, proposed, theirs):
    customer, order, mine, token, _code = proposed
    _their_customer, _their_order, their_dispute = theirs
    their_order = make_execution(their_dispute, at=timezone.now())
    make_execution(mine, at=timezone.now())
    my_file, their_file = (_photo(d) for d in (mine, their_dispute))
    client = client_of(customer, order)
    routes = [r for r in portal_routes() if "<" in r]
    assert any("number" in PARAM.findall(r) for r in routes)
    assert any("token" in PARAM.findall(r) for r in routes)
    checked = 0
    for route in routes:
        params = set(PARAM.findall(route))
        # Each id in turn is someone else's (or missing); the others are mine.
        for target in sorted(params):
            mine_values = {
                "number": mine.number,
                "token": token,
                "order_number": "X",
                "evidence_id": str(my_file.pk),
            }
            if "order_number" in params and target != "order_number":
                mine_values["order_number"] = f"{mine.number}-01"
            other = {
                "number": their_dispute.number,
                "token": "someone-elses-token",
                "order_number": their_order.number,
                "evidence_id": str(their_file.pk),
            }[target]
            missing = {
                "number": "SH20990101999999",
                "token": "missing",
                "order_number": "N-1",
                "evidence_id": "999999",
            }[target]
            theirs_response = _answer(client, _url(route, **{**mine_values, target: other}))
            missing_response = _answer(client, _url(route, **{**mine_values, target: missing}))
            assert theirs_response.status_code == 404, (route, target)
            assert missing_response.status_code == 404, (route, target)
            # The same page as for a missing id, but for the id in the URL typed.
            body = _page(theirs_response, other)
            assert body == _page(missing_response, missing), route
            assert "李四" not in body
            checked += 1
    assert checked >= 15


def test_signed_out_every_dispute_url_asks_to_sign_in(mine):
    _customer, _order, dispute = mine
    checked = 0
    for route in portal_routes():
        if "number" not in PARAM.findall(route):
            continue
        checked += 1
        url = _url(route, number=dispute.number, order_number="X", evidence_id="1")
        response = _answer(Client(), url)
        assert response.status_code == 302, route
        assert response["Location"].startswith("/portal/sign-in/")
    assert checked >= 10


def test_my_list_says_a_proposal_waits_for_me(client_of, proposed):
    customer, order, _dispute, _token, _code = proposed
    page = client_of(customer, order).get("/portal/disputes/")
    assert "等待您确认方案" in page.content.decode()


def test_my_list_shows_only_mine(client_of, mine, theirs):
    customer, order, dispute = mine
    page = client_of(customer, order).get("/portal/disputes/")
    text = page.content.decode()
    assert dispute.number in text
    assert theirs[2].number not in text
