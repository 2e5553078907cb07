"""Who may see and do what with disputes — the one place these rules live. Web, portal,
API, admin and CLI all ask here. Disputes outside a user's scope answer 404, not 403."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from aftersales.parties.roles import Role
from aftersales.parties.selectors import roles_of, task_departments_of, team_ids_of

from .lifecycle import Action
from .models import Dispute, Task

READ_ALL = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGEMENT})
CASE_HANDLERS = frozenset({Role.AGENT, Role.TEAM_LEAD})
# Actions a case handler applies; admin may apply all.
HANDLER_ACTIONS = frozenset(Action)


def scope_disputes(user, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
    roles = roles_of(user)
    if not roles:
        return queryset.none()
    if roles & READ_ALL:
        return queryset
    condition = Q(pk__in=[])
    if roles & CASE_HANDLERS:
        condition |= Q(assignee=user)
        teams = team_ids_of(user)
        if teams:
            condition |= Q(team_id__in=teams)
    departments = task_departments_of(user)
    if departments:
        condition |= Q(
            Exists(
                Task.objects.filter(
                    dispute=OuterRef("pk"), department__in=[d.value for d in departments]
                )
            )
        )
    return queryset.filter(condition)


def can_view(user, dispute: Dispute) -> bool:
    return scope_disputes(user, Dispute.objects.filter(pk=dispute.pk)).exists()


def can_create(user) -> bool:
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.ADMIN}))


def can_act(user, dispute: Dispute, action: Action) -> bool:
    """Lifecycle actions: case handlers on the disputes they can see, and admins."""
    roles = roles_of(user)
    if Role.ADMIN in roles:
        return True
    return bool(roles & CASE_HANDLERS) and action in HANDLER_ACTIONS


def can_assign(user) -> bool:
    return bool(roles_of(user) & {Role.TEAM_LEAD, Role.ADMIN})


def can_add_evidence(user, dispute: Dispute) -> bool:
    """Anyone working the case may add evidence: handlers and the departments with a task
    on it (QC photos, logistics proofs). Readers (supervisor, management) may not."""
    roles = roles_of(user)
    if Role.ADMIN in roles or roles & CASE_HANDLERS:
        return True
    return bool(task_departments_of(user))


def can_reveal_contact(user) -> bool:
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.ADMIN, Role.SUPERVISOR}))


def can_reclassify(user) -> bool:
    """Correct a dispute's category or severity: the people who handle it."""
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.ADMIN}))


def can_decide_group_complaint(user) -> bool:
    """Confirm or dismiss a group-complaint candidate (集体投诉): team leads and admins."""
    return bool(roles_of(user) & {Role.TEAM_LEAD, Role.ADMIN})
