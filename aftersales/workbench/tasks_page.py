"""部门任务: the open tasks of the user's department (QC, logistics, operations, legal,
finance), the most urgent first, each with its dispute and a live countdown to its due
time. Admins choose the department."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import may
from aftersales.disputes.task_selectors import (
    TASK_DEPARTMENTS,
    open_department_tasks,
    own_task_departments,
    task_departments_visible_to,
)
from aftersales.parties.roles import Department

PAGE_SIZE = 50


@login_required
def department_tasks(request):
    user = request.user
    if not may(user, Op.SEE_DEPARTMENT_TASKS):
        raise PermissionDenied(_("您没有查看部门任务的权限"))
    request.nav_active = "tasks"
    visible = task_departments_visible_to(user)
    own = own_task_departments(user)
    chosen = request.GET.get("department") or ""
    if chosen not in visible:
        chosen = ""
    departments = [chosen] if chosen else sorted(own or visible)
    page = Paginator(open_department_tasks(user, departments=departments), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels = dict(Department.choices)
    return render(
        request,
        "workbench/inboxes/tasks.html",
        {
            "page": page,
            "labels": labels,
            "showing": [labels[d] for d in departments if d in labels],
            # A choice only for those who see more than their own department.
            "choices": [(d, labels[d]) for d in TASK_DEPARTMENTS if d in visible]
            if visible - own
            else [],
            "chosen": chosen,
        },
    )
