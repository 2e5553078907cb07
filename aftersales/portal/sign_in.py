"""Signing in to the portal: the order number and the phone on the order → "a code was
sent if they match" → the code → a session scoped to the customer's own disputes
(aftersales.intake.identity). A wrong pair and a wrong code read the same; the pair
typed waits in the session (never shown back in full) until the code is confirmed.
Also the home page, signing out, and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.common.phones import mask_phone
from aftersales.intake import identity

from . import limits, session
from .doors import private
from .forms import CodeForm, SignInForm, submit

PENDING = "portal_pending_pair"  # the pair typed, until its code is confirmed
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _next(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/portal/") and url_has_allowed_host_and_scheme(
        nxt, {request.get_host()}, request.is_secure()
    ):
        return nxt
    return default


def home(request):
    if session.customer(request) is not None:
        return redirect("portal:disputes")
    return redirect("portal:sign_in")


@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.method == "GET" and session.customer(request) is not None:
        return redirect(_next(request, reverse("portal:disputes")))
    form = SignInForm(request.POST or None)
    if request.method == "POST":
        if submit(
            form,
            lambda d: identity.code_request(
                order_no=d["order_no"], phone=d["phone"], ip=limits.ip_of(request)
            ),
        ):
            request.session[PENDING] = {
                "order_no": form.cleaned_data["order_no"],
                "phone": form.cleaned_data["phone"],
                "next": _next(request, ""),
            }
            messages.info(request, form.result.message)
            return redirect("portal:code")
        status = getattr(form.error, "status", 422) if form.error else 422
        return private(_sign_in_page(request, form, status=status))
    return private(_sign_in_page(request, form))


def _sign_in_page(request, form, *, status: int = 200):
    return render(
        request,
        "portal/sign_in.html",
        {"form": form, "next": _next(request, "")},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def code(request):
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("portal:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if submit(
            form,
            lambda d: identity.code_confirm(
                order_no=pending["order_no"],
                phone=pending["phone"],
                code=d["code"],
                ip=limits.ip_of(request),
            ),
        ):
            nxt = pending.get("next") or reverse("portal:disputes")
            session.sign_in(request, form.result)  # a new session key
            request.session.pop(PENDING, None)
            return redirect(nxt)
    context = {
        "form": form,
        "order_no": pending["order_no"],
        "phone": mask_phone(pending["phone"]) if pending.get("phone") else "",
    }
    status = 200
    if request.method == "POST":
        status = getattr(form.error, "status", 422) if form.error else 422
    return private(render(request, "portal/code.html", context, status=status))


@require_POST
def sign_out(request):
    session.sign_out(request)
    request.session.pop(PENDING, None)
    messages.info(request, _("您已退出。"))
    return redirect("portal:sign_in")


@require_POST
def set_language(request):
    """The language of the portal, remembered in a cookie (as the workbench's switch
    does for anyone not signed in as staff)."""
    choice = request.POST.get("language", "")
    nxt = _next(request, reverse("portal:home"))
    response = redirect(nxt)
    if choice in LANGUAGES:
        translation.activate(choice)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, choice, samesite="Lax")
    return response
