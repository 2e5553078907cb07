"""Investigation and escalation as data: who can bear responsibility, the root-cause codes,
what each department's report must say, and the deadlines outside bodies work to
(legal.md §5). Pure Python, no ORM; services translate the codes it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy

from aftersales.disputes.states import EscalationRoute


class Party(TextChoices):
    """Who may bear a share of the responsibility (责任认定)."""

    CUSTOMER = "customer", pgettext_lazy("responsible party", "顾客")
    MERCHANT = "merchant", pgettext_lazy("responsible party", "商家")
    SUPPLIER = "supplier", pgettext_lazy("responsible party", "供应商")
    CARRIER = "carrier", pgettext_lazy("responsible party", "承运商")
    PLATFORM = "platform", pgettext_lazy("responsible party", "平台")


class RootCause(TextChoices):
    """Root causes the monthly figures group by (SPEC §8)."""

    PROCESS_GAP = "process_gap", pgettext_lazy("root cause", "流程缺陷")
    STAFF_ERROR = "staff_error", pgettext_lazy("root cause", "人员失误")
    PRODUCT_DESIGN = "product_design", pgettext_lazy("root cause", "产品设计")
    SUPPLIER_QUALITY = "supplier_quality", pgettext_lazy("root cause", "供应商质量")
    CARRIER = "carrier", pgettext_lazy("root cause", "承运商")
    CUSTOMER_MISUSE = "customer_misuse", pgettext_lazy("root cause", "顾客使用不当")
    INFORMATION_MISMATCH = "information_mismatch", pgettext_lazy("root cause", "信息不一致")


@dataclass(frozen=True)
class Problem:
    """What is wrong with an input: the field at fault, a stable code, parameters."""

    field: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


SHARE_TOTAL = 100


def share_problems(shares: Any) -> list[Problem]:
    """Responsibility shares: whole percentages 0–100 for known parties, summing to 100.
    A party with 0 may be listed (explicitly found not responsible)."""
    if not isinstance(shares, Mapping) or not shares:
        return [Problem("shares", "shares_required")]
    problems: list[Problem] = []
    total = 0
    for party, share in shares.items():
        if party not in Party.__members__.values():
            problems.append(
                Problem(f"shares.{party}", "party_unknown", {"choices": [p.value for p in Party]})
            )
            continue
        if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
            problems.append(Problem(f"shares.{party}", "share_invalid"))
            continue
        total += share
    if not problems and total != SHARE_TOTAL:
        problems.append(Problem("shares", "shares_total", {"total": total}))
    return problems


def root_cause_problems(codes: Any) -> list[Problem]:
    """At least one known root cause, none twice."""
    if not isinstance(codes, list | tuple) or not codes:
        return [Problem("root_causes", "root_causes_required")]
    choices = [c.value for c in RootCause]
    for code in codes:
        if code not in choices:
            return [
                Problem("root_causes", "root_cause_unknown", {"code": code, "choices": choices})
            ]
    if len(set(codes)) != len(codes):
        return [Problem("root_causes", "root_cause_repeated")]
    return []


# -- department reports ----------------------------------------------------------------


class ReportKind(TextChoices):
    """What a department task's report holds; decided by the task's department."""

    # 质检报告: defect yes/no, description, severity, photos
    QC = "qc", pgettext_lazy("report kind", "质检报告")
    # 物流轨迹核查结果
    LOGISTICS = "logistics", pgettext_lazy("report kind", "物流核查")
    # 直播间/促销规则核对
    OPERATIONS = "operations", pgettext_lazy("report kind", "运营核对")
    LEGAL = "legal", pgettext_lazy("report kind", "法律意见")
    # any other department: a written result
    GENERAL = "general", pgettext_lazy("report kind", "部门结论")


REPORT_KIND_OF_DEPARTMENT: dict[str, ReportKind] = {
    "quality_control": ReportKind.QC,
    "logistics": ReportKind.LOGISTICS,
    "operations": ReportKind.OPERATIONS,
    "legal": ReportKind.LEGAL,
}


def report_kind(department: str) -> ReportKind:
    return REPORT_KIND_OF_DEPARTMENT.get(department, ReportKind.GENERAL)


class DefectSeverity(TextChoices):
    # 轻微缺陷: does not affect use
    MINOR = "minor", pgettext_lazy("defect severity", "轻微缺陷")
    # 严重缺陷: affects use or performance
    MAJOR = "major", pgettext_lazy("defect severity", "严重缺陷")
    # 致命缺陷: a safety hazard
    CRITICAL = "critical", pgettext_lazy("defect severity", "致命缺陷（安全隐患）")


class TraceStatus(TextChoices):
    DELIVERED = "delivered", pgettext_lazy("parcel trace", "已妥投")
    IN_TRANSIT = "in_transit", pgettext_lazy("parcel trace", "运输中")
    DELAYED = "delayed", pgettext_lazy("parcel trace", "延误")
    LOST = "lost", pgettext_lazy("parcel trace", "丢件")
    DAMAGED = "damaged", pgettext_lazy("parcel trace", "破损")
    RETURNED = "returned", pgettext_lazy("parcel trace", "已退回")
    MISDELIVERED = "misdelivered", pgettext_lazy("parcel trace", "错投")


@dataclass(frozen=True)
class ReportInput:
    kind: ReportKind
    text: str
    defect_found: bool | None = None
    defect_severity: str = ""
    trace_status: str = ""
    rules_honoured: bool | None = None


def report_problems(report: ReportInput) -> list[Problem]:
    """Each kind asks for what its department is there to establish."""
    problems: list[Problem] = []
    if not report.text.strip():
        problems.append(Problem("text", "text_required"))
    if report.kind is ReportKind.QC:
        if report.defect_found is None:
            problems.append(Problem("defect_found", "defect_found_required"))
        elif report.defect_found and not report.defect_severity:
            problems.append(Problem("defect_severity", "defect_severity_required"))
        if (
            report.defect_severity
            and report.defect_severity not in DefectSeverity.__members__.values()
        ):
            problems.append(
                Problem(
                    "defect_severity",
                    "choice_invalid",
                    {"choices": [s.value for s in DefectSeverity]},
                )
            )
        elif report.defect_found is False and report.defect_severity:
            problems.append(Problem("defect_severity", "defect_severity_without_defect"))
    elif report.kind is ReportKind.LOGISTICS:
        if not report.trace_status:
            problems.append(Problem("trace_status", "trace_status_required"))
        elif report.trace_status not in TraceStatus.__members__.values():
            problems.append(
                Problem(
                    "trace_status", "choice_invalid", {"choices": [s.value for s in TraceStatus]}
                )
            )
    elif report.kind is ReportKind.OPERATIONS:
        if report.rules_honoured is None:
            problems.append(Problem("rules_honoured", "rules_honoured_required"))
    return problems


# -- escalation: the other side's deadlines (legal.md §5) -------------------------------


class Milestone(StrEnum):
    FILED = "filed"  # the customer (or we) filed with the outside body
    ACCEPTED = "accepted"  # the body accepted the case (受理/立案)
    CONCLUDED = "concluded"  # the body's outcome is known


@dataclass(frozen=True)
class ExternalDeadline:
    """A deadline the outside body works to, kept as an SLA timer kind of this code:
    it starts at `starts` and stops at any of `stops` (the timer kind in the SLA policy
    holds the limit actually used; admins may change it there)."""

    code: str
    route: EscalationRoute
    starts: Milestone
    stops: tuple[Milestone, ...]
    limit: Decimal
    unit: str  # an sla.calendar.Unit value
    label: str
    basis: str


EXTERNAL_DEADLINES: tuple[ExternalDeadline, ...] = (
    ExternalDeadline(
        code="platform_review",
        route=EscalationRoute.PLATFORM,
        starts=Milestone.FILED,  # heard as action:escalate:platform (see `signals`)
        stops=(Milestone.CONCLUDED,),
        limit=Decimal(3),
        unit="working_days",
        label="平台审核投诉：3 个工作日",
        basis="SPEC §4（商家规则）",
    ),
    ExternalDeadline(
        code="regulator_acceptance",
        route=EscalationRoute.REGULATOR,
        starts=Milestone.FILED,
        stops=(Milestone.ACCEPTED, Milestone.CONCLUDED),
        limit=Decimal(7),
        unit="working_days",
        label="市场监管部门作出是否受理的决定：7 个工作日",
        basis="消费者权益保护法第四十六条；消费者权益保护法实施条例第四十六条；"
        "市场监督管理投诉举报处理暂行办法第十四条",
    ),
    ExternalDeadline(
        code="regulator_mediation",
        route=EscalationRoute.REGULATOR,
        starts=Milestone.ACCEPTED,
        stops=(Milestone.CONCLUDED,),
        # 60 calendar days (实施条例 Art. 46, legal.md A1's default) as wall-clock hours,
        # counted from the end of the acceptance day; Order 20's 45 working days is the
        # alternative an admin may set on the timer kind.
        limit=Decimal(60 * 24),
        unit="hours",
        label="市场监管部门调解：自受理之日起 60 日内终结",
        basis="消费者权益保护法实施条例第四十六条（另：投诉举报处理暂行办法第二十一条第五项为 "
        "45 个工作日，可在时限策略中改用）",
    ),
)


def deadlines_for(route: str) -> list[ExternalDeadline]:
    return [d for d in EXTERNAL_DEADLINES if d.route == route]


def signal(milestone: Milestone, route: str) -> str:
    """The SLA signal a milestone of an escalation emits (see sla.signals)."""
    return f"event:escalation_{milestone.value}:{route}"


def signals(milestone: Milestone, route: str, *, escalate_applied: bool) -> list[str]:
    """What the SLA timers hear at a milestone. A route filed on a dispute that is already
    escalated has no lifecycle `escalate` of its own, so its filing is also heard as
    `action:escalate:<route>`: kinds that start on that route's escalation (the platform's
    review) start for a second route too. The bare `action:escalate` is not repeated:
    what it stops (the investigation clock) stopped at the first route."""
    heard = [signal(milestone, route)]
    if milestone is Milestone.FILED and not escalate_applied:
        heard.append(f"action:escalate:{route}")
    return heard


class Outcome(TextChoices):
    """How an outside route ended."""

    NOT_ACCEPTED = "not_accepted", pgettext_lazy("escalation outcome", "不予受理")
    # 调解/和解达成协议
    AGREEMENT = "agreement", pgettext_lazy("escalation outcome", "达成调解/和解协议")
    MEDIATION_FAILED = "mediation_failed", pgettext_lazy("escalation outcome", "调解不成，终止调解")
    # 裁决/判决支持顾客
    FOR_CUSTOMER = "for_customer", pgettext_lazy("escalation outcome", "支持顾客请求")
    # 裁决/判决支持商家
    FOR_MERCHANT = "for_merchant", pgettext_lazy("escalation outcome", "驳回顾客请求")
    # 部分支持
    PARTLY = "partly", pgettext_lazy("escalation outcome", "部分支持顾客请求")
    WITHDRAWN = "withdrawn", pgettext_lazy("escalation outcome", "顾客撤回")
    OTHER = "other", pgettext_lazy("escalation outcome", "其他")
