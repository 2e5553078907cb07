"""Staff password reset by e-mail: answers 404 when PASSWORD_RESET_ENABLED is off, and
counts requests per client address and per e-mail address (RATE_LIMITS
password_reset_ip, password_reset_email). Login lockout is django-axes (settings)."""

import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from aftersales.api.throttling import client_ip, consume, ip_key


def reset_enabled(view):
    """The view, or 404 while password reset is turned off."""

    def wrapped(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, refused with 429 beyond the limits. The e-mail's counter
    runs whether or not an account has that address (no answer tells them apart)."""

    def post(self, request, *args, **kwargs):
        wait = consume("password_reset_ip", "ip:" + ip_key(client_ip(request)))
        email = (request.POST.get("email") or "").strip().lower()
        if wait is None and email:
            wait = consume("password_reset_email", "email:" + email)
        if wait is None:
            return super().post(request, *args, **kwargs)
        form = self.get_form()
        form.is_valid()
        form.add_error(
            None,
            _("请求过于频繁，请在 %(minutes)s 分钟后再试")
            % {"minutes": max(1, math.ceil(wait / 60))},
        )
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(math.ceil(wait))
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): our page, 429."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = max(1, math.ceil(cooloff.total_seconds() / 60)) if cooloff else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    if cooloff:
        response["Retry-After"] = str(math.ceil(cooloff.total_seconds()))
    return response
