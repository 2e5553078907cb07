"""A dispute's page: the shell that puts the sections together. Each section is a module
of its own (its context and the views of its forms): `dispute_sections` (header, clocks,
actions, customer and order, classification, facts, evidence, contacts and notes,
timeline), `mediation` (investigation, entitlements, proposals, approvals, escalations),
`aftersale_sections` (after-sale orders, follow-up). A form that failed comes back bound
(`bound`, by form key) so the page shows it with what was typed and its errors.

What several sections show is read once per request (`PageReads`): the timeline, the
evidence, the timers, the investigation with its tasks, the facts the entitlements
engine reads. The dispute was found in the user's scope (`dispute_or_404`), so the
sections ask the permission predicates about the operation alone, without a scope
query each; the views ask again with the dispute when a form is sent.

Live: the page polls `dispute_changes` with the newest event it shows; someone else's
change answers with a notice naming what changed and who did it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from aftersales.common.errors import NotFound
from aftersales.disputes import selectors
from aftersales.disputes.models import Dispute, Event, Evidence
from aftersales.mediation import selectors as mediation_selectors
from aftersales.sla.selectors import TimerView, timer_views

from . import aftersale_sections, dispute_sections, mediation, messages_section


def dispute_or_404(request, number: str) -> Dispute:
    """The dispute `number` if the user may see it (the same scope as the API), else 404."""
    try:
        return selectors.dispute_get(number=number, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None


def dispute_url(dispute: Dispute, anchor: str = "") -> str:
    url = reverse("workbench:dispute_detail", args=[dispute.number])
    return f"{url}#{anchor}" if anchor else url


@dataclass(frozen=True)
class PageReads:
    """What the sections share, read once for the page."""

    timeline: list[Event]  # oldest first, with their actors
    last_event_id: int | None  # the newest event: what the page shows is as of it
    evidence: list[Evidence]  # newest first
    timers: list[TimerView]
    investigation: mediation_selectors.Investigation
    facts: mediation_selectors.DisputeFacts


def page_reads(dispute: Dispute) -> PageReads:
    timeline = list(selectors.dispute_timeline(dispute))
    timers = timer_views(dispute)
    investigation = mediation_selectors.dispute_investigation(dispute, views=timers)
    reports = [r for t in investigation.tasks if (r := getattr(t, "report", None)) is not None]
    found = mediation_selectors.investigated_from(
        dispute, reports=reports, findings=investigation.findings
    )
    return PageReads(
        timeline=timeline,
        last_event_id=max((e.pk for e in timeline), default=None),
        evidence=list(dispute.evidence.order_by("-uploaded_at", "-id")),
        timers=timers,
        investigation=investigation,
        facts=mediation_selectors.dispute_facts(dispute, found=found),
    )


def render_dispute(request, dispute: Dispute, *, bound=None, status: int = 200) -> HttpResponse:
    """The whole page; `bound` maps form keys to forms that failed, shown in place."""
    bound = bound or {}
    reads = page_reads(dispute)
    context = {"dispute": dispute, "bound": bound, "last_event_id": reads.last_event_id}
    for section in (dispute_sections, mediation, aftersale_sections, messages_section):
        context.update(section.context(request, dispute, bound, reads))
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
