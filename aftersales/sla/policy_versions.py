"""The SLA policy in force: the newest published version, which timers started under
it keep (a version never changes), and the policy as the admin tables hold it now."""

from dataclasses import dataclass

from .calendar import Unit
from .models import PolicyLimit, PolicyVersion, TimerKind
from .policy import KindRule, LimitRule, Policy


@dataclass(frozen=True)
class CurrentPolicy:
    version_id: int
    policy: Policy


def current_policy() -> CurrentPolicy | None:
    """The newest policy version: one indexed read of a small row."""
    row = PolicyVersion.objects.order_by("-number").values("id", "number", "snapshot").first()
    if row is None:
        return None
    return CurrentPolicy(row["id"], Policy.from_snapshot(row["number"], row["snapshot"]))


_policy_by_key: dict[tuple, CurrentPolicy] = {}


def current_policy_at(key: tuple | None) -> CurrentPolicy | None:
    """The policy version named by `key` = (id, created_at), which intake reads with its
    other facts: parsed once per process, since a version never changes (created_at
    tells a version from one that reused its id after a rollback)."""
    if key is None:
        return None
    cached = _policy_by_key.get(key)
    if cached is None:
        row = PolicyVersion.objects.filter(pk=key[0]).values("id", "number", "snapshot").first()
        if row is None:  # published and gone between the two reads
            return current_policy()
        cached = CurrentPolicy(row["id"], Policy.from_snapshot(row["number"], row["snapshot"]))
        _policy_by_key.clear()
        _policy_by_key[key] = cached
    return cached


def policy_snapshot() -> Policy:
    """The policy as the admin tables hold it now (not yet a version)."""
    kinds = tuple(
        KindRule(
            code=k.code,
            name=k.name,
            start=k.start_signal,
            stops=tuple(k.stop_signals),
            limit=k.limit,
            unit=Unit(k.unit),
            pausable=k.pausable,
            active=k.is_active,
            categories=frozenset(k.categories),
            severities=frozenset(k.severities),
            channels=frozenset(k.channels),
            id=k.pk,
        )
        for k in TimerKind.objects.order_by("position", "id")
    )
    limits = tuple(
        LimitRule(
            kind=r.kind.code,
            limit=r.limit,
            unit=Unit(r.unit),
            category=r.category,
            severity=r.severity,
            channel=r.channel,
        )
        for r in PolicyLimit.objects.select_related("kind").order_by("id")
    )
    return Policy(version=0, kinds=kinds, limits=limits)
