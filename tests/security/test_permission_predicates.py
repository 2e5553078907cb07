"""Issue 11 item 16: the permissions module answers with the dispute and the action it is
asked about, refuses a missing actor, and lets the named system actor through."""

import inspect

import pytest

from aftersales.disputes import permissions
from aftersales.disputes.grants import ACTION_GRANTS, GRANTS, Op, granted, roles_granted
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.models import Task
from aftersales.parties.actors import (
    SYSTEM,
    CustomerActor,
    customer_actor,
    is_system,
    label_of,
    user_of,
)
from aftersales.parties.models import Team
from aftersales.parties.roles import TASK_DEPARTMENT_OF_ROLE, Role
from tests.factories import TeamFactory, make_dispute, make_staff

# Every predicate taking (user) or (user, dispute): asked of None, all refuse; asked of
# the system actor, all allow.
SIMPLE_PREDICATES = [
    (name, fn)
    for name, fn in inspect.getmembers(permissions, inspect.isfunction)
    if name.startswith("can_")
    and fn.__module__ == permissions.__name__
    and name not in {"can_be_assigned", "can_read_notification"}
]


def arguments(predicate, dispute) -> list:
    """What a predicate is asked about besides the actor: the dispute, an action, a fact,
    a task — its required parameters, filled in."""
    values = {
        "dispute": dispute,
        "action": Action.TRIAGE,
        "name": "defect",
        "task": dispute.tasks.order_by("id").first(),
    }
    parameters = list(inspect.signature(predicate).parameters.values())[1:]
    return [values[p.name] for p in parameters if p.default is inspect.Parameter.empty]


@pytest.fixture
def team(db):
    return Team.objects.get(is_default=True)


@pytest.fixture
def ours(team):
    """Taken in by an agent of the default team, who keeps it; a task for every
    department, so each department's staff see it."""
    dispute = make_dispute(channel="phone", actor=make_staff(Role.AGENT, team=team))
    for department in TASK_DEPARTMENT_OF_ROLE.values():
        Task.objects.get_or_create(
            dispute=dispute, department=department, defaults={"kind": "check", "title": "协查"}
        )
    return dispute


@pytest.fixture
def theirs(db):
    """Another team's dispute, no department's task on it."""
    other = TeamFactory(code="team-x", name="调解外组")
    dispute = make_dispute(
        channel="phone",
        actor=make_staff(Role.AGENT, team=other),
        customer={"name": "李四", "phone": "13900001111"},
        description="客服态度很差，问了三次都没人回复",
    )
    assert not dispute.tasks.exists()
    return dispute


def persona(role: Role, team: Team):
    return make_staff(role, team=team if role in (Role.AGENT, Role.TEAM_LEAD) else None)


@pytest.mark.django_db
def test_can_act_answers_per_action_as_the_table_says(team, ours):
    for role in Role:
        user = persona(role, team)
        answers = {action: permissions.can_act(user, ours, action) for action in Action}
        assert answers == {action: role in ACTION_GRANTS[action] for action in Action}, role


@pytest.mark.django_db
def test_nobody_on_the_staff_settles_a_dispute_the_customer_did_not_accept(team, ours):
    # Before: every case handler and admin could apply any action, settle included.
    for role in Role:
        assert not permissions.can_act(persona(role, team), ours, Action.SETTLE), role


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT, Role.TEAM_LEAD])
def test_can_act_refuses_a_dispute_outside_the_handlers_scope(role, team, theirs):
    # Before: `can_act` never looked at the dispute: an agent could act on any.
    user = persona(role, team)
    assert not permissions.can_view(user, theirs)
    assert [a for a in Action if permissions.can_act(user, theirs, a)] == []


@pytest.mark.django_db
def test_predicates_given_a_dispute_refuse_one_out_of_scope(team, ours, theirs):
    agent = persona(Role.AGENT, team)
    for name in ("can_reveal_contact", "can_add_evidence", "can_reclassify", "can_propose"):
        predicate = getattr(permissions, name)
        assert predicate(agent, ours) is True, name
        assert predicate(agent, theirs) is False, name
        assert predicate(agent) is True, name  # the old one-argument form still answers


@pytest.mark.django_db
def test_a_missing_actor_is_refused_everywhere(ours):
    for name, predicate in SIMPLE_PREDICATES:
        assert predicate(None, *arguments(predicate, ours)) is False, name
    assert permissions.scope_disputes(None, ours.__class__.objects.all()).count() == 0


@pytest.mark.django_db
def test_the_system_actor_is_let_through_everywhere(ours, theirs):
    for name, predicate in SIMPLE_PREDICATES:
        assert predicate(SYSTEM, *arguments(predicate, ours)) is True, name
    visible = permissions.scope_disputes(SYSTEM, ours.__class__.objects.all())
    assert {ours, theirs} <= set(visible)


@pytest.mark.django_db
def test_a_customer_acts_only_on_their_own_dispute_and_only_as_a_customer(ours, theirs):
    customer = customer_actor(ours.customer)
    assert [a for a in Action if permissions.can_act(customer, ours, a)] == [
        Action.SETTLE,
        Action.WITHDRAW,
    ]
    assert [a for a in Action if permissions.can_act(customer, theirs, a)] == []
    assert permissions.can_view(customer, ours) and not permissions.can_view(customer, theirs)
    assert not permissions.can_reveal_contact(customer, ours)
    assert not permissions.may(customer, Op.VIEW_DISPUTE, ours)


@pytest.mark.django_db
def test_every_operation_is_granted_as_the_table_says(team, ours):
    for role in Role:
        user = persona(role, team)
        answers = {op: permissions.may(user, op, ours) for op in Op}
        assert answers == {op: role in GRANTS[op] for op in Op}, role


@pytest.mark.django_db
def test_a_department_files_only_its_own_tasks_report(team, ours):
    qc = persona(Role.QUALITY_CONTROL, team)
    qc_task = ours.tasks.get(department="quality_control")
    legal_task = ours.tasks.get(department="legal")
    assert permissions.can_file_task_report(qc, qc_task)
    assert not permissions.can_file_task_report(qc, legal_task)
    assert permissions.can_file_task_report(persona(Role.ADMIN, team), legal_task)


@pytest.mark.django_db
def test_facts_refused_names_the_facts_a_role_may_not_record(team, ours, theirs):
    qc = persona(Role.QUALITY_CONTROL, team)
    assert permissions.facts_refused(qc, ours, ["defect", "fraud"]) == ["fraud"]
    assert permissions.facts_refused(qc, theirs, ["defect"]) == ["defect"]


def test_the_system_actor_is_named_and_records_no_user():
    assert is_system(SYSTEM) and str(SYSTEM) == "系统"
    assert (user_of(SYSTEM), label_of(SYSTEM)) == (None, "system")
    with pytest.raises(TypeError):
        user_of(None)
    with pytest.raises(TypeError):
        label_of(None)
    customer = CustomerActor(customer_id=7, name="张三")
    assert (user_of(customer), label_of(customer)) == (None, "顾客 张三")


def test_the_grants_cover_every_operation_and_action():
    assert set(GRANTS) == set(Op)
    assert set(ACTION_GRANTS) == set(Action)
    assert granted({Role.AGENT}, Action.TRIAGE) and not granted({Role.FINANCE}, Action.TRIAGE)
    assert roles_granted(Op.USE_ADMIN_SITE) == {Role.ADMIN}
