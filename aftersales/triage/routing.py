"""Routing rules, pure: given a classified dispute's facts and the rules table, which
rules fire and what they ask for (department tasks, a team, who is told)."""

from dataclasses import dataclass

from aftersales.disputes.taxonomy import SEVERITY_RANK, Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    categories: frozenset[str] = frozenset()
    min_severity: str = ""
    escalation_risk: bool | None = None
    channels: frozenset[str] = frozenset()
    task_department: str = ""
    task_kind: str = ""
    task_title: str = ""
    team_id: int | None = None
    notify_team_lead: bool = False
    notify_management: bool = False


@dataclass(frozen=True)
class Facts:
    category: str
    severity: str
    escalation_risk: bool
    channel: str


@dataclass(frozen=True)
class TaskOrder:
    department: str
    kind: str
    title: str
    rule: str


@dataclass(frozen=True)
class Decision:
    fired: tuple[str, ...]
    tasks: tuple[TaskOrder, ...]
    team_id: int | None
    team_lead_told_by: tuple[str, ...]
    management_told_by: tuple[str, ...]


def fires(rule: Rule, facts: Facts) -> bool:
    if rule.categories and facts.category not in rule.categories:
        return False
    if (
        rule.min_severity
        and SEVERITY_RANK[Severity(facts.severity)] < SEVERITY_RANK[Severity(rule.min_severity)]
    ):
        return False
    if rule.escalation_risk is not None and facts.escalation_risk != rule.escalation_risk:
        return False
    return not (rule.channels and facts.channel not in rule.channels)


def route(facts: Facts, rules: list[Rule]) -> Decision:
    """Every rule that fires acts; one task per department and kind; the first rule
    that names a team decides the team."""
    fired = [r for r in rules if fires(r, facts)]
    tasks: dict[tuple[str, str], TaskOrder] = {}
    for r in fired:
        if r.task_department and (r.task_department, r.task_kind) not in tasks:
            tasks[(r.task_department, r.task_kind)] = TaskOrder(
                r.task_department, r.task_kind, r.task_title or r.name, r.code
            )
    team_id = next((r.team_id for r in fired if r.team_id), None)
    return Decision(
        fired=tuple(r.code for r in fired),
        tasks=tuple(tasks.values()),
        team_id=team_id,
        team_lead_told_by=tuple(r.code for r in fired if r.notify_team_lead),
        management_told_by=tuple(r.code for r in fired if r.notify_management),
    )
