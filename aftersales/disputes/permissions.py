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


# Execution (aftersales.fulfilment): case handlers record and complete it; finance pays
# refunds and compensation; logistics ships and traces parcels.
EXECUTION_RECORDERS = CASE_HANDLERS | {Role.ADMIN, Role.FINANCE, Role.LOGISTICS}
PARCEL_TRACKERS = CASE_HANDLERS | {Role.ADMIN, Role.LOGISTICS}


def can_record_execution(user) -> bool:
    return bool(roles_of(user) & EXECUTION_RECORDERS)


def can_track_parcel(user) -> bool:
    return bool(roles_of(user) & PARCEL_TRACKERS)


def can_make_commitment(user) -> bool:
    """Promises to the customer (承诺): the people who talk to them."""
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.ADMIN}))


def can_see_daily_checks(user) -> bool:
    """The daily proactive checks (三主动): handlers see theirs, leads their team's,
    supervisors, management and admins everyone's."""
    return bool(roles_of(user) & (CASE_HANDLERS | READ_ALL))


def scope_daily_check_agents(user, queryset: QuerySet) -> QuerySet:
    """The staff (a user queryset) whose daily-check lists `user` may see."""
    roles = roles_of(user)
    if roles & READ_ALL:
        return queryset
    if Role.TEAM_LEAD in roles:
        teams = team_ids_of(user)
        return queryset.filter(Q(pk=user.pk) | Q(staff_profile__team_id__in=teams))
    if Role.AGENT in roles:
        return queryset.filter(pk=user.pk)
    return queryset.none()


def can_view_sla_figures(user) -> bool:
    """SLA compliance figures: team leads (their teams), supervisors, management and
    admins; agents may not."""
    return bool(roles_of(user) & (READ_ALL | {Role.TEAM_LEAD}))


def sla_figures_team_scope(user) -> frozenset[int] | None:
    """The teams whose timers `user` may count; None is the whole company. Only for
    users who pass `can_view_sla_figures`."""
    return None if roles_of(user) & READ_ALL else team_ids_of(user)


# Investigation and escalation (aftersales.mediation.investigation / .escalation).


def can_file_task_report(user, task: Task) -> bool:
    """A department files the report of its own task (QC its inspection, legal its
    opinion); admins may file any."""
    roles = roles_of(user)
    if Role.ADMIN in roles:
        return True
    return task.department in {d.value for d in task_departments_of(user)}


def can_record_case_meeting(user) -> bool:
    """The team lead convenes the case meeting on complex and major disputes."""
    return bool(roles_of(user) & {Role.TEAM_LEAD, Role.ADMIN})


def can_determine_responsibility(user) -> bool:
    """Handlers find responsibility and root causes; legal may, on the cases it reviews."""
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.LEGAL, Role.ADMIN}))


def can_escalate(user) -> bool:
    """Record a route outside the company; the first one moves the dispute to
    `escalated` through the lifecycle, so it is a handler's action."""
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.ADMIN}))


def can_record_escalation_progress(user) -> bool:
    """The outside body's acceptance and outcome: handlers and legal, who takes part in
    every escalated case."""
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.LEGAL, Role.ADMIN}))


# Mediation proposals (aftersales.mediation.proposals): handlers draft, revise, send and
# withdraw them; approvals go by the authority rules (aftersales.mediation.authority),
# which this gate only opens to the roles that can ever approve.
PROPOSAL_APPROVERS = frozenset({Role.TEAM_LEAD, Role.SUPERVISOR, Role.MANAGEMENT, Role.LEGAL})


def can_propose(user) -> bool:
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.ADMIN}))


def can_approve_proposals(user) -> bool:
    """Team leads, supervisors and management within their ceilings; legal on proposals
    below the statutory minimum. Admins configure the ceilings but approve nothing."""
    return bool(roles_of(user) & PROPOSAL_APPROVERS)


def can_view_proposals(user) -> bool:
    """Anyone who may see the dispute and takes part in mediation: handlers, approvers."""
    return bool(roles_of(user) & (CASE_HANDLERS | PROPOSAL_APPROVERS | {Role.ADMIN}))
