"""Who must approve a proposal before it is sent (权限管理, SPEC §6). Pure Python, no ORM.

- Each role may grant up to its ceiling on its own. The amount compared is the authority
  amount `money.assess` computes: everything given without the goods coming back
  (仅退款, compensation, coupons, price differences, ...), not a refund against returned
  goods up to their price, never what the customer pays. The ceilings are
  configuration (`settings.MEDIATION_AUTHORITY_CEILINGS`, defaults agent 200, team lead
  400, supervisor 600 yuan; management has none). Above the author's ceiling the lowest
  role whose ceiling covers the amount approves.
- A major-incident application (重大质量事故处理申请表) always needs management.
- A proposal below the statutory minimum always needs legal, with a reason.
- Nobody approves their own proposal (the service checks the person; here, the roles).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from aftersales.parties.roles import Role

DEFAULT_CEILINGS: dict[str, Decimal] = {
    Role.AGENT.value: Decimal("200.00"),
    Role.TEAM_LEAD.value: Decimal("400.00"),
    Role.SUPERVISOR.value: Decimal("600.00"),
}
# Who approves amounts, lowest first. Management has no ceiling.
APPROVER_LADDER: tuple[Role, ...] = (Role.TEAM_LEAD, Role.SUPERVISOR, Role.MANAGEMENT)


class Step(StrEnum):
    AUTHORITY = "authority"  # the amount, or a major-incident application
    LEGAL = "legal"  # below the statutory minimum


class Why(StrEnum):
    ABOVE_CEILING = "above_ceiling"
    MAJOR_INCIDENT = "major_incident"
    BELOW_MINIMUM = "below_minimum"


@dataclass(frozen=True)
class Requirement:
    step: Step
    role: Role  # the lowest role that may give it
    why: Why
    ceiling: Decimal | None = None  # the author's ceiling, for above_ceiling

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step.value,
            "role": self.role.value,
            "why": self.why.value,
            "ceiling": None if self.ceiling is None else f"{self.ceiling:.2f}",
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Requirement:
        ceiling = data.get("ceiling")
        return cls(
            Step(data["step"]),
            Role(data["role"]),
            Why(data["why"]),
            None if ceiling is None else Decimal(ceiling),
        )


def ceilings_from(config: Mapping[str, Any] | None) -> dict[str, Decimal]:
    """The configured ceilings over the defaults, as Decimals."""
    merged: dict[str, Decimal] = dict(DEFAULT_CEILINGS)
    for role, value in (config or {}).items():
        merged[str(role)] = Decimal(str(value))
    return merged


def ceiling_of(roles: Iterable[Role | str], ceilings: Mapping[str, Decimal]) -> Decimal | None:
    """The most `roles` may grant alone; None is no limit (management)."""
    roles = {Role(r) for r in roles}
    if Role.MANAGEMENT in roles:
        return None
    found = [ceilings[r.value] for r in roles if r.value in ceilings]
    return max(found, default=Decimal("0.00"))


def _covers(ceiling: Decimal | None, amount: Decimal) -> bool:
    return ceiling is None or amount <= ceiling


def required_approvals(
    *,
    amount: Decimal,
    author_roles: Iterable[Role | str],
    ceilings: Mapping[str, Decimal],
    below_minimum: bool,
    major_incident: bool,
) -> tuple[Requirement, ...]:
    """The approvals a proposal needs before it may be sent; empty: the author may send."""
    needed: list[Requirement] = []
    own = ceiling_of(author_roles, ceilings)
    if major_incident:
        needed.append(Requirement(Step.AUTHORITY, Role.MANAGEMENT, Why.MAJOR_INCIDENT))
    elif not _covers(own, amount):
        role = next(
            r
            for r in APPROVER_LADDER
            if _covers(ceilings.get(r.value) if r != Role.MANAGEMENT else None, amount)
        )
        needed.append(Requirement(Step.AUTHORITY, role, Why.ABOVE_CEILING, own))
    if below_minimum:
        needed.append(Requirement(Step.LEGAL, Role.LEGAL, Why.BELOW_MINIMUM))
    return tuple(needed)


def can_give(
    requirement: Requirement,
    approver_roles: Iterable[Role | str],
    *,
    amount: Decimal,
    ceilings: Mapping[str, Decimal],
) -> bool:
    """Whether someone with `approver_roles` may give this approval: legal for legal;
    management for a major incident; else an approver whose own ceiling covers it."""
    roles = {Role(r) for r in approver_roles}
    if requirement.step == Step.LEGAL:
        return Role.LEGAL in roles
    if requirement.why == Why.MAJOR_INCIDENT:
        return Role.MANAGEMENT in roles
    approvers = roles & set(APPROVER_LADDER)
    return bool(approvers) and _covers(ceiling_of(approvers, ceilings), amount)


def outstanding(
    requirements: Iterable[Requirement], approved_steps: Iterable[Step | str]
) -> list[Requirement]:
    done = {Step(s) for s in approved_steps}
    return [r for r in requirements if r.step not in done]
