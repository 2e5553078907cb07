"""Reads of department tasks (部门任务): the open tasks of a department, most urgent
first, with their dispute — for the workbench's department task list. Who sees which
department's tasks follows the roles (`parties.selectors.task_departments_of`) and the
staff profile's department; readers of every dispute see every department's."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, QuerySet

from aftersales.parties.roles import TASK_DEPARTMENT_OF_ROLE
from aftersales.parties.selectors import roles_of, task_departments_of

from .grants import READ_ALL
from .models import Dispute, Task
from .permissions import scope_disputes

# The departments that receive tasks, in the order the list offers them.
TASK_DEPARTMENTS: tuple[str, ...] = tuple(d.value for d in TASK_DEPARTMENT_OF_ROLE.values())


def own_task_departments(user) -> frozenset[str]:
    """The departments whose tasks are `user`'s own work: those of their roles, and the
    department on their staff profile when it is one that receives tasks."""
    departments = {d.value for d in task_departments_of(user)}
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.department in TASK_DEPARTMENTS:
        departments.add(profile.department)
    return frozenset(departments)


def task_departments_visible_to(user) -> frozenset[str]:
    """The departments whose task lists `user` may open: every one for admins and the
    readers of every dispute, else their own."""
    if roles_of(user) & READ_ALL:
        return frozenset(TASK_DEPARTMENTS)
    return own_task_departments(user)


def open_department_tasks(user, *, departments: Iterable[str]) -> QuerySet[Task]:
    """The open tasks of `departments` on disputes in `user`'s scope, the most urgent
    first: the earliest due time, tasks without one after those, then the oldest."""
    wanted = sorted(set(departments) & task_departments_visible_to(user))
    if not wanted:
        return Task.objects.none()
    tasks = Task.objects.filter(state=Task.State.OPEN, department__in=wanted)
    if not roles_of(user) & READ_ALL:
        # A task of one's own department puts its dispute in scope; the filter keeps
        # out what a profile's department alone would not (the roles decide the scope).
        tasks = tasks.filter(dispute__in=scope_disputes(user, Dispute.objects.all()))
    return tasks.select_related("dispute").order_by(
        F("due_at").asc(nulls_last=True), "created_at", "id"
    )
