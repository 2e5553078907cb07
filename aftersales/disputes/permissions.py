"""Who may see and do what — the one place these questions are answered. Web, portal,
API, admin, CLI and every service ask here. The roles granted each operation are the
table in `grants`; this module adds the scope: a dispute outside a user's scope answers
404 (the caller uses `scope_disputes`), and a predicate given a dispute is False for one
out of scope.

The actor is a user, the system actor (may do everything; never a request's actor) or a
customer actor (only the customer's own actions on their own dispute). `None` is nobody:
every predicate refuses it, so a forgotten actor is refused, never waved through."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from aftersales.parties.actors import is_customer, is_system
from aftersales.parties.roles import Role
from aftersales.parties.selectors import roles_of, task_departments_of, team_ids_of

from .grants import (
    ACTION_GRANTS,
    CASE_HANDLERS,
    CUSTOMER_ACTIONS,
    FACT_RECORDERS,
    GRANTS,
    PROPOSAL_APPROVERS,
    READ_ALL,
    Op,
)
from .lifecycle import Action, Status
from .models import Dispute, Task

# Re-exported: callers and tests import these names from here.
__all__ = ["CASE_HANDLERS", "FACT_RECORDERS", "PROPOSAL_APPROVERS", "READ_ALL", "Op"]


def scope_disputes(user, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
    """The disputes of `queryset` that `user` may see."""
    if is_system(user):
        return queryset
    if is_customer(user):
        return queryset.filter(customer_id=user.customer_id)
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
    if user is None:
        return False
    if is_system(user):
        return True
    if is_customer(user):
        return dispute.customer_id == user.customer_id
    return scope_disputes(user, Dispute.objects.filter(pk=dispute.pk)).exists()


def may(actor, op: Op, dispute: Dispute | None = None) -> bool:
    """The question every predicate asks: may `actor` do `op` — on `dispute`, when given,
    which must then be in the actor's scope?"""
    if is_system(actor):
        return True
    if actor is None or is_customer(actor):
        return False
    if not roles_of(actor) & GRANTS[op]:
        return False
    return dispute is None or can_view(actor, dispute)


def can_act(actor, dispute: Dispute, action: Action | str) -> bool:
    """Apply a lifecycle action to `dispute`: the roles `grants.ACTION_GRANTS` names, on a
    dispute in the actor's scope; a customer only their own actions on their own dispute.
    (Which door an action comes through is the lifecycle's question.)"""
    action = Action(action)
    if is_system(actor):
        return True
    if actor is None:
        return False
    if is_customer(actor):
        return action in CUSTOMER_ACTIONS and dispute.customer_id == actor.customer_id
    roles = roles_of(actor)
    if action == Action.REOPEN and dispute.status == Status.CLOSED:
        # A closed dispute reopens on the customer's request, by the team lead's decision.
        return bool(roles & {Role.TEAM_LEAD, Role.ADMIN}) and can_view(actor, dispute)
    return bool(roles & ACTION_GRANTS[action]) and can_view(actor, dispute)


def may_apply(actor, action: Action | str) -> bool:
    """Whether `actor`'s roles may apply `action` to some dispute (the role half of
    `can_act`; the dispute's scope is asked per dispute)."""
    if is_system(actor):
        return True
    if actor is None or is_customer(actor):
        return False
    return bool(roles_of(actor) & ACTION_GRANTS[Action(action)])


def can_create(user) -> bool:
    """Staff who take complaints in; a customer files their own through the portal (the
    intake service holds them to their own order: `intake.services.dispute_create`)."""
    return is_customer(user) or may(user, Op.CREATE_DISPUTE)


def can_assign(user, dispute: Dispute | None = None) -> bool:
    return may(user, Op.ASSIGN, dispute)


def can_be_assigned(user, team) -> bool:
    """A dispute's assignee: an active case handler (agent or team lead) who is a member
    or the lead of the dispute's team. Being marked absent (`is_available` off) only
    keeps automatic assignment away; a lead may still hand a case to them."""
    return (
        not is_system(user)
        and not is_customer(user)
        and user.is_active
        and team is not None
        and bool(roles_of(user) & CASE_HANDLERS)
        and team.pk in team_ids_of(user)
    )


