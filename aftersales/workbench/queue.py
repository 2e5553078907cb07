"""The queue (投诉队列) and my work (我的工作): filters, saved views, search, bulk actions,
keyboard shortcuts, live countdowns."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path

from aftersales.disputes import selectors
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Channel
from aftersales.disputes.taxonomy import Category, Severity

PAGE_SIZE = 50


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
def my_work(request):
    return dispute_list(request)  # placeholder: the helper replaces it


urlpatterns = [
    path("", dispute_list, name="dispute_list"),
    path("mine/", my_work, name="my_work"),
]
