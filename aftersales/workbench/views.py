"""Staff pages: the dispute queue and a dispute's page (its timeline, and read-only
mediation sections: entitlements, investigation, proposals). Plain for now; the full
workbench is its own issue."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from aftersales.common.errors import NotFound
from aftersales.disputes import selectors
from aftersales.disputes.lifecycle import Action, Status
from aftersales.disputes.models import Channel
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.triage.timeline import TriageKind

from .mediation import mediation_context

PAGE_SIZE = 50


def _label(choices, code: str) -> str:
    return choices(code).label if code in choices.values else code


@login_required
def dispute_list(request):
    filters = {
        key: request.GET.get(key) or None
        for key in ("status", "category", "severity", "channel", "q")
    }
    if filters["status"] not in (None, *[s.value for s in Status]):
        filters["status"] = None
    queue = selectors.dispute_queue(request.user, **filters)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/dispute_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Status.choices,
            "categories": Category.choices,
            "severities": Severity.choices,
            "channels": Channel.choices,
        },
    )


@login_required
def dispute_detail(request, number: str):
    try:
        dispute = selectors.dispute_get(number=number, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    timeline = list(selectors.dispute_timeline(dispute))
    for event in timeline:
        # Labels for the codes stored on the event (received → 受理), in the reader's
        # language; a code no longer known shows as itself.
        event.action_label = _label(Action, event.action)
        event.from_label = _label(Status, event.from_status)
        event.to_label = _label(Status, event.to_status)
    classified = next((e for e in reversed(timeline) if e.kind == TriageKind.CLASSIFIED), None)
    return render(
        request,
        "workbench/dispute_detail.html",
        {
            "dispute": dispute,
            "timeline": timeline,
            "classification": classified.payload if classified else None,
            "tasks": list(dispute.tasks.order_by("created_at", "id")),
            "groups": list(dispute.group_complaints.order_by("-created_at")),
            **mediation_context(dispute, request.user),
        },
    )