def can_add_evidence(user, dispute: Dispute | None = None) -> bool:
    """Anyone working the case may add evidence: handlers and the departments with a task
    on it (QC photos, logistics proofs); the customer to their own dispute. Readers
    (supervisor, management) may not."""
    if is_customer(user):
        return dispute is not None and dispute.customer_id == user.customer_id
    return may(user, Op.ADD_EVIDENCE, dispute)


def can_reveal_contact(user, dispute: Dispute | None = None) -> bool:
    return may(user, Op.REVEAL_CONTACT, dispute)


def can_reclassify(user, dispute: Dispute | None = None) -> bool:
    """Correct a dispute's category or severity: the people who handle it."""
    return may(user, Op.RECLASSIFY, dispute)


def can_decide_group_complaint(user) -> bool:
    """Confirm or dismiss a group-complaint candidate (集体投诉): team leads and admins."""
    return may(user, Op.DECIDE_GROUP_COMPLAINT)


def can_pause_timers(user, dispute: Dispute | None = None) -> bool:
    """Pause or resume a dispute's timers while it waits on the customer: its handlers."""
    return may(user, Op.PAUSE_TIMERS, dispute)


# Execution (aftersales.fulfilment): case handlers record and complete it; finance pays
# refunds and compensation; logistics ships and traces parcels.
EXECUTION_RECORDERS = GRANTS[Op.RECORD_EXECUTION]
PARCEL_TRACKERS = GRANTS[Op.TRACK_PARCEL]


def can_record_execution(user, dispute: Dispute | None = None) -> bool:
    return may(user, Op.RECORD_EXECUTION, dispute)


def can_track_parcel(user, dispute: Dispute | None = None) -> bool:
    return may(user, Op.TRACK_PARCEL, dispute)


def can_make_commitment(user, dispute: Dispute | None = None) -> bool:
    """Promises to the customer (承诺): the people who talk to them."""
    return may(user, Op.MAKE_COMMITMENT, dispute)


def can_see_daily_checks(user) -> bool:
    """The daily proactive checks (三主动): handlers see theirs, leads their team's,
    supervisors, management and admins everyone's."""
    return may(user, Op.SEE_DAILY_CHECKS)


def can_see_others_daily_checks(user) -> bool:
    """Whether `user` sees other staff's daily checks (and, asking for none in
    particular, gets everyone in scope with something to follow up) — or only their own."""
    return may(user, Op.SEE_OTHERS_DAILY_CHECKS)


def scope_daily_check_agents(user, queryset: QuerySet) -> QuerySet:
    """The staff (a user queryset) whose daily-check lists `user` may see."""
    if is_system(user):
        return queryset
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
    return may(user, Op.VIEW_SLA_FIGURES)


def sla_figures_team_scope(user) -> frozenset[int] | None:
    """The teams whose timers `user` may count; None is the whole company. Only for
    users who pass `can_view_sla_figures`."""
    if is_system(user):
        return None
    return None if roles_of(user) & READ_ALL else team_ids_of(user)


def can_configure(user) -> bool:
    """SLA policy, the company calendar, authority ceilings, users and roles: admins."""
    return may(user, Op.CONFIGURE)


# Investigation and escalation (aftersales.mediation.investigation / .escalation).


def can_file_task_report(user, task: Task) -> bool:
    """A department files the report of its own task (QC its inspection, legal its
    opinion); admins may file any. The task's dispute must be in scope."""
    if not may(user, Op.FILE_TASK_REPORT, task.dispute):
        return False
    if is_system(user) or Role.ADMIN in roles_of(user):
        return True
    return task.department in {d.value for d in task_departments_of(user)}


def can_record_case_meeting(user, dispute: Dispute | None = None) -> bool:
    """The team lead convenes the case meeting on complex and major disputes."""
    return may(user, Op.RECORD_CASE_MEETING, dispute)


def can_determine_responsibility(user, dispute: Dispute | None = None) -> bool:
    """Handlers find responsibility and root causes; legal may, on the cases it reviews."""
    return may(user, Op.DETERMINE_RESPONSIBILITY, dispute)


