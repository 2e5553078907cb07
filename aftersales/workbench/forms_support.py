"""How a workbench form calls a service: the form validates what was typed (the
boundary), the service applies the rule, and a refusal comes back onto the form — on the
field it names, else at the top — in the user's language, with what was typed kept. A
stale version (someone else changed the dispute meanwhile) is a conflict the page shows
with what changed, never a stack trace.

Views use `submit` (the dispute page's views through `form_views.act`, which adds the
redirect or the page with the form):

    form = CloseForm(request.POST)
    if submit(form, lambda data: dispute_apply(..., version=data["version"], ...)):
        return done(request, url)              # redirect (or HX-Redirect)
    return render_dispute(request, dispute, bound={"close": form}, status=status_of(form))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from aftersales.common.errors import Conflict, DomainError, Forbidden


class VersionField(forms.IntegerField):
    """The dispute's version the form was rendered at (hidden): the service refuses a
    stale one with a conflict."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class ReasonField(forms.CharField):
    def __init__(self, *, required: bool = True, label=None, **kwargs):
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(required=required, label=label or _("理由"), **kwargs)


def submit(
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    *,
    renames: dict[str, str] | None = None,
) -> bool:
    """Validate `form`, then `call(form.cleaned_data)`. True when the service did it; False
    with the form's errors set (field errors on the named fields that exist on the form,
    the rest as a non-field error; a form with its own `place_error(error)` places them
    itself). `renames` maps the service's field names to the form's. A conflict marks the
    form `form.conflict = error`, a refusal by permission `form.forbidden = error`."""
    form.conflict = None
    form.forbidden = None
    form.result = None
    if not form.is_valid():
        return False
    try:
        form.result = call(form.cleaned_data)
    except DomainError as error:
        if isinstance(error, Conflict):
            form.conflict = error
        if isinstance(error, Forbidden):
            form.forbidden = error
        if renames:
            error.fields = {renames.get(k, k): v for k, v in error.fields.items()}
        place = getattr(form, "place_error", None)
        if place is not None:
            place(error)
        else:
            _place(form, error)
        return False
    return True


def _place(form: forms.Form, error: DomainError) -> None:
    placed = False
    for name, message in (error.fields or {}).items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed or error.message not in {str(m) for m in error.fields.values()}:
        form.add_error(None, error.message)


def status_of(form: forms.Form) -> int:
    """The answer to a form that failed: 409 for a conflict, 403 for a refusal by
    permission, else 422 (bad input)."""
    if getattr(form, "conflict", None):
        return 409
    return 403 if getattr(form, "forbidden", None) else 422


def done(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: back to `url` (an htmx request is told to go there)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def stale_changes(form: forms.Form, events, *, most: int = 10) -> dict[str, Any]:
    """For a form that came back stale: the conflict's message and the events newer
    than the one the user saw (the form's `seen`), the newest first. `events`: the
    dispute's timeline read already (a list), or its events to query (a queryset)."""
    try:
        seen = int(form.data.get(form.add_prefix("seen")) or 0)
    except (TypeError, ValueError):
        seen = 0
    if isinstance(events, list):
        newer = sorted((e for e in events if e.pk > seen), key=lambda e: e.pk, reverse=True)
    else:
        newer = events.filter(id__gt=seen).select_related("actor").order_by("-id")
    return {"message": form.conflict.message, "events": list(newer[:most])}
