"""The language a staff user chose, remembered on their profile (StaffProfile.language,
the language their e-mails come in too): activated on every request they make, and the
switch in the header that sets it."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from aftersales.parties.models import StaffProfile

CHOICES = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """After authentication: a logged-in user's chosen language wins over the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            code = _chosen(user)
            if code:
                translation.activate(code)
                request.LANGUAGE_CODE = code
        return self.get_response(request)


def _chosen(user) -> str:
    cached = getattr(user, "_ui_language", None)
    if cached is None:
        cached = (
            StaffProfile.objects.filter(user=user).values_list("language", flat=True).first() or ""
        )
        user._ui_language = cached
    return cached


@require_POST
def set_language(request):
    """Remember the language on the profile (staff) and in the session (anyone)."""
    code = request.POST.get("language", "")
    nxt = request.POST.get("next") or "/workbench/"
    if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        nxt = "/workbench/"
    if code in CHOICES:
        if request.user.is_authenticated:
            StaffProfile.objects.update_or_create(user=request.user, defaults={"language": code})
        translation.activate(code)
    response = HttpResponseRedirect(nxt)
    if code in CHOICES:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax")
    return response
