"""The one shape of a view a dispute page's form posts to: the dispute in the user's
scope (404), the permission predicate (403, before what was typed is judged), the form
bound to what was posted, the service called through `forms_support.submit`; then back
to the page (a message, the section's anchor) or the page again with the failed form in
place: 422 for bad input, 409 for a conflict (the page lists what changed since the user
looked, and who), 403 for a refusal by the service.

`act` is that tail for a view that loads more first (a task, a proposal, an order);
`dispute_form` makes the whole view of a form about the dispute itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from aftersales.common.errors import NotFound
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.models import Dispute

from .dispute_page import dispute_or_404, dispute_url, render_dispute
from .forms_support import done, stale_changes, status_of, submit

# A text, or what to say (or where to go) once the service has answered: `f(form)`,
# the service's result in `form.result`.
ByResult = Any


def allowed_or_403(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def found_or_404(read: Callable[..., Any], *args: Any) -> Any:
    """`read(*args)` (a selector of a dispute's task, proposal, order…), or 404."""
    try:
        return read(*args)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _then(value: ByResult, form: forms.Form) -> Any:
    return value(form) if callable(value) else value


def act(
    request: HttpRequest,
    dispute: Dispute,
    form: forms.Form,
    call: Callable[[dict[str, Any]], Any],
    *,
    key: str,
    message: ByResult,
    anchor: ByResult = "",
    allowed: bool = True,
    renames: dict[str, str] | None = None,
    url: str | None = None,
    failed: Callable[[dict[str, forms.Form], int], HttpResponse] | None = None,
    refusal_on_top: bool = False,
    fresh: Callable[[], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Submit `form` to `call(cleaned_data)`. Done: `message` and back to the dispute
    page at `anchor` (or to `url`). Failed: the dispute page with the form under `key`
    (or `failed(bound, status)`, another page). `allowed`: the predicate's answer, asked
    before anything typed is judged. `refusal_on_top`: a service's refusal is also said
    at the top of the page, where the form may no longer be shown to this user.
    `fresh()`: the hidden values a stale form comes back with (the current version or
    revision), so that, sent again once the user has looked at the changes, it goes
    through; what was typed stays."""
    allowed_or_403(allowed)
    if submit(form, call, renames=renames):
        messages.success(request, str(_then(message, form)))
        return done(request, url or dispute_url(dispute, _then(anchor, form)))
    status = status_of(form)
    if form.conflict is not None and fresh is not None:
        data = form.data.copy()
        for name, value in fresh().items():
            data[form.add_prefix(name)] = str(value)
        form.data = data
    if refusal_on_top and form.forbidden:
        messages.error(request, form.forbidden.message)
    bound = {key: form}
    if failed is not None:
        return failed(bound, status)
    return render_dispute(request, dispute, bound=bound, status=status)


def changes_since(dispute: Dispute, form: forms.Form) -> dict[str, Any]:
    """For a form that came back stale, off the dispute page (the approvals inbox): what
    the dispute page lists (`stale_changes`), with the actions named."""
    changes = stale_changes(form, dispute.events.all())
    actions = {code: str(label) for code, label in Action.choices}
    for event in changes["events"]:
        event.action_label = actions.get(event.action, event.action)
    return {**changes, "dispute": dispute}


@dataclass(frozen=True)
class Posted:
    """What a `dispute_form` service call gets: who posted, on which dispute, the form
    and what it cleaned."""

    request: HttpRequest
    dispute: Dispute
    form: forms.Form

    @property
    def user(self):
        return self.request.user

    @property
    def data(self) -> dict[str, Any]:
        return self.form.cleaned_data


def dispute_form(
    *,
    form: Callable[..., forms.Form],
    prefix: str,
    allowed: Callable[[Any, Dispute], bool],
    call: Callable[[Posted], Any],
    anchor: ByResult,
    message: ByResult,
    key: str | None = None,
    renames: dict[str, str] | None = None,
):
    """The view of a form about the dispute itself: `allowed(user, dispute)` (403), the
    form `form(POST, FILES, prefix=prefix)`, the service `call(posted)`; the failed form
    comes back under `key` (default: the prefix)."""

    @login_required
    @require_POST
    def view(request, number: str, **_kwargs):
        dispute = dispute_or_404(request, number)
        allowed_or_403(allowed(request.user, dispute))
        bound = form(request.POST, request.FILES, prefix=prefix)
        posted = Posted(request, dispute, bound)
        return act(
            request,
            dispute,
            bound,
            lambda _data: call(posted),
            key=key or prefix,
            anchor=anchor,
            message=message,
            renames=renames,
            fresh=(lambda: {"version": dispute.version}) if "version" in bound.fields else None,
        )

    return view
