"""SLA compliance figures (SPEC §4, §8): per timer kind, team or agent, for any period.
One set-based aggregate query per grouping; the API, the CLI and reports all call
`compliance()`.

Which timers count: those whose `due_at` falls in the period — from 00:00 of `start` up
to (not including) 00:00 of the day after `end`, Asia/Shanghai; both dates inclusive.
A timer cancelled before its due time (the dispute ended without the step, in time)
counts nowhere; one already overdue when cancelled stays missed: a deadline missed is
missed whatever happens to the dispute afterwards (withdrawn, rejected, closed).

- **met**: stopped at or before its due time, never breached;
- **missed**: breached (the scan found it overdue, stopped or cancelled since or not),
  stopped or cancelled after its due time, or still running past its due time; paused
  when already past due;
- **pending**: running and not yet due, or paused with time left (a paused clock waits on
  the customer and its due time moves back when it resumes).

The rate is met / (met + missed), rounded half up to 4 places; None when nothing in the
group is decided yet.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Forbidden, ValidationFailed
from aftersales.disputes.permissions import can_view_sla_figures, sla_figures_team_scope
from aftersales.parties.models import Team

from .calendar import SHANGHAI
from .models import Timer, TimerKind

RATE_PLACES = Decimal("0.0001")
# Everything but cancelled, spelled out so the (state, due_at) index serves the range.
COUNTED = (Timer.State.RUNNING, Timer.State.PAUSED, Timer.State.BREACHED, Timer.State.STOPPED)
# A cancelled timer that was already overdue: breached before, or cancelled after its due
# time (the scan had not come by yet). It stays missed.
CANCELLED_LATE = Q(state=Timer.State.CANCELLED) & (
    Q(breached_at__isnull=False) | Q(stopped_at__gt=F("due_at"))
)


class By(enum.StrEnum):
    KIND = "kind"
    TEAM = "team"
    AGENT = "agent"

    @property
    def label(self) -> str:
        return {By.KIND: "计时类型", By.TEAM: "小组", By.AGENT: "处理人"}[self]


@dataclass(frozen=True)
class ComplianceRow:
    key: str  # kind code, team code or username; "" for no team / nobody assigned
    name: str  # kind's Chinese name, team name, agent's display name
    total: int
    met: int
    missed: int
    pending: int
    rate: Decimal | None  # met / (met + missed), 4 places; None when nothing is decided


@dataclass(frozen=True)
class Compliance:
    start: dt.date
    end: dt.date  # inclusive
    by: str
    rows: list[ComplianceRow]
    overall: ComplianceRow


# -- who may see them ------------------------------------------------------------------


def team_scope(user) -> frozenset[int] | None:
    """The teams whose timers `user` may count; None means the whole company. Refuses
    those who may not see figures at all (403)."""
    if not can_view_sla_figures(user):
        raise Forbidden(_("只有组长、监督岗、管理层和管理员可以查看时限达标统计"))
    return sla_figures_team_scope(user)


# -- input -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[00:00 of start, 00:00 of the day after end), Asia/Shanghai."""
        first = dt.datetime.combine(self.start, dt.time(), SHANGHAI)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), SHANGHAI)
        return first, after


def parse_request(start: str, end: str, by: str) -> tuple[Period, By]:
    """The API's and the CLI's text arguments, checked; a Chinese message per field."""
    fields: dict[str, str] = {}
    days: dict[str, dt.date] = {}
    for name, text in (("start", start), ("end", end)):
        try:
            days[name] = dt.date.fromisoformat((text or "").strip())
        except ValueError:
            fields[name] = _("日期格式应为 YYYY-MM-DD，例如 2026-03-01")
    if len(days) == 2 and days["start"] > days["end"]:
        fields["end"] = _("结束日期不能早于开始日期")
    try:
        grouping = By((by or "").strip())
    except ValueError:
        fields["by"] = _("可选：kind（计时类型）、team（小组）、agent（处理人）")
    if fields:
        raise ValidationFailed(_("统计条件有误，请按提示修改"), fields=fields)
    return Period(days["start"], days["end"]), grouping


# -- the figures -----------------------------------------------------------------------


