"""The SLA policy as data: timer kinds (what starts and stops each clock, its default
limit) and limit overrides per category, severity and channel. Pure: no ORM.

A policy version's snapshot (`Policy.to_snapshot`) is what a running timer keeps; the
models in `models.py` are the admin-edited tables it is taken from.

Signals are the words timers listen for, derived from timeline events and tasks:
    event:<event kind>            e.g. event:intake, event:classified
    event:<event kind>:<route>    e.g. event:escalation_filed:regulator (12315)
    action:<lifecycle action>     e.g. action:investigate
    action:escalate:<route>       e.g. action:escalate:platform (平台介入)
    task:<task kind>:created      e.g. task:qc_inspection:created
    task:<task kind>:done         e.g. task:qc_inspection:done (the department's report)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .calendar import InvalidLimit, Unit, parse_limit

# Pausing is itself a timeline event, so the pause is shown on the timeline.
PAUSE_SIGNAL = "event:sla_paused"
RESUME_SIGNAL = "event:sla_resumed"

_SIGNAL = re.compile(
    r"^(event:[a-z_]+(:[a-z_]+)?|action:[a-z_]+(:[a-z_]+)?|task:[a-z0-9_]+:(created|done))$"
)


class PolicyError(ValueError):
    """A policy an admin may not save; `fields` maps field names to Chinese messages."""

    def __init__(self, fields: Mapping[str, str]):
        self.fields = dict(fields)
        super().__init__("；".join(f"{k}：{v}" for k, v in self.fields.items()))


def clock_of(unit: Unit | str) -> str:
    """wall, working_days or business_hours: how a unit's time passes."""
    unit = Unit(unit)
    if unit in (Unit.MINUTES, Unit.HOURS):
        return "wall"
    return unit.value


CLOCK_LABELS = {"wall": "自然时间", "working_days": "工作日", "business_hours": "营业时间"}


def signal_problem(signal: str, emitted: frozenset[str] | None) -> str | None:
    """Why a signal cannot be used, or None. `emitted`: the exact signals the system
    produces today (None: do not check that)."""
    if not _SIGNAL.match(signal or ""):
        return f"“{signal}”不是有效的事件（应为 event:…、action:… 或 task:…:created/done）"
    if emitted is not None and not _is_emitted(signal, emitted):
        return f"系统目前不会产生事件“{signal}”"
    return None


def _is_emitted(signal: str, emitted: frozenset[str]) -> bool:
    if signal.startswith("task:"):
        return "task:*:" + signal.rsplit(":", 1)[1] in emitted
    return signal in emitted


@dataclass(frozen=True)
class KindRule:
    code: str
    name: str
    start: str
    stops: tuple[str, ...]
    limit: Decimal
    unit: Unit
    pausable: bool = False
    active: bool = True
    categories: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    id: int | None = None  # the TimerKind row, for the timers that start under it

    def applies(self, facts: Facts) -> bool:
        return (
            (not self.categories or facts.category in self.categories)
            and (not self.severities or facts.severity in self.severities)
            and (not self.channels or facts.channel in self.channels)
        )


@dataclass(frozen=True)
class LimitRule:
    kind: str
    limit: Decimal
    unit: Unit
    category: str = ""
    severity: str = ""
    channel: str = ""

    @property
    def specificity(self) -> int:
        # Category outweighs severity outweighs channel, so no two rules tie.
        return 4 * bool(self.category) + 2 * bool(self.severity) + bool(self.channel)

    def matches(self, facts: Facts) -> bool:
        return (
            (not self.category or self.category == facts.category)
            and (not self.severity or self.severity == facts.severity)
            and (not self.channel or self.channel == facts.channel)
        )


@dataclass(frozen=True)
class Facts:
    category: str
    severity: str
    channel: str


@dataclass(frozen=True)
class Limit:
    """The limit a timer runs under, and the rule that produced it."""

    kind: str
    limit: Decimal
    unit: Unit
    rule: str


