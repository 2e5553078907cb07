"""What the portal tests share: a customer with an order and a dispute, a Django test
client signed in as them (through the identity service's own session), and a dispute
whose proposal was sent (the link and code as the customer received them)."""

from importlib import import_module

import pytest
from django.conf import settings
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from aftersales.intake import identity
from tests.customer_link import last_link
from tests.factories import CustomerFactory, OrderFactory, make_dispute, walk_to


def signed_in_client(customer, order) -> Client:
    """A client whose session the identity service signed in, as after a right code."""
    client = Client()
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore()
    request = HttpRequest()
    request.session = store
    identity.portal_login(
        request,
        identity.PortalIdentity(
            customer_id=customer.pk, order_id=order.pk, verified_at=timezone.now()
        ),
    )
    request.session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key
    return client


def customer_dispute(phone: str, name: str = "张三", **overrides):
    """A dispute taken in for a new customer's own order."""
    customer = CustomerFactory(phone=phone, name=name)
    order = OrderFactory(customer=customer)
    dispute = make_dispute(order, customer={"name": name, "phone": phone}, **overrides)
    return customer, order, dispute


@pytest.fixture
def mine(db):
    customer, order, dispute = customer_dispute("13900001111")
    return customer, order, dispute


@pytest.fixture
def theirs(db):
    return customer_dispute("13700002222", name="李四")


@pytest.fixture
def client_of():
    return signed_in_client


@pytest.fixture
def proposed(mine):
    """My dispute with a proposal sent: (customer, order, dispute, token, code)."""
    customer, order, dispute = mine
    dispute = walk_to(dispute, "proposing")
    token, code = last_link(dispute)
    return customer, order, dispute, token, code


def visible(response) -> str:
    """The text a reader sees: the page without its tags and attributes."""
    import html
    import re

    body = response.content.decode()
    return html.unescape(re.sub(r"<[^>]+>", " ", body))
