"""A dispute's page: the shell that puts the sections together. Each section is a module
of its own (its context and the views of its forms): `dispute_sections` (header, clocks,
actions, customer and order, classification, facts, evidence, contacts and notes,
timeline), `mediation` (investigation, entitlements, proposals, approvals, escalations),
`aftersale_sections` (after-sale orders, follow-up). A form that failed comes back bound
(`bound`, by form key) so the page shows it with what was typed and its errors.

Live: the page polls `dispute_changes` with the newest event it shows; someone else's
change answers with a notice naming what changed and who did it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from aftersales.common.errors import NotFound
from aftersales.disputes import selectors
from aftersales.disputes.models import Dispute

from . import aftersale_sections, dispute_sections, mediation


def dispute_or_404(request, number: str) -> Dispute:
    """The dispute `number` if the user may see it (the same scope as the API), else 404."""
    try:
        return selectors.dispute_get(number=number, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None


def dispute_url(dispute: Dispute, anchor: str = "") -> str:
    url = reverse("workbench:dispute_detail", args=[dispute.number])
    return f"{url}#{anchor}" if anchor else url


def render_dispute(request, dispute: Dispute, *, bound=None, status: int = 200) -> HttpResponse:
    """The whole page; `bound` maps form keys to forms that failed, shown in place."""
    bound = bound or {}
    context = {"dispute": dispute, "bound": bound}
    for section in (dispute_sections, mediation, aftersale_sections):
        context.update(section.context(request, dispute, bound))
    context["last_event_id"] = dispute.events.order_by("-id").values_list("id", flat=True).first()
    return render(request, "workbench/dispute_detail.html", context, status=status)


@login_required
def dispute_detail(request, number: str):
    return render_dispute(request, dispute_or_404(request, number))


@login_required
def dispute_changes(request, number: str):
    """Polled by the page: empty while nothing newer than `after` is on the timeline;
    else a notice of what changed and by whom, with a link that reloads the page."""
    dispute = dispute_or_404(request, number)
    try:
        after = int(request.GET.get("after") or 0)
    except ValueError:
        after = 0
    newer = list(
        dispute.events.filter(id__gt=after).exclude(actor=request.user).order_by("-id")[:5]
    )
    if not newer:
        return HttpResponse("")
    return render(
        request,
        "workbench/dispute/changed.html",
        {"dispute": dispute, "events": newer, "url": dispute_url(dispute)},
    )
