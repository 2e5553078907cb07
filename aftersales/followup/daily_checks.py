"""The daily proactive checks (三主动, SPEC §8), read per agent — the dispute's assignee —
over their open disputes and the after-sale orders (售后单) carrying them out:

- parcels in transit with no tracking movement for N days (物流异常): the customer's
  return stuck on the way, or what we sent them,
- after-sale orders past their expected date (`expected_by`: the agreed deadline) and not
  finished (`late_executions`) — except what the two next lists name more precisely,
- refunds paid whose expected arrival (by channel) has passed and that nobody confirmed
  arrived (`unconfirmed_refunds`),
- exchanges whose replacement has not shipped: waiting to ship past their deadline, or N
  days after the return was received (`unshipped_exchanges`),
- 运费险 payouts the insurer owes and has not paid by their expected date
  (`missing_insurance_payouts`; closed disputes too: the insurer still owes the customer),
- commitments to the customer due today or already overdue and not kept,
- disputes no one has touched for a day: no timeline event in 24 hours other than the
  ones the system writes by itself (SLA warnings),
- messages to the customer that failed for good (消息发送失败: an invalid number, an
  undelivered text, retries used up) within FAILED_MESSAGE_DAYS: the customer was not
  told, someone has to reach them another way.

Eight set-based queries (the after-sale order lists are `daily_check_orders`')
whatever the number of agents or disputes; each filters on a partial index of the rows
still outstanding (see the models) and on the dispute's (assignee, is_open) index.
"Untouched" is a NOT EXISTS probe of the timeline's (dispute, at) index per open
assigned dispute, newest first, so no last-touched column has to be kept up to date by
every writer of events. Dates are Asia/Shanghai.
"""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event
from aftersales.mediation.models import Commitment
from aftersales.notifications.models import OutboundMessage
from aftersales.sla.timeline import SlaKind

from . import daily_check_orders as orders
from .daily_check_orders import (
    LateExecution,
    MissingInsurancePayout,
    StaleParcel,
    UnconfirmedRefund,
    UnshippedExchange,
    scoped,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UNTOUCHED_HOURS = 24
# Events the system writes on its own: they do not mean anyone looked at the dispute.
SYSTEM_EVENT_KINDS = (SlaKind.SLA_AT_RISK, SlaKind.SLA_BREACHED)
# Failed customer messages are listed this many days after their last attempt.
FAILED_MESSAGE_DAYS = 7


def parcel_stale_days() -> int:
    return int(getattr(settings, "DAILY_CHECK_PARCEL_STALE_DAYS", 3))


def exchange_ship_days() -> int:
    """Days an exchange may wait to ship after its return was received."""
    return int(getattr(settings, "DAILY_CHECK_EXCHANGE_SHIP_DAYS", 2))


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
class FailedMessage:
    number: str
    message: int
    subject: str
    channel: str
    channel_label: str
    failure_label: str
    failure_detail: str  # the provider's reason: "手机号码格式错误（isv.MOBILE_NUMBER_ILLEGAL）"
    attempted_at: dt.datetime | None


@dataclass(frozen=True)
class AgentCheck:
    username: str
    name: str
    stale_parcels: list[StaleParcel] = field(default_factory=list)
    late_executions: list[LateExecution] = field(default_factory=list)
    unconfirmed_refunds: list[UnconfirmedRefund] = field(default_factory=list)
    unshipped_exchanges: list[UnshippedExchange] = field(default_factory=list)
    missing_insurance_payouts: list[MissingInsurancePayout] = field(default_factory=list)
    due_commitments: list[DueCommitment] = field(default_factory=list)
    untouched_disputes: list[UntouchedDispute] = field(default_factory=list)
    failed_messages: list[FailedMessage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(getattr(self, name)) for name in LISTS)


# The lists of an agent's check, in the order they are read.
LISTS = (
    "stale_parcels",
    "late_executions",
    "unconfirmed_refunds",
    "unshipped_exchanges",
    "missing_insurance_payouts",
    "due_commitments",
    "untouched_disputes",
    "failed_messages",
)


@dataclass(frozen=True)
class CheckWindow:
    """The instants the lists are measured against."""

    now: dt.datetime
    stale_before: dt.datetime  # parcels whose last movement is older than this
    untouched_since: dt.datetime  # disputes with no event after this
    end_of_today: dt.datetime  # commitments due before this (Shanghai midnight)
    stale_days: int
    ship_waiting_since: dt.datetime  # exchanges waiting to ship since before this
    failed_since: dt.datetime  # customer messages whose last attempt failed after this


def check_window(now: dt.datetime, stale_days: int | None = None) -> CheckWindow:
    days = parcel_stale_days() if stale_days is None else stale_days
    tomorrow = now.astimezone(SHANGHAI).date() + dt.timedelta(days=1)
    return CheckWindow(
        now=now,
        stale_before=now - dt.timedelta(days=days),
        untouched_since=now - dt.timedelta(hours=UNTOUCHED_HOURS),
        end_of_today=dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=SHANGHAI),
        stale_days=days,
        ship_waiting_since=now - dt.timedelta(days=exchange_ship_days()),
        failed_since=now - dt.timedelta(days=FAILED_MESSAGE_DAYS),
    )


def _due_commitments(w: CheckWindow, agents) -> list[tuple[int, DueCommitment]]:
    rows = scoped(
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
        scoped(Dispute.objects.all(), "", agents)
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


def _failed_messages(w: CheckWindow, agents) -> list[tuple[int, FailedMessage]]:
    failed = OutboundMessage.State.FAILED
    rows = scoped(
        OutboundMessage.objects.filter(
            state=failed, retry_at__isnull=True, attempted_at__gt=w.failed_since
        ),
        "dispute",
        agents,
    ).order_by("attempted_at", "id")
    channels = dict(OutboundMessage.Channel.choices)
    failures = dict(OutboundMessage.Failure.choices)
    return [
        (
            r["dispute__assignee_id"],
            FailedMessage(
                number=r["dispute__number"],
                message=r["id"],
                subject=r["subject"],
                channel=r["channel"],
                channel_label=str(channels.get(r["channel"], r["channel"])),
                failure_label=str(failures.get(r["failure"], "")),
                failure_detail=r["failure_detail"],
                attempted_at=r["attempted_at"],
            ),
        )
        for r in rows.values(
            "dispute__assignee_id",
            "dispute__number",
            "id",
            "subject",
            "channel",
            "failure",
            "failure_detail",
            "attempted_at",
        )
    ]


def daily_checks(
    *,
    now: dt.datetime | None = None,
    agents: QuerySet | None = None,
    stale_days: int | None = None,
    include_empty: bool = False,
) -> list[AgentCheck]:
    """The lists per agent (`LISTS`), agents by username. `agents` (a user queryset) limits
    whose lists are read — the caller's permission scope; agents with nothing to follow
    up are left out unless `include_empty` (then every user of `agents` is listed)."""
    w = check_window(now or timezone.now(), stale_days)
    found: dict[int, dict[str, list]] = {}
    for name, rows in (
        ("stale_parcels", orders.stale_parcels(w, agents)),
        ("late_executions", orders.late_executions(w, agents)),
        ("unconfirmed_refunds", orders.unconfirmed_refunds(w, agents)),
        ("unshipped_exchanges", orders.unshipped_exchanges(w, agents)),
        ("missing_insurance_payouts", orders.missing_insurance(w, agents)),
        ("due_commitments", _due_commitments(w, agents)),
        ("untouched_disputes", _untouched(w, agents)),
        ("failed_messages", _failed_messages(w, agents)),
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
