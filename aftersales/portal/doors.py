"""How a customer comes through the portal's door to one dispute: by the link sent
with a proposal (`/portal/mediation/<token>/…`, that dispute alone) or signed in
(`/portal/disputes/<number>/…`, their own disputes only, through
`identity.customer_dispute`). Another customer's dispute and a missing one answer the
same 404; an expired or unknown link answers 404 too."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.disputes.models import Dispute
from aftersales.mediation import negotiation
from aftersales.mediation.models import CustomerAccess
from aftersales.parties.models import Customer

from . import session


@dataclass(frozen=True)
class Door:
    dispute: Dispute
    customer: Customer
    # The link the customer came by; signed in, the session's scope to this one dispute
    # (unsaved: what the mediation services ask of it is the dispute it is for).
    access: CustomerAccess
    base: str  # where this door's pages start, ending in "/"
    signed_in: bool

    def url(self, rest: str = "") -> str:
        return self.base + rest


def not_found(request, message: str | None = None, *, status: int = 404):
    response = render(
        request,
        "portal/not_found.html",
        {"message": message or _("找不到该页面，或链接已失效。")},
        status=status,
    )
    return private(response)


def private(response):
    """What a customer's page must not leave behind: caches, and the link's token in a
    Referer sent to another site (same-origin: our own forms still carry their Origin,
    which the CSRF check asks for)."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"
    return response


def _sign_in_url(request) -> str:
    return f"{reverse('portal:sign_in')}?{urlencode({'next': request.path})}"


def signed_in_only(view):
    """A page for a signed-in customer: else the sign-in page, coming back here."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        customer = session.customer(request)
        if customer is None:
            return redirect(_sign_in_url(request))
        request.customer = customer
        return private(view(request, *args, **kwargs))

    return wrapped


def door_view(view):
    """A page of one dispute, by either door: `token` (the link) or `number` (signed
    in). The view is called with the Door instead."""

    @functools.wraps(view)
    def wrapped(request, *args, token: str | None = None, number: str | None = None, **kwargs):
        if token is not None:
            access = negotiation.customer_access_for(token)
            if access is None:
                return not_found(
                    request, _("链接已失效或不正确。请使用短信中最新的链接，或登录查看。")
                )
            dispute = access.dispute
            door = Door(
                dispute=dispute,
                customer=dispute.customer,
                access=access,
                base=reverse("portal:link", kwargs={"token": token}),
                signed_in=False,
            )
        else:
            customer = session.customer(request)
            if customer is None:
                return redirect(_sign_in_url(request))
            try:
                dispute = session.customer_dispute(customer, number)
            except NotFound:
                return not_found(request, _("找不到该投诉。"))
            door = Door(
                dispute=dispute,
                customer=customer,
                access=CustomerAccess(dispute=dispute),
                base=reverse("portal:dispute", kwargs={"number": dispute.number}),
                signed_in=True,
            )
            request.customer = customer
        try:
            response = view(request, door, *args, **kwargs)
        except NotFound as error:
            return not_found(request, error.message)
        return private(response)

    return wrapped
