"""Reads for triage: the routing table, the least-loaded agent, group candidates.
Intake's reads are single raw statements: they run on every API intake."""

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet

from aftersales.common.fastinsert import from_row
from aftersales.disputes.models import Dispute
from aftersales.disputes.selectors import disputes_visible_to
from aftersales.parties.models import Customer, Team
from aftersales.parties.roles import Role

from .grouping import GROUP_WINDOW_DAYS
from .models import GroupComplaint, RoutingRule
from .routing import Rule

# Open disputes weigh by severity when agents' loads are compared (severity_rank 1–3).
GROUP_CANDIDATES_MAX = 300


RULES_TTL_SECONDS = 30
_rules_cache: tuple[float, list[Rule]] | None = None


def routing_rules() -> list[Rule]:
    """The active rules in priority order. Kept per process for RULES_TTL_SECONDS: an
    admin's edit clears this process's copy at once (signal) and reaches the other
    workers within that time."""
    global _rules_cache
    now = time.monotonic()
    if _rules_cache is None or now - _rules_cache[0] > RULES_TTL_SECONDS:
        _rules_cache = (now, _load_rules())
    return _rules_cache[1]


def forget_routing_rules(**_kwargs) -> None:
    global _rules_cache
    _rules_cache = None


def _load_rules() -> list[Rule]:
    return [
        Rule(
            code=r.code,
            name=r.name,
            categories=frozenset(r.categories or ()),
            min_severity=r.min_severity,
            escalation_risk=r.escalation_risk,
            channels=frozenset(r.channels or ()),
            task_department=r.task_department,
            task_kind=r.task_kind,
            task_title=r.task_title,
            team_id=r.team_id,
            notify_team_lead=r.notify_team_lead,
            notify_management=r.notify_management,
        )
        for r in RoutingRule.objects.filter(is_active=True).order_by("priority", "id")
    ]


def least_loaded_agent(team_id: int | None):
    """The available agent of the team with the least open work, open disputes weighted
    by severity (general 1, complex 2, major 3); absent agents are skipped. Ties go to
    the agent who joined first."""
    if team_id is None:
        return None
    return team_and_agent(team_id)[1]


_team_agent_sql: str | None = None


def _team_and_agent_sql() -> str:
    """The team's row with its least-loaded available agent (as `least_loaded_agent`
    ranks them) beside it: one statement, the load an indexed sum per agent."""
    global _team_agent_sql
    if _team_agent_sql is None:
        q = connection.ops.quote_name
        user = get_user_model()
        groups = user._meta.get_field("groups")
        through = q(groups.remote_field.through._meta.db_table)
        group_table = q(groups.related_model._meta.db_table)
        profile = q(user._meta.get_field("staff_profile").related_model._meta.db_table)
        team, dispute = q(Team._meta.db_table), q(Dispute._meta.db_table)
        team_id = f"COALESCE(%s, (SELECT id FROM {team} WHERE is_default ORDER BY id LIMIT 1))"
        _team_agent_sql = (
            "SELECT t.id, t.code, t.name, t.lead_id, t.is_default, a.id, a.username "
            f"FROM {team} t LEFT JOIN (SELECT u.id, u.username FROM {q(user._meta.db_table)} u "
            f"JOIN {profile} p ON p.user_id = u.id "
            f"WHERE u.is_active AND p.is_available AND p.team_id = {team_id} "
            f"AND EXISTS (SELECT 1 FROM {through} ug JOIN {group_table} g "
            f"ON g.id = ug.{q(groups.m2m_reverse_name())} "
            f"WHERE ug.{q(groups.m2m_column_name())} = u.id AND g.name = %s) "
            f"ORDER BY COALESCE((SELECT SUM(d.severity_rank) FROM {dispute} d "
            "WHERE d.assignee_id = u.id AND d.is_open), 0), u.id LIMIT 1) a ON 1 = 1 "
            f"WHERE t.id = {team_id}"
        )
    return _team_agent_sql


def team_and_agent(team_id: int | None) -> tuple[Team | None, object | None]:
    """The team (None: the default team) and its least-loaded available agent."""
    with connection.cursor() as cursor:
        cursor.execute(_team_and_agent_sql(), [team_id, Role.AGENT.value, team_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    team = from_row(
        Team, id=row[0], code=row[1], name=row[2], lead_id=row[3], is_default=bool(row[4])
    )
    agent = None
    if row[5] is not None:
        agent = from_row(get_user_model(), id=row[5], username=row[6])
    return team, agent


def recent_same_product(
    *, product_id: int | None, product_name: str, customer_phone: str, since: dt.datetime
) -> list[tuple[int, str, str]]:
    """(id, number, search_text) of the last week's disputes about the same product from
    other customers, newest first."""
    if product_id:
        column, value = "product_id", product_id
    elif product_name:
        column, value = "product_name", product_name
    else:
        return []
    # The complainant's own disputes are left out by customer id (phones are unique per
    # customer), not by joining every candidate's customer: the newest rows of the
    # (product, received_at) index are read until there are enough.
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, d.number, d.search_text FROM {q(Dispute._meta.db_table)} d "
            f"WHERE d.{column} = %s AND d.received_at >= %s AND d.customer_id <> COALESCE("
            f"(SELECT c.id FROM {q(Customer._meta.db_table)} c WHERE c.phone = %s), 0) "
            f"ORDER BY d.received_at DESC LIMIT {GROUP_CANDIDATES_MAX}",
            [value, connection.ops.adapt_datetimefield_value(since), customer_phone],
        )
        return cursor.fetchall()


def group_window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=GROUP_WINDOW_DAYS)


_open_group_sql: str | None = None
_OPEN_GROUP_STATES = (GroupComplaint.State.CANDIDATE.value, GroupComplaint.State.CONFIRMED.value)


def open_group_of(dispute_id: int) -> GroupComplaint | None:
    """The newest candidate or confirmed group the dispute belongs to: one indexed raw
    read (it runs on every intake that nearly repeats a recent complaint)."""
    global _open_group_sql
    if _open_group_sql is None:
        q = connection.ops.quote_name
        members = GroupComplaint._meta.get_field("disputes")
        through = q(members.remote_field.through._meta.db_table)
        _open_group_sql = (
            "SELECT g.id, g.product_id, g.product_name, g.state, g.created_at, g.decided_at, "
            f"g.decided_by_id, g.reason FROM {q(GroupComplaint._meta.db_table)} g "
            f"JOIN {through} m ON m.{q(members.m2m_column_name())} = g.id "
            f"WHERE m.{q(members.m2m_reverse_name())} = %s AND g.state IN (%s, %s) "
            "ORDER BY g.id DESC LIMIT 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            _open_group_sql,
            [dispute_id, *_OPEN_GROUP_STATES],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    names = ("id", "product_id", "product_name", "state", "created_at", "decided_at")
    values = dict(zip(names, row, strict=False))
    values.update(decided_by_id=row[6], reason=row[7])
    for name in ("created_at", "decided_at"):
        values[name] = _aware(values[name])
    return from_row(GroupComplaint, **values)


def _aware(value):
    """SQLite answers datetimes as naive UTC text through a raw cursor."""
    if value is None or (isinstance(value, dt.datetime) and value.tzinfo is not None):
        return value
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def group_complaints_visible_to(user) -> QuerySet[GroupComplaint]:
    return (
        GroupComplaint.objects.filter(disputes__in=disputes_visible_to(user))
        .distinct()
        .order_by("-created_at", "-id")
    )
