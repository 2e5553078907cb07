"""The daily proactive checks (三主动, SPEC §8), read per agent — the dispute's assignee —
over their open disputes:

- parcels in transit with no tracking movement for N days (物流异常),
- executions (refunds, returns, exchanges, …) past their expected date and not done,
- commitments to the customer due today or already overdue and not kept,
- disputes no one has touched for a day: no timeline event in 24 hours other than the
  ones the system writes by itself (SLA warnings).

Four set-based queries whatever the number of agents or disputes; each filters on a
partial index of the rows still outstanding (see the models) and on the dispute's
(assignee, is_open) index. "Untouched" is a NOT EXISTS probe of the timeline's
(dispute, at) index per open assigned dispute, newest first, so no last-touched column
has to be kept up to date by every writer of events. Dates are Asia/Shanghai.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event
from aftersales.fulfilment.models import Execution, Parcel
from aftersales.mediation.models import Commitment
from aftersales.sla.timeline import SlaKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNTOUCHED_HOURS = 24
# Events the system writes on its own: they do not mean anyone looked at the dispute.
SYSTEM_EVENT_KINDS = (SlaKind.SLA_AT_RISK, SlaKind.SLA_BREACHED)
UNFINISHED = (Execution.State.PENDING, Execution.State.IN_PROGRESS)


def parcel_stale_days() -> int:
    return int(getattr(settings, "DAILY_CHECK_PARCEL_STALE_DAYS", 3))


@dataclass(frozen=True)
class StaleParcel:
    number: str
    carrier: str
    tracking_no: str
    direction: str
    direction_label: str
    shipped_at: dt.datetime
    last_movement_at: dt.datetime
    quiet_days: int


@dataclass(frozen=True)
class LateExecution:
    number: str
    execution: int
    kind: str
    kind_label: str
    state: str
    amount: Decimal | None
    expected_by: dt.datetime
    late_hours: int


@dataclass(frozen=True)
class DueCommitment:
    number: str
    commitment: int
    text: str
    due_at: dt.datetime
    overdue: bool


@dataclass(frozen=True)
class UntouchedDispute:
    number: str
    status: str
    status_label: str
    last_touched_at: dt.datetime | None


@dataclass(frozen=True)
class AgentCheck:
    username: str
    name: str
    stale_parcels: list[StaleParcel] = field(default_factory=list)
    late_executions: list[LateExecution] = field(default_factory=list)
    due_commitments: list[DueCommitment] = field(default_factory=list)
    untouched_disputes: list[UntouchedDispute] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            len(self.stale_parcels)
            + len(self.late_executions)
            + len(self.due_commitments)
            + len(self.untouched_disputes)
        )


@dataclass(frozen=True)
class CheckWindow:
    """The instants the four lists are measured against."""

    now: dt.datetime
    stale_before: dt.datetime  # parcels whose last movement is older than this
    untouched_since: dt.datetime  # disputes with no event after this
    end_of_today: dt.datetime  # commitments due before this (Shanghai midnight)
    stale_days: int


def check_window(now: dt.datetime, stale_days: int | None = None) -> CheckWindow:
    days = parcel_stale_days() if stale_days is None else stale_days
    tomorrow = now.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    return CheckWindow(
        now=now,
        stale_before=now - dt.timedelta(days=days),
        untouched_since=now - dt.timedelta(hours=UNTOUCHED_HOURS),
        end_of_today=dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=SHANGHAI),
        stale_days=days,
    )


def _scoped(qs: QuerySet, path: str, agents: QuerySet | None) -> QuerySet:
    """Only open disputes with an assignee (among `agents`, when given)."""
    prefix = f"{path}__" if path else ""
    qs = qs.filter(**{f"{prefix}is_open": True, f"{prefix}assignee__isnull": False})
    if agents is not None:
        qs = qs.filter(**{f"{prefix}assignee__in": agents.values("pk")})
    return qs


def _stale_parcels(w: CheckWindow, agents) -> list[tuple[int, StaleParcel]]:
    labels = dict(Parcel.Direction.choices)
    rows = _scoped(
        Parcel.objects.filter(
            delivered_at__isnull=True,
            last_movement_at__lte=w.stale_before,
            execution__state__in=UNFINISHED,
        ),
        "execution__dispute",
        agents,
    ).order_by("last_movement_at", "id")
    return [
        (
            r["execution__dispute__assignee_id"],
            StaleParcel(
                number=r["execution__dispute__number"],
                carrier=r["carrier"],
                tracking_no=r["tracking_no"],
                direction=r["direction"],
                direction_label=str(labels.get(r["direction"], r["direction"])),
                shipped_at=r["shipped_at"],
                last_movement_at=r["last_movement_at"],
                quiet_days=(w.now - r["last_movement_at"]).days,
            ),
        )
        for r in rows.values(
            "execution__dispute__assignee_id",
            "execution__dispute__number",
            "carrier",
            "tracking_no",
            "direction",
            "shipped_at",
            "last_movement_at",
        )
    ]


def _late_executions(w: CheckWindow, agents) -> list[tuple[int, LateExecution]]:
    labels = dict(Execution.Kind.choices)
    rows = _scoped(
        Execution.objects.filter(state__in=UNFINISHED, expected_by__lt=w.now), "dispute", agents
    ).order_by("expected_by", "id")
    return [
        (
            r["dispute__assignee_id"],
            LateExecution(
                number=r["dispute__number"],
                execution=r["id"],
                kind=r["kind"],
                kind_label=str(labels.get(r["kind"], r["kind"])),
                state=r["state"],
                amount=r["amount"],
                expected_by=r["expected_by"],
                late_hours=int((w.now - r["expected_by"]).total_seconds() // 3600),
            ),
        )
        for r in rows.values(
            "dispute__assignee_id",
            "dispute__number",
            "id",
            "kind",
            "state",
            "amount",
            "expected_by",
        )
    ]


def _due_commitments(w: CheckWindow, agents) -> list[tuple[int, DueCommitment]]:
    rows = _scoped(
        Commitment.objects.filter(state=Commitment.State.OPEN, due_at__lt=w.end_of_today),
        "dispute",
        agents,
    ).order_by("due_at", "id")
    return [
        (
            r["dispute__assignee_id"],
            DueCommitment(
                number=r["dispute__number"],
                commitment=r["id"],
                text=r["text"],
                due_at=r["due_at"],
                overdue=r["due_at"] <= w.now,
            ),
        )
        for r in rows.values("dispute__assignee_id", "dispute__number", "id", "text", "due_at")
    ]


def _untouched_queryset(w: CheckWindow, agents) -> QuerySet:
    touches = Event.objects.filter(dispute=OuterRef("pk")).exclude(kind__in=SYSTEM_EVENT_KINDS)
    return (
        _scoped(Dispute.objects.all(), "", agents)
        .filter(received_at__lte=w.untouched_since)
        .filter(~Exists(touches.filter(at__gt=w.untouched_since)))
        .annotate(last_touched_at=Subquery(touches.order_by("-at").values("at")[:1]))
        .order_by("last_touched_at", "id")
    )


def _untouched(w: CheckWindow, agents) -> list[tuple[int, UntouchedDispute]]:
    rows = _untouched_queryset(w, agents)
    return [
        (
            r["assignee_id"],
            UntouchedDispute(
                number=r["number"],
                status=r["status"],
                status_label=str(Status(r["status"]).label),
                last_touched_at=r["last_touched_at"],
            ),
        )
        for r in rows.values("assignee_id", "number", "status", "last_touched_at")
    ]


def daily_checks(
    *,
    now: dt.datetime | None = None,
    agents: QuerySet | None = None,
    stale_days: int | None = None,
    include_empty: bool = False,
) -> list[AgentCheck]:
    """The four lists per agent, agents by username. `agents` (a user queryset) limits
    whose lists are read — the caller's permission scope; agents with nothing to follow
    up are left out unless `include_empty` (then every user of `agents` is listed)."""
    w = check_window(now or timezone.now(), stale_days)
    found: dict[int, dict[str, list]] = {}
    for name, rows in (
        ("stale_parcels", _stale_parcels(w, agents)),
        ("late_executions", _late_executions(w, agents)),
        ("due_commitments", _due_commitments(w, agents)),
        ("untouched_disputes", _untouched(w, agents)),
    ):
        for agent_id, item in rows:
            found.setdefault(agent_id, {}).setdefault(name, []).append(item)
    users = get_user_model().objects.select_related("staff_profile")
    if include_empty and agents is not None:
        users = users.filter(pk__in=agents.values("pk"))
    else:
        users = users.filter(pk__in=list(found))
    checks = []
    for user in users.order_by("username"):
        profile = getattr(user, "staff_profile", None)
        checks.append(
            AgentCheck(
                username=user.get_username(),
                name=(profile.display_name if profile else "") or user.get_username(),
                **found.get(user.pk, {}),
            )
        )
    return checks
