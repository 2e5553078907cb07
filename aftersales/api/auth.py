"""API authentication: `Authorization: Bearer <token>` for clients, the Django session
(with CSRF) for the web."""

from datetime import timedelta

from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from aftersales.parties.models import ApiToken
from aftersales.parties.selectors import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        found = user_for_token(token)
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class Session(APIKeyCookie):
    """The logged-in web session. CSRF is checked only when a session user is present,
    so a request with neither gets 401, not a CSRF 403."""

    param_name = "sessionid"

    def _get_key(self, request):
        if request.user.is_authenticated and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request):
                from ninja.errors import HttpError

                raise HttpError(403, "csrf_failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None