@dataclass(frozen=True)
class Policy:
    version: int
    kinds: tuple[KindRule, ...]
    limits: tuple[LimitRule, ...] = ()
    _by_code: dict[str, KindRule] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        self._by_code.update({k.code: k for k in self.kinds})

    def kind(self, code: str) -> KindRule:
        return self._by_code[code]

    def limit_for(self, code: str, facts: Facts) -> Limit:
        """The most specific override that matches, else the kind's default."""
        kind = self.kind(code)
        candidates = [r for r in self.limits if r.kind == code and r.matches(facts)]
        if not candidates:
            return Limit(code, kind.limit, kind.unit, f"默认时限（策略第 {self.version} 版）")
        best = max(candidates, key=lambda r: r.specificity)
        scope = "，".join(
            f"{name}={value}"
            for name, value in (
                ("分类", best.category),
                ("严重程度", best.severity),
                ("渠道", best.channel),
            )
            if value
        )
        return Limit(code, best.limit, best.unit, f"覆盖时限 {scope}（策略第 {self.version} 版）")

    def starting(self, signals: Iterable[str], facts: Facts) -> list[KindRule]:
        wanted = set(signals)
        return [k for k in self.kinds if k.active and k.start in wanted and k.applies(facts)]

    def stopping(self, signals: Iterable[str]) -> set[str]:
        """Codes of kinds (active or not: a kind switched off still stops its timers)
        that any of these signals stops."""
        wanted = set(signals)
        return {k.code for k in self.kinds if wanted & set(k.stops)}

    # -- snapshots: what a PolicyVersion stores ------------------------------------

    def to_snapshot(self) -> dict[str, Any]:
        return {
            "kinds": [
                {
                    "id": k.id,
                    "code": k.code,
                    "name": k.name,
                    "start": k.start,
                    "stops": list(k.stops),
                    "limit": str(k.limit),
                    "unit": k.unit.value,
                    "pausable": k.pausable,
                    "active": k.active,
                    "categories": sorted(k.categories),
                    "severities": sorted(k.severities),
                    "channels": sorted(k.channels),
                }
                for k in self.kinds
            ],
            "limits": [
                {
                    "kind": r.kind,
                    "limit": str(r.limit),
                    "unit": r.unit.value,
                    "category": r.category,
                    "severity": r.severity,
                    "channel": r.channel,
                }
                for r in self.limits
            ],
        }

    @classmethod
    def from_snapshot(cls, version: int, snapshot: Mapping[str, Any]) -> Policy:
        kinds = tuple(
            KindRule(
                code=k["code"],
                name=k["name"],
                start=k["start"],
                stops=tuple(k["stops"]),
                limit=Decimal(k["limit"]),
                unit=Unit(k["unit"]),
                pausable=k["pausable"],
                active=k["active"],
                categories=frozenset(k["categories"]),
                severities=frozenset(k["severities"]),
                channels=frozenset(k["channels"]),
                id=k.get("id"),
            )
            for k in snapshot.get("kinds", [])
        )
        limits = tuple(
            LimitRule(
                kind=r["kind"],
                limit=Decimal(r["limit"]),
                unit=Unit(r["unit"]),
                category=r["category"],
                severity=r["severity"],
                channel=r["channel"],
            )
            for r in snapshot.get("limits", [])
        )
        return cls(version=version, kinds=kinds, limits=limits)


# -- validation, shared by the models' clean() and the policy services --------------


def limit_problems(limit: Any, unit: Any) -> dict[str, str]:
    problems: dict[str, str] = {}
    try:
        unit = Unit(unit)
    except ValueError:
        return {"unit": f"未知的时限单位“{unit}”（可选：{'、'.join(u.value for u in Unit)}）"}
    if limit is None or limit == "":
        return {"limit": "请填写时限"}
    try:
        parse_limit(limit, unit)
    except InvalidLimit as exc:
        problems["limit"] = str(exc)
    return problems


def kind_problems(
    *,
    code: str,
    start: str,
    stops: Iterable[str] | None,
    limit: Any,
    unit: Any,
    active: bool,
    emitted: frozenset[str],
) -> dict[str, str]:
    """What is wrong with a timer kind, field by field, in Chinese. An active kind must
    listen only for signals the system emits; an inactive one may name planned ones."""
    problems = limit_problems(limit, unit)
    if not re.match(r"^[a-z][a-z0-9_]*$", code or ""):
        problems["code"] = "代码只能用小写字母、数字和下划线，且以字母开头"
    check = emitted if active else None
    if not start:
        problems["start_signal"] = "请填写开始事件"
    elif problem := signal_problem(start, check):
        problems["start_signal"] = problem + ("，不能启用" if active else "")
    stops = [s for s in (stops or []) if s]
    if not stops:
        problems["stop_signals"] = "计时类型必须至少有一个停止事件，否则计时永远不会停止"
    else:
        for stop in stops:
            if problem := signal_problem(stop, check):
                problems["stop_signals"] = problem + ("，不能启用" if active else "")
                break
        if start in stops:
            problems["stop_signals"] = "停止事件不能与开始事件相同"
    return problems
