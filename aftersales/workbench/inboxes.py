"""Pages of work waiting: 通知 (the inbox) here; 部门任务 (`tasks_page`), 每日检查
(`checks_page`) and 时限统计 (`figures_page`) in their own modules, routed from here."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.common.errors import NotFound
from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import may
from aftersales.notifications.models import Notification
from aftersales.notifications.selectors import unread_count
from aftersales.notifications.services import notification_mark_read, notifications_mark_all_read

from .checks_page import daily_checks
from .figures_page import sla_figures
from .forms_support import done
from .tasks_page import department_tasks

PAGE_SIZE = 50


def _inbox_allowed(user) -> None:
    if not may(user, Op.READ_OWN_NOTIFICATIONS):
        raise PermissionDenied(_("您没有查看通知的权限"))


@login_required
def inbox(request):
    """The user's notifications, newest first (as GET /api/v1/notifications), unread
    ones marked; `?unread=1` shows only those."""
    _inbox_allowed(request.user)
    request.nav_active = "inbox"
    only_unread = request.GET.get("unread") == "1"
    notes = Notification.objects.filter(recipient=request.user).select_related("dispute")
    if only_unread:
        notes = notes.filter(read_at__isnull=True)
    page = Paginator(notes.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workbench/inboxes/inbox.html",
        {"page": page, "only_unread": only_unread, "unread_total": unread_count(request.user)},
    )


def mark_read(user, notification_id: int) -> None:
    try:
        notification_mark_read(user=user, notification_id=notification_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def mark_all_read(user) -> int:
    return notifications_mark_all_read(user=user)


@login_required
@require_POST
def inbox_read(request, notification_id: int):
    _inbox_allowed(request.user)
    mark_read(request.user, notification_id)
    return done(request, _back(request))


@login_required
@require_POST
def inbox_read_all(request):
    _inbox_allowed(request.user)
    mark_all_read(request.user)
    return done(request, _back(request))


def _back(request) -> str:
    url = reverse("workbench:inbox")
    return f"{url}?unread=1" if request.POST.get("unread") == "1" else url


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/<int:notification_id>/read", inbox_read, name="inbox_read"),
    path("inbox/read-all", inbox_read_all, name="inbox_read_all"),
    path("tasks/", department_tasks, name="department_tasks"),
    path("daily-checks/", daily_checks, name="daily_checks"),
    path("sla/", sla_figures, name="sla_figures"),
]
