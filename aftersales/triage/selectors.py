"""Reads for triage: the routing table, the least-loaded agent, group candidates."""

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from aftersales.disputes.models import Dispute
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
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=Role.AGENT.value,
            staff_profile__team_id=team_id,
            staff_profile__is_available=True,
        )
        .annotate(
            load=Coalesce(
                Sum(
                    "assigned_disputes__severity_rank",
                    filter=Q(assigned_disputes__is_open=True),
                ),
                0,
            )
        )
        .order_by("load", "id")
        .first()
    )


def recent_same_product(
    *, product_id: int | None, product_name: str, customer_phone: str, since: dt.datetime
) -> list[tuple[int, str, str]]:
    """(id, number, search_text) of the last week's disputes about the same product from
    other customers, newest first."""
    if product_id:
        same = Q(product_id=product_id)
    elif product_name:
        same = Q(product_name=product_name)
    else:
        return []
    return list(
        Dispute.objects.filter(same, received_at__gte=since)
        .exclude(customer__phone=customer_phone)
        .order_by("-received_at")
        .values_list("id", "number", "search_text")[:GROUP_CANDIDATES_MAX]
    )


def group_window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=GROUP_WINDOW_DAYS)


def open_group_of(dispute_id: int) -> GroupComplaint | None:
    return (
        GroupComplaint.objects.filter(
            disputes=dispute_id,
            state__in=[GroupComplaint.State.CANDIDATE, GroupComplaint.State.CONFIRMED],
        )
        .order_by("-id")
        .first()
    )


def group_complaints_visible_to(user) -> QuerySet[GroupComplaint]:
    from aftersales.disputes.selectors import disputes_visible_to

    return (
        GroupComplaint.objects.filter(disputes__in=disputes_visible_to(user))
        .distinct()
        .order_by("-created_at", "-id")
    )
