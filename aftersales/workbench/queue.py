"""The queue (投诉队列) and my work (我的工作): filters, saved views, search, bulk actions,
keyboard shortcuts (static/workbench/queue.js), live countdowns and a table body htmx
refreshes. Every rule is the domain's: the selectors filter and order, `capped_count`
counts, the services assign and reject, the permission predicates decide who sees what."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.common.counting import Count, capped_count
from aftersales.common.errors import DomainError, ValidationFailed
from aftersales.disputes import selectors, services
from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import can_assign, may, may_apply
from aftersales.disputes.states import Action, RejectionGround
from aftersales.parties import saved_views
from aftersales.parties.models import Team
from aftersales.parties.selectors import task_departments_of, team_ids_of
from aftersales.sla.sources import queue_rows

from .queue_display import ROW_COLUMNS, rows_html
from .queue_forms import (
    BulkAssignForm,
    BulkRejectForm,
    QueueFilters,
    SavedViewForm,
    assignee_choices,
    parse_picks,
)

PAGE_SIZE = 50
PAGE_MAX = 100_000  # keeps the OFFSET inside what the databases accept
COUNT_CAP = 1000
POLL_SECONDS = 20


def may_reject(user) -> bool:
    """Whether `user`'s roles may reject a dispute at all (the role half of
    `permissions.can_act`; each dispute is asked again by the service)."""
    return may_apply(user, Action.REJECT)


# -- the page ------------------------------------------------------------------------------


def _page_number(params: QueryDict) -> tuple[int, str | None]:
    raw = (params.get("page") or "1").strip()
    try:
        number = int(raw)
    except ValueError:
        return 1, _("页码“%(page)s”无效，已显示第 1 页") % {"page": raw[:20]}
    if not 1 <= number <= PAGE_MAX:
        return 1, _("页码应在 1 到 %(max)d 之间，已显示第 1 页") % {"max": PAGE_MAX}
    return number, None


def queue_context(request, params: QueryDict, *, mine: bool, bound=None) -> tuple[dict, bool]:
    """Everything the queue page shows for the query `params`; and whether the query was
    valid (an invalid value is named on the page and left out of the filter)."""
    user = request.user
    bound = bound or {}
    now = timezone.now()
    team_codes = list(Team.objects.order_by("code").values_list("code", "name", "pk"))
    teams = [(code, name) for code, name, _pk in team_codes]
    team_codes = [(code, pk) for code, _name, pk in team_codes]
    people = assignee_choices()
    departments = bool(task_departments_of(user))
    form = QueueFilters(params, teams=teams, people=people, mine=mine, departments=departments)
    valid = form.is_valid()
    filters = form.selector_filters()
    page, page_problem = _page_number(params)
    if mine:
        filters.update(assignee="me", open_only=True)
    try:
        queue = selectors.dispute_queue(user, now=now, **filters)
    except ValidationFailed as error:  # a value gone since the form checked it
        valid = False
        page_problem = page_problem or _why(error)
        mine_only = {"assignee": "me", "open_only": True} if mine else {}
        queue = selectors.dispute_queue(user, now=now, **mine_only)
    offset = (page - 1) * PAGE_SIZE
    fetched = list(queue.only(*ROW_COLUMNS)[offset : offset + PAGE_SIZE + 1])
    rows = queue_rows(fetched[:PAGE_SIZE], now)
    if fetched and len(fetched) <= PAGE_SIZE and offset + len(fetched) <= COUNT_CAP:
        count = Count(offset + len(fetched), True)  # the last page: no need to count
    elif not fetched and page == 1:
        count = Count(0, True)
    else:
        count = capped_count(queue, cap=COUNT_CAP)
    kept = form.query_params()
    can_bulk_assign = can_assign(user)
    # "a" (assign to me) also places the dispute in my team when I am in exactly one:
    # a lead picking from the pool of disputes without a team.
    my_teams = team_ids_of(user) if can_bulk_assign else frozenset()
    my_team = next((code for code, pk in team_codes if pk in my_teams), "")
    can_bulk_reject = may_reject(user)
    rows = rows_html(
        rows,
        bulk=can_bulk_assign or can_bulk_reject,
        can_assign=can_bulk_assign,
        picked=set(bound.get("picked", ())),
    )
    context = {
        "mine": mine,
        "form": form,
        "problems": [p for p in (page_problem,) if p],
        "rows": rows,
        "count": count,
        "count_cap": COUNT_CAP,
        "page": page,
        "has_previous": page > 1,
        "has_next": len(fetched) > PAGE_SIZE,
        "previous_query": urlencode({**kept, "page": page - 1}),
        "next_query": urlencode({**kept, "page": page + 1}),
        "here": request.get_full_path() if request.method == "GET" else bound.get("next", ""),
        "saved_views": saved_views.saved_views_of(user),
        "save_form": bound.get("save") or SavedViewForm(),
        "can_bulk_assign": can_bulk_assign,
        "my_team": my_team if len(my_teams) == 1 else "",
        "can_bulk_reject": can_bulk_reject,
        "bulk": can_bulk_assign or can_bulk_reject,
        "assign_form": bound.get("assign")
        or BulkAssignForm(prefix="assign", teams=teams, people=people),
        "reject_form": bound.get("reject") or BulkRejectForm(prefix="reject"),
        "poll_seconds": POLL_SECONDS,
        "now": now,
    }
    return context, valid and not page_problem


def _queue(request, *, mine: bool):
    request.nav_active = "mine" if mine else "queue"
    context, valid = queue_context(request, request.GET, mine=mine)
    if request.htmx and request.htmx.target == "queue-body":
        # The live refresh: the count, the rows and the pager again, not the page.
        return HttpResponse(render_to_string("workbench/queue/results.html", context, request))
    return render(request, "workbench/dispute_list.html", context, status=200 if valid else 422)


@login_required
def dispute_list(request):
    return _queue(request, mine=False)


@login_required
def my_work(request):
    return _queue(request, mine=True)


# -- posts: where they come from and go back to ----------------------------------------------


def _back(request) -> str:
    """The queue address the form was posted from (kept filters), else the queue."""
    target = request.POST.get("next", "")
    queue_urls = (reverse("workbench:dispute_list"), reverse("workbench:my_work"))
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        if urlsplit(target).path in queue_urls:
            return target
    return queue_urls[0]


def _rerender(request, bound: dict, status: int = 422) -> HttpResponse:
    """The queue page again (the one posted from) with a failed form bound, as typed."""
    back = urlsplit(_back(request))
    mine = back.path == reverse("workbench:my_work")
    request.nav_active = "mine" if mine else "queue"
    bound = {**bound, "next": _back(request)}
    context, _valid = queue_context(request, QueryDict(back.query), mine=mine, bound=bound)
    return render(request, "workbench/dispute_list.html", context, status=status)


def _post_only(request, allowed: bool):
    """The door first (403 for a role the matrix refuses, whatever the method), then the
    method."""
    if not allowed:
        raise PermissionDenied(_("您没有权限执行该操作"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def _why(error: DomainError) -> str:
    named = [str(m) for m in (error.fields or {}).values()]
    return pgettext("between sentences", "；").join(named) if named else error.message


def _each(request, picks, call) -> tuple[list[str], list[tuple[str, str]]]:
    """Apply `call(dispute, version)` to each picked dispute in the user's scope, each on
    its own (one refused does not undo the others); report every one, done or not."""
    numbers = [number for number, _version in picks]
    found = {
        d.number: d
        for d in selectors.disputes_visible_to(request.user)
        .select_related("team", "assignee")
        .filter(number__in=numbers)
    }
    done, failed = [], []
    for number, version in picks:
        dispute = found.get(number)
        if dispute is None:
            failed.append((number, _("找不到该投诉，或您无权查看")))
            continue
        try:
            call(dispute, version)
        except DomainError as error:
            failed.append((number, _why(error)))
        else:
            done.append(number)
    return done, failed


def _report(request, done, failed, *, done_text: str, failed_text: str) -> None:
    if done:
        messages.success(
            request,
            done_text
            % {"count": len(done), "numbers": pgettext("list separator", "、").join(done)},
        )
    for number, why in failed:
        messages.error(request, failed_text % {"number": number, "why": why})


@login_required
def bulk_assign(request):
    refused = _post_only(request, can_assign(request.user))
    if refused:
        return refused
    teams = list(Team.objects.order_by("code").values_list("code", "name"))
    form = BulkAssignForm(request.POST, prefix="assign", teams=teams, people=assignee_choices())
    picks, pick_error = parse_picks(request.POST)
    if pick_error:
        form.add_error(None, pick_error)
    if not form.is_valid():
        return _rerender(request, {"assign": form, "picked": [n for n, _v in picks]})
    changes = form.changes(request.user)
    done, failed = _each(
        request,
        picks,
        lambda dispute, version: services.dispute_assign(
            dispute=dispute, actor=request.user, version=version, **changes
        ),
    )
    _report(
        request,
        done,
        failed,
        done_text=_("已分派 %(count)d 条投诉：%(numbers)s"),
        failed_text=_("%(number)s 未分派：%(why)s"),
    )
    return HttpResponseRedirect(_back(request))


@login_required
def bulk_reject(request):
    refused = _post_only(request, may_reject(request.user))
    if refused:
        return refused
    form = BulkRejectForm(request.POST, prefix="reject", user=request.user)
    picks, pick_error = parse_picks(request.POST)
    if pick_error:
        form.add_error(None, pick_error)
    if not form.is_valid():
        return _rerender(request, {"reject": form, "picked": [n for n, _v in picks]})
    original = form.cleaned_data["original"]
    reason = form.cleaned_data["reason"]

    def reject(dispute, version):
        if dispute.number == original:
            raise DomainError(_("不能把投诉驳回为它自己的重复"))
        services.dispute_apply(
            dispute=dispute,
            action=Action.REJECT,
            actor=request.user,
            version=version,
            reason=reason,
            payload={"ground": RejectionGround.DUPLICATE.value, "duplicate_of": original},
        )

    done, failed = _each(request, picks, reject)
    _report(
        request,
        done,
        failed,
        done_text=_("已作为重复投诉驳回 %(count)d 条：%(numbers)s"),
        failed_text=_("%(number)s 未驳回：%(why)s"),
    )
    return HttpResponseRedirect(_back(request))


# -- saved views ---------------------------------------------------------------------------


@login_required
def saved_view_save(request):
    refused = _post_only(request, may(request.user, Op.VIEW_DISPUTE))
    if refused:
        return refused
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        return _rerender(request, {"save": form})
    params = dict(QueryDict(urlsplit(_back(request)).query).items())
    params.pop("page", None)
    try:
        saved_views.saved_view_save(
            user=request.user, name=form.cleaned_data["name"], params=params
        )
    except DomainError as error:
        form.add_error("name" if "name" in (error.fields or {}) else None, _why(error))
        return _rerender(request, {"save": form})
    messages.success(request, _("已保存视图“%(name)s”") % {"name": form.cleaned_data["name"]})
    return HttpResponseRedirect(_back(request))


@login_required
def saved_view_delete(request):
    refused = _post_only(request, may(request.user, Op.VIEW_DISPUTE))
    if refused:
        return refused
    try:
        view_id = int(request.POST.get("view", ""))
        saved_views.saved_view_delete(user=request.user, view_id=view_id)
    except ValueError:
        messages.error(request, _("要删除的视图无效"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已删除视图"))
    return HttpResponseRedirect(_back(request))


urlpatterns = [
    path("", dispute_list, name="dispute_list"),
    path("mine/", my_work, name="my_work"),
    path("queue/assign/", bulk_assign, name="queue_bulk_assign"),
    path("queue/reject/", bulk_reject, name="queue_bulk_reject"),
    path("queue/views/", saved_view_save, name="saved_view_save"),
    path("queue/views/delete/", saved_view_delete, name="saved_view_delete"),
]
