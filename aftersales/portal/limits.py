"""The customer's requests counted in the same windows, under the same keys, as the API's
customer endpoints (aftersales.api.throttling): a limit is not escaped by choosing the
portal instead of the API."""

from __future__ import annotations

import functools

from django.shortcuts import render
from django.utils.translation import gettext as _

from aftersales.common.ratelimit import client_ip, consume, ip_key

CUSTOMER_SCOPES = ("customer_ip_minute", "customer_ip_hour")
CODE_IP_SCOPE = "customer_code_ip"
CODE_DISPUTE_SCOPE = "customer_code_dispute"


def ip_of(request) -> str:
    return client_ip(request)


def _ip_ident(request) -> str:
    return "ip:" + ip_key(client_ip(request))


def over_limit(request, *, code_for_dispute: int | None = None) -> float | None:
    """Count one customer request: None when allowed, else the seconds to wait. With
    `code_for_dispute`, an acceptance with a one-time code: counted per dispute too."""
    ident = _ip_ident(request)
    for scope in CUSTOMER_SCOPES:
        wait = consume(scope, ident)
        if wait is not None:
            return wait
    if code_for_dispute is not None:
        wait = consume(CODE_DISPUTE_SCOPE, f"dispute:{code_for_dispute}") or consume(
            CODE_IP_SCOPE, ident
        )
        if wait is not None:
            return wait
    return None


def limited(view):
    """A view whose request is first counted against the customer's limits (past them,
    `too_many`)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        wait = over_limit(request)
        if wait is not None:
            return too_many(request, wait)
        return view(request, *args, **kwargs)

    return wrapped


def too_many(request, wait: float):
    minutes = max(1, round(wait / 60))
    response = render(
        request,
        "portal/not_found.html",
        {
            "title": _("请稍后再试"),
            "message": _("操作太频繁，请 %(minutes)s 分钟后再试。") % {"minutes": minutes},
        },
        status=429,
    )
    response["Retry-After"] = str(int(wait))
    return response
