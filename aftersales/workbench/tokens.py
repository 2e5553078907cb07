"""API 令牌: staff make and revoke their own API tokens (shown once); admins anyone's."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def api_tokens(request):
    return HttpResponse("")  # placeholder: the helper replaces it


urlpatterns = [
    path("tokens/", api_tokens, name="api_tokens"),
]
