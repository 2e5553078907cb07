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
    if Role.TEAM_LEAD in roles:
        # Disputes without a team are the pool team leads distribute from; without this
        # only admins (of those who may assign) could ever pick them up.
        condition |= Q(team__isnull=True)
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


def can_be_assigned(user, team) -> bool:
    """A dispute's assignee: an active case handler (agent or team lead) who is a member
    or the lead of the dispute's team. Being marked absent (`is_available` off) only
    keeps automatic assignment away; a lead may still hand a case to them."""
    return (
        user.is_active
        and team is not None
        and bool(roles_of(user) & CASE_HANDLERS)
        and team.pk in team_ids_of(user)
    )


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


# Orders (PUT/GET /api/v1/orders, aftersales.parties.orders): whoever takes disputes in
# records orders too — an agent on the phone is never blocked by a missing import; the
# readers of every dispute read orders as well.


def can_record_orders(user) -> bool:
    return can_create(user)


def can_view_orders(user) -> bool:
    return can_record_orders(user) or bool(roles_of(user) & READ_ALL)


# Case facts (aftersales.mediation.facts): who may record which finding the entitlements
# engine reads. One row per fact of the `aftersales entitlements` contract; admins may
# record every fact. A fact no row names nobody but an admin records (a new contract field
# is placed here deliberately). Visibility comes first: a dispute the user cannot see
# answers 404 before this is asked. docs/entitlements.md shows the table.
_LEGAL_OR_OPERATIONS = frozenset({Role.LEGAL, Role.OPERATIONS})
_GOODS_INSPECTORS = frozenset({Role.QUALITY_CONTROL, Role.TEAM_LEAD})
_MONEY_FINDERS = frozenset({Role.LEGAL, Role.TEAM_LEAD})
_REPAIR_RECORDERS = frozenset({Role.QUALITY_CONTROL, Role.TEAM_LEAD, Role.AGENT})
FACT_RECORDERS: dict[str, frozenset[Role]] = {
    # What the merchant did or knew: legal, or operations (who check ads and live streams).
    "fraud": _LEGAL_OR_OPERATIONS,
    "food_safety_violation": _LEGAL_OR_OPERATIONS,
    "known_defect_serious_harm": _LEGAL_OR_OPERATIONS,
    "label_defect_only": _LEGAL_OR_OPERATIONS,
    # The goods themselves: QC's inspection, or the team lead's judgement.
    "defect": _GOODS_INSPECTORS,
    "intact": _GOODS_INSPECTORS,
    "digital_unsealed": _GOODS_INSPECTORS,
    # Money the law turns on, and the day the claim was first made: legal or the lead.
    "loss": _MONEY_FINDERS,
    "price": _MONEY_FINDERS,
    "claim_on": _MONEY_FINDERS,
    # The repair history: QC and the handlers who hold the repair records.
    "failed_repairs": _REPAIR_RECORDERS,
    "parts_wait_days": _REPAIR_RECORDERS,
    "repair_delay_days": _REPAIR_RECORDERS,
    # Order and product details the handlers check with the customer and the order.
    **dict.fromkeys(
        (
            "channel",
            "received_on",
            "sold_on",
            "goods_kind",
            "three_guarantees",
            "car",
            "warranty_days",
            "food",
            "excluded_confirmed",
        ),
        CASE_HANDLERS,
    ),
}


def can_record_fact(user, dispute: Dispute, name: str) -> bool:
    """May `user` record the fact `name` on `dispute` (one the user can see)?"""
    roles = roles_of(user)
    return Role.ADMIN in roles or bool(roles & FACT_RECORDERS.get(name, frozenset()))


def can_request_task(user) -> bool:
    """Ask a department for a task on a dispute of any category (QC on a false-advertising
    case, legal on a late delivery): the handlers of the dispute, and admins."""
    return bool(roles_of(user) & (CASE_HANDLERS | {Role.ADMIN}))
