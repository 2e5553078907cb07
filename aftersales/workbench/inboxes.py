"""Pages of work waiting: 通知 (inbox), 部门任务 (department tasks), 每日检查, 时限统计."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def inbox(request):
    return HttpResponse("")  # placeholder: the helper replaces it


@login_required
def department_tasks(request):
    return HttpResponse("")  # placeholder: the helper replaces it


@login_required
def daily_checks(request):
    return HttpResponse("")  # placeholder: the helper replaces it


@login_required
def sla_figures(request):
    return HttpResponse("")  # placeholder: the helper replaces it


urlpatterns = [
    path("inbox/", inbox, name="inbox"),
    path("tasks/", department_tasks, name="department_tasks"),
    path("daily-checks/", daily_checks, name="daily_checks"),
    path("sla/", sla_figures, name="sla_figures"),
]