def can_escalate(user, dispute: Dispute | None = None) -> bool:
    """Record a route outside the company; the first one moves the dispute to
    `escalated` through the lifecycle, so it is a handler's action."""
    return may(user, Op.ESCALATE, dispute)


def can_record_escalation_progress(user, dispute: Dispute | None = None) -> bool:
    """The outside body's acceptance and outcome: handlers and legal, who takes part in
    every escalated case."""
    return may(user, Op.RECORD_ESCALATION_PROGRESS, dispute)


def can_request_task(user, dispute: Dispute | None = None) -> bool:
    """Ask a department for a task on a dispute of any category (QC on a false-advertising
    case, legal on a late delivery): the handlers of the dispute, and admins."""
    return may(user, Op.REQUEST_TASK, dispute)


# Mediation proposals (aftersales.mediation.proposals): handlers draft, revise, send and
# withdraw them; approvals go by the authority rules (aftersales.mediation.authority),
# which this gate only opens to the roles that can ever approve.


def can_propose(user, dispute: Dispute | None = None) -> bool:
    return may(user, Op.PROPOSE, dispute)


def can_approve_proposals(user, dispute: Dispute | None = None) -> bool:
    """Team leads, supervisors and management within their ceilings; legal on proposals
    below the statutory minimum. Admins configure the ceilings but approve nothing."""
    return may(user, Op.APPROVE_PROPOSALS, dispute)


def can_view_proposals(user, dispute: Dispute | None = None) -> bool:
    """Anyone who may see the dispute and takes part in mediation: handlers, approvers."""
    return may(user, Op.VIEW_PROPOSALS, dispute)


def authority_roles(user) -> frozenset[Role]:
    """The roles whose amount ceilings (aftersales.mediation.authority) apply to `user`:
    none for the system and customers."""
    if is_system(user) or is_customer(user) or user is None:
        return frozenset()
    return roles_of(user)


# Orders (PUT/GET /api/v1/orders, aftersales.parties.orders): whoever takes disputes in
# records orders too — an agent on the phone is never blocked by a missing import; the
# readers of every dispute read orders as well.


def can_record_orders(user) -> bool:
    return may(user, Op.RECORD_ORDERS)


def can_view_orders(user) -> bool:
    return may(user, Op.VIEW_ORDERS)


# Case facts (aftersales.mediation.facts): who may record which finding the entitlements
# engine reads — `grants.FACT_RECORDERS`; admins may record every fact.


def _records_fact(user, name: str) -> bool:
    if is_system(user):
        return True
    roles = roles_of(user)
    return Role.ADMIN in roles or bool(roles & FACT_RECORDERS.get(name, frozenset()))


def can_record_fact(user, dispute: Dispute, name: str) -> bool:
    """May `user` record the fact `name` on `dispute` (in their scope)?"""
    return may(user, Op.RECORD_FACTS, dispute) and _records_fact(user, name)


def facts_refused(user, dispute: Dispute, names) -> list[str]:
    """Those of the facts `names` that `user` may not record on `dispute` (all of them
    when the dispute is out of scope); one scope query for the lot."""
    if not may(user, Op.RECORD_FACTS, dispute):
        return list(names)
    return [name for name in names if not _records_fact(user, name)]


def can_read_notification(user, notification) -> bool:
    """A notification is its recipient's alone."""
    return may(user, Op.READ_OWN_NOTIFICATIONS) and notification.recipient_id == user.pk


def can_record_contact(user, dispute: Dispute | None = None) -> bool:
    return may(user, Op.RECORD_CONTACT, dispute)


def can_add_note(user, dispute: Dispute | None = None) -> bool:
    return may(user, Op.ADD_NOTE, dispute)


def can_manage_api_tokens(user, owner=None) -> bool:
    """Make or revoke API tokens of `owner` (None: one's own): one's own with the role
    for it, anyone's as an admin."""
    if owner is not None and owner.pk != getattr(user, "pk", None):
        return may(user, Op.MANAGE_API_TOKENS)
    return may(user, Op.MANAGE_OWN_API_TOKENS) or may(user, Op.MANAGE_API_TOKENS)


def can_use_admin_site(user) -> bool:
    return may(user, Op.USE_ADMIN_SITE)
