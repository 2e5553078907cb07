"""API 令牌: staff with the role for it make and revoke their own API tokens, admins
anyone's (pick a user). A new token is shown once, on the page the creating POST answers
(never stored, never shown again: only its hash is kept). Who may is
`permissions.can_manage_api_tokens`, asked here to show the page and by the services
(parties.services.token_issue / token_revoke) for each change."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from aftersales.common.errors import DomainError
from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import can_manage_api_tokens, may
from aftersales.parties.models import ApiToken
from aftersales.parties.services import token_issue, token_revoke

from .forms_support import done, submit


class TokenForm(forms.Form):
    label = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("例如：ERP 同步、数据报表（便于日后辨认和吊销）"),
    )


def _owner(request, value: str | None):
    """Whose tokens the page is about: the user named by `value` (admins), else oneself.
    403 when the user may not manage that owner's tokens."""
    user = request.user
    owner = user
    if value and value != user.get_username():
        if not may(user, Op.MANAGE_API_TOKENS):  # before the lookup: no probing for names
            raise PermissionDenied(_("您没有管理这些 API 令牌的权限"))
        owner = get_object_or_404(get_user_model(), username=value)
    if not can_manage_api_tokens(user, owner=None if owner == user else owner):
        raise PermissionDenied(_("您没有管理这些 API 令牌的权限"))
    return owner


def _list_url(request, owner) -> str:
    url = reverse("workbench:api_tokens")
    if owner != request.user:
        url += "?" + urlencode({"owner": owner.get_username()})
    return url


def _page(request, owner, *, form=None, status=200):
    request.nav_active = "tokens"
    picker = may(request.user, Op.MANAGE_API_TOKENS)
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("username")
        .only("id", "username", "first_name", "last_name")
        if picker
        else ()
    )
    tokens = ApiToken.objects.filter(user=owner).order_by("revoked_at", "-created_at")
    return render(
        request,
        "workbench/tokens/list.html",
        {
            "owner": owner,
            "own": owner == request.user,
            "picker": picker,
            "users": users,
            "tokens": tokens,
            "form": form or TokenForm(),
        },
        status=status,
    )


@login_required
@require_GET
def api_tokens(request):
    owner = _owner(request, request.GET.get("owner"))
    return _page(request, owner)


def _allowed(actor, owner) -> bool:
    return can_manage_api_tokens(actor, owner=None if owner == actor else owner)


@never_cache
@login_required
@require_POST
def api_token_create(request):
    owner = _owner(request, request.POST.get("owner"))
    form = TokenForm(request.POST)
    if not submit(
        form,
        lambda data: token_issue(
            actor=request.user, owner=owner, label=data["label"], allowed=_allowed
        ),
    ):
        return _page(request, owner, form=form, status=422)
    token, key = form.result
    request.nav_active = "tokens"
    return render(
        request,
        "workbench/tokens/created.html",
        {
            "owner": owner,
            "own": owner == request.user,
            "token": token,
            "key": key,
            "back": _list_url(request, owner),
        },
    )


@login_required
@require_POST
def api_token_revoke(request, token_id: int):
    try:
        token = token_revoke(actor=request.user, token_id=token_id, allowed=_allowed)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from None
        raise PermissionDenied(error.message) from None
    messages.success(request, _("已吊销令牌 %(prefix)s…") % {"prefix": token.prefix})
    return done(request, _list_url(request, token.user))


urlpatterns = [
    path("tokens/", api_tokens, name="api_tokens"),
    path("tokens/new", api_token_create, name="api_token_create"),
    path("tokens/<int:token_id>/revoke", api_token_revoke, name="api_token_revoke"),
]