def _conditions(now: dt.datetime) -> tuple[Q, Q, Q]:
    S = Timer.State
    met = Q(state=S.STOPPED, stopped_at__lte=F("due_at"), breached_at__isnull=True)
    missed = (
        Q(state=S.BREACHED)
        | Q(state=S.STOPPED, stopped_at__gt=F("due_at"))
        | Q(state=S.STOPPED, breached_at__isnull=False)
        | Q(state=S.RUNNING, due_at__lt=now)
        | Q(state=S.PAUSED, paused_at__gt=F("due_at"))
        | CANCELLED_LATE
    )
    pending = Q(state=S.RUNNING, due_at__gte=now) | Q(state=S.PAUSED, paused_at__lte=F("due_at"))
    return met, missed, pending


# The column each grouping counts by. Names are read afterwards for the few groups:
# grouping by the id alone keeps joins to kinds, teams and users out of the big
# aggregate (a month of 3,000,000 timers by kind: 0.54 s instead of 0.91 s).
_GROUP_COLUMN = {By.KIND: "kind_id", By.TEAM: "dispute__team_id", By.AGENT: "dispute__assignee_id"}


def timers_due_in(period: Period, teams: frozenset[int] | None = None) -> QuerySet[Timer]:
    first, after = period.bounds
    timers = Timer.objects.filter(
        Q(state__in=COUNTED) | CANCELLED_LATE, due_at__gte=first, due_at__lt=after
    )
    if teams is not None:
        timers = timers.filter(dispute__team_id__in=sorted(teams))
    return timers


def compliance(
    *,
    period: Period,
    by: By | str = By.KIND,
    user=None,
    now: dt.datetime | None = None,
) -> Compliance:
    """Compliance for the timers due in `period`, one row per group: kinds in the
    policy's order, teams and agents by name (none last). `user` limits the figures to
    what they may see (team leads: their teams; agents: refused); None is the whole
    company (CLI, reports). Two queries: the aggregate, then the groups' names."""
    by = By(by)
    teams = team_scope(user) if user is not None else None
    met, missed, pending = _conditions(now or timezone.now())
    aggregates = list(
        timers_due_in(period, teams)
        .values(group=F(_GROUP_COLUMN[by]))
        .annotate(
            total=Count("id"),
            met=Count("id", filter=met),
            missed=Count("id", filter=missed),
            pending=Count("id", filter=pending),
        )
        .order_by()
    )
    labels = _labels(by, [a["group"] for a in aggregates if a["group"] is not None])
    rows = []
    for values in aggregates:
        key, name, _order = labels.get(values["group"], ("", _none_label(by), ()))
        rows.append(
            ComplianceRow(
                key=key,
                name=name,
                total=values["total"],
                met=values["met"],
                missed=values["missed"],
                pending=values["pending"],
                rate=rate(values["met"], values["missed"]),
            )
        )
    order = {labels[g][0]: labels[g][2] for g in labels}
    # Nobody / no team last; kinds in the policy's order, others by name.
    rows.sort(key=lambda r: (r.key == "", order.get(r.key, ()), r.key))
    return Compliance(
        start=period.start,
        end=period.end,
        by=by.value,
        rows=rows,
        overall=_total(rows),
    )


def _labels(by: By, ids: list[int]) -> dict[int, tuple[str, str, tuple]]:
    """id → (key, name, sort order) for the groups found."""
    if not ids:
        return {}
    if by is By.KIND:
        kinds = TimerKind.objects.filter(pk__in=ids).values_list("pk", "code", "name", "position")
        return {pk: (code, name, (position, code)) for pk, code, name, position in kinds}
    if by is By.TEAM:
        teams = Team.objects.filter(pk__in=ids).values_list("pk", "code", "name")
        return {pk: (code, name, (name, code)) for pk, code, name in teams}
    users = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .values_list("pk", "username", "staff_profile__display_name")
    )
    return {pk: (u, shown or u, (shown or u, u)) for pk, u, shown in users}


def _none_label(by: By) -> str:
    return _("未分组") if by is By.TEAM else _("未分派")


def _total(rows: list[ComplianceRow]) -> ComplianceRow:
    met, missed = sum(r.met for r in rows), sum(r.missed for r in rows)
    return ComplianceRow(
        key="",
        name=_("合计"),
        total=sum(r.total for r in rows),
        met=met,
        missed=missed,
        pending=sum(r.pending for r in rows),
        rate=rate(met, missed),
    )


def rate(met: int, missed: int) -> Decimal | None:
    decided = met + missed
    if not decided:
        return None
    return (Decimal(met) / Decimal(decided)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
