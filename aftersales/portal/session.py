"""The signed-in customer, as aftersales.intake.identity keeps them in the session: the
portal's views ask here, so the one place that knows the identity service is this."""

from __future__ import annotations

from aftersales.common.errors import NotFound
from aftersales.intake import identity


def customer(request):
    """The customer signed in on this request, or None."""
    cached = getattr(request, "_portal_customer", False)
    if cached is False:
        cached = identity.portal_customer(request)
        request._portal_customer = cached
    return cached


def customer_dispute(customer, number: str | None):
    """One of the customer's own disputes; NotFound for anyone else's and a missing one."""
    if not number:
        raise NotFound("")
    return identity.customer_dispute(customer, number)


def customer_disputes(customer):
    return identity.customer_disputes(customer)


def sign_in(request, person) -> None:
    identity.portal_login(request, person)
    request._portal_customer = False


def sign_out(request) -> None:
    identity.portal_logout(request)
    request._portal_customer = None
