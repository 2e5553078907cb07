"""The investigation of the demo disputes (`aftersales demo`), as its services write it:
each department task routing gave a dispute that went into investigation gets its report
(`task_report_file`: the task done, its event) before the investigation ended; complex
and major disputes a case meeting and a responsibility finding before their proposal
(`case_meeting_record`, `responsibility_determine`; the lifecycle requires them); and
finance, asked by the handler to pay what an agreement gives (`task_request`), reports
it paid before the execution is complete."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from aftersales.common.fastinsert import build, insert_many
from aftersales.demo.commitments import STAFF_NAMES
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.disputes.timeline import new_event
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation.models import CaseMeeting, ResponsibilityFinding, TaskReport
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Role

REPORT_KINDS = {
    "qc_inspection": rules.ReportKind.QC,
    "logistics_trace": rules.ReportKind.LOGISTICS,
    "promotion_check": rules.ReportKind.OPERATIONS,
    "legal_review": rules.ReportKind.LEGAL,
}
REPORTER = {
    rules.ReportKind.QC: Role.QUALITY_CONTROL,
    rules.ReportKind.LOGISTICS: Role.LOGISTICS,
    rules.ReportKind.OPERATIONS: Role.OPERATIONS,
    rules.ReportKind.LEGAL: Role.LEGAL,
    rules.ReportKind.GENERAL: Role.FINANCE,  # the only other department the demo asks
}
QC_DEFECT = (
    "通电测试后复现顾客所述故障，拆检发现内部焊点虚焊，属生产质量缺陷。",
    "对照顾客照片与留样比对，外壳开裂位于受力结构处，判定为材料缺陷。",
    "实物检验与商品详情页参数不符，标称功率与实测相差 20% 以上。",
)
QC_NONE = (
    "实物检验各项功能正常，外观无损伤，未发现质量问题；建议向顾客说明使用方法。",
    "检验未复现顾客所述问题，疑为使用不当（未按说明书安装）。",
)
TRACE = {
    Category.LOGISTICS: (
        rules.TraceStatus.DAMAGED,
        "快递公司确认运输途中外包装挤压破损，已出具破损证明。",
    ),
    Category.SHIPPING_DELAY: (
        rules.TraceStatus.DELAYED,
        "仓库排单积压，比承诺发货时间晚 3 天揽收。",
    ),
    Category.WRONG_OR_MISSING: (
        rules.TraceStatus.DELIVERED,
        "包裹已妥投；出库复核视频显示少装一件配件。",
    ),
}
OPERATIONS = (
    (False, "直播间口播“下单立减 50 元”未在活动规则中配置，顾客实付未享受优惠，属运营失误。"),
    (True, "活动规则为满 300 减 30，顾客订单未达门槛，价格计算无误；建议赠券安抚。"),
)
LEGAL = (
    "依消费者权益保护法第二十四条，商品存在质量问题，顾客可要求退货、更换或修理，运费由商家承担。",
    "顾客在签收后七日内提出，符合七日无理由退货条件；方案不得低于退货退款。",
    "已审查投诉升级风险：按法定标准处理并书面答复顾客，保留沟通记录。",
)
FINDINGS = {
    Category.QUALITY: (
        {"merchant": 30, "supplier": 70},
        ["supplier_quality"],
        "供应商批次质量问题，入库抽检未发现",
    ),
    Category.NOT_AS_DESCRIBED: (
        {"merchant": 100},
        ["information_mismatch"],
        "详情页参数与实物不一致",
    ),
    Category.COUNTERFEIT: (
        {"merchant": 50, "supplier": 50},
        ["supplier_quality", "process_gap"],
        "进货凭证不全，供应商资质审核缺失",
    ),
    Category.LOGISTICS: ({"carrier": 100}, ["carrier"], "承运商运输途中造成破损"),
    Category.SHIPPING_DELAY: ({"merchant": 100}, ["process_gap"], "大促期间仓库排单能力不足"),
    Category.WRONG_OR_MISSING: ({"merchant": 100}, ["staff_error"], "打包员漏装配件"),
    Category.PRICE_PROMOTION: (
        {"merchant": 100},
        ["process_gap", "information_mismatch"],
        "活动规则配置与主播口播不一致",
    ),
    Category.SERVICE: ({"merchant": 100}, ["staff_error"], "客服回复不及时且态度生硬"),
}
DEFAULT_FINDING = ({"merchant": 80, "customer": 20}, ["process_gap"], "双方均有责任")
# Of the tasks of a dispute still under investigation, the share already reported on.
REPORTED_WHILE_INVESTIGATING = 0.5


def _between(a: dt.datetime, b: dt.datetime, share: float) -> dt.datetime:
    return (a + (b - a) * share).replace(microsecond=0)


def investigation(rng, seed, now, users, disputes, histories, tasks, out):
    """Department reports, case meetings and findings, with their events (as
    `task_report_file`, `case_meeting_record` and `responsibility_determine` write them).
    Returns the legal tasks with when each was open, and the events."""
    reports, meetings, findings = [], [], []
    legal_tasks: dict[int, list[tuple[Task, dt.datetime, dt.datetime | None]]] = defaultdict(list)
    reported: list[Task] = []
    for dispute_id, history in histories.items():
        d = disputes[dispute_id]
        index = next((i for i, s in enumerate(history) if s.action == Action.INVESTIGATE), None)
        for task in tasks[dispute_id]:
            if task.department == "legal":
                legal_tasks[dispute_id].append((task, d.received_at, None))
        if index is None:
            continue
        investigated = history[index].at
        after = history[index + 1].at if index + 1 < len(history) else None
        for task in tasks[dispute_id]:
            kind = REPORT_KINDS.get(task.kind)
            if kind is None:
                continue
            # Still investigating: the department may still be at it (decided per task,
            # so a second run decides the same).
            if after is None and (
                now - investigated < dt.timedelta(hours=1)
                or random.Random(f"{seed}:{task.pk}").random() >= REPORTED_WHILE_INVESTIGATING
            ):
                continue
            filed = _between(investigated, after or now, rng.uniform(0.2, 0.5))
            reporter = REPORTER[kind]
            report = build(
                TaskReport,
                task=task,
                dispute_id=dispute_id,
                kind=kind.value,
                filed_by=users.get(reporter),
                filed_at=filed,
                **_report(rng, kind, Category(d.category), d.severity),
            )
            reports.append(report)
            reported.append(task)
            if task.department == "legal":
                legal_tasks[dispute_id] = [
                    (t, opened, filed if t is task else done)
                    for t, opened, done in legal_tasks[dispute_id]
                ]
        proposed = next((s.at for s in history[index:] if s.action == Action.PROPOSE), None)
        if proposed is not None and d.severity in (Severity.COMPLEX, Severity.MAJOR):
            held = _between(investigated, proposed, 0.6)
            shares, causes, note = FINDINGS.get(Category(d.category), DEFAULT_FINDING)
            decisions = ["认定责任后按标准方案调解"]
            if d.severity == Severity.MAJOR:
                decisions.append("重大投诉同步报告管理层")
            meetings.append(
                build(
                    CaseMeeting,
                    dispute_id=dispute_id,
                    held_at=held,
                    attendees=[
                        f"{STAFF_NAMES[r]}（{Role(r).label}）"
                        for r in (Role.TEAM_LEAD, Role.AGENT, Role.QUALITY_CONTROL, Role.LEGAL)
                    ],
                    minutes=f"质检与法务通报核查结果：{note}。组长主持讨论处理方案。",
                    decisions=decisions,
                    recorded_by=users.get(Role.TEAM_LEAD),
                    recorded_at=_between(investigated, proposed, 0.65),
                )
            )
            findings.append(
                build(
                    ResponsibilityFinding,
                    dispute_id=dispute_id,
                    shares=shares,
                    root_causes=causes,
                    note=note,
                    decided_by=users.get(Role.TEAM_LEAD),
                    decided_at=_between(investigated, proposed, 0.8),
                )
            )
    insert_many(reports)
    insert_many(meetings)
    insert_many(findings)
    Task.objects.filter(pk__in=[t.pk for t in reported]).update(state=Task.State.DONE)
    for task in reported:
        task.state = Task.State.DONE
    out.reports, out.meetings, out.findings = len(reports), len(meetings), len(findings)
    events = [report_event(r, users) for r in reports]
    events += [_meeting_event(m, disputes[m.dispute_id]) for m in meetings]
    events += [_finding_event(f) for f in findings]
    return legal_tasks, events


def payouts(rng, now, users, histories, payouts, out) -> list[Event]:
    """The handler asks finance to pay what an agreement gives (`task_request`, the kind
    and title it gives finance's task); finance reports it paid before the execution is
    complete."""
    finance = users.get(Role.FINANCE)
    kind, _title = _finance_task()
    requests = []
    for d, accepted, author, amount in payouts:
        history = histories[d.pk]
        later = [s for s in history if s.at > accepted]
        until = later[0].at if later else now
        asked = accepted + dt.timedelta(minutes=rng.uniform(3, 30))
        if asked >= until:  # accepted minutes ago, or the next step came sooner
            asked = _between(accepted, until, 0.3)
        note = f"财务：按调解协议支付 {amount:,.2f} 元"
        task = build(Task, dispute_id=d.pk, department="finance", kind=kind, title=note)
        completed = next((s.at for s in later if s.action == Action.COMPLETE), None)
        requests.append((d, task, asked, author, note, completed))
    insert_many([task for _d, task, *_rest in requests])
    events, reports = [], []
    for d, task, asked, author, note, completed in requests:
        payload = {"task": task.pk, "department": "finance", "kind": kind, "title": note,
                   "due_at": None}  # fmt: skip
        events.append(
            new_event(
                MediationKind.TASK_REQUESTED,
                dispute_id=d.pk,
                actor=author,
                actor_label=STAFF_NAMES[Role(author.username)],
                reason=note,
                payload=payload,
                at=asked,
            )
        )
        if completed is not None:
            filed = _between(asked, completed, rng.uniform(0.3, 0.8))
            text = "已按调解协议原路付款，付款凭证已存档"
            reports.append(
                build(
                    TaskReport,
                    task=task,
                    dispute_id=d.pk,
                    kind=rules.ReportKind.GENERAL.value,
                    text=text,
                    filed_by=finance,
                    filed_at=filed,
                )
            )
    insert_many(reports)
    Task.objects.filter(pk__in=[r.task_id for r in reports]).update(state=Task.State.DONE)
    events += [report_event(r, users) for r in reports]
    out.tasks += len(requests)
    out.reports += len(reports)
    return events


def _finance_task() -> tuple[str, str]:
    """The kind and title `task_request` gives a finance task."""
    from aftersales.mediation.investigation import _task_kind_and_title

    return _task_kind_and_title("finance")


def _report(rng: random.Random, kind: rules.ReportKind, category: Category, severity: str):
    if kind is rules.ReportKind.QC:
        if rng.random() < 0.8:
            level = "major" if severity != Severity.GENERAL else rng.choice(("minor", "major"))
            return {"text": rng.choice(QC_DEFECT), "defect_found": True, "defect_severity": level}
        return {"text": rng.choice(QC_NONE), "defect_found": False}
    if kind is rules.ReportKind.LOGISTICS:
        status, text = TRACE.get(category, (rules.TraceStatus.DELIVERED, "物流轨迹正常，已妥投。"))
        return {"text": text, "trace_status": status.value}
    if kind is rules.ReportKind.OPERATIONS:
        honoured, text = rng.choice(OPERATIONS)
        return {"text": text, "rules_honoured": honoured}
    return {"text": rng.choice(LEGAL)}


def report_event(report: TaskReport, users: dict[Role, Any]) -> Event:
    task = report.task
    payload = {
        "report": report.pk,
        "task": task.pk,
        "task_kind": task.kind,
        "department": task.department,
        "kind": report.kind,
        "text": report.text,
    }
    if report.kind == rules.ReportKind.QC:
        payload |= {
            "defect_found": report.defect_found,
            "defect_severity": report.defect_severity,
            "photos": [],
        }
    elif report.kind == rules.ReportKind.LOGISTICS:
        payload["trace_status"] = report.trace_status
    elif report.kind == rules.ReportKind.OPERATIONS:
        payload["rules_honoured"] = report.rules_honoured
    role = REPORTER[rules.ReportKind(report.kind)]
    return new_event(
        MediationKind.TASK_REPORTED,
        dispute_id=report.dispute_id,
        actor=users.get(role),
        actor_label=STAFF_NAMES[role],
        payload=payload,
        at=report.filed_at,
    )


def _meeting_event(m: CaseMeeting, d: Dispute) -> Event:
    return new_event(
        MediationKind.CASE_MEETING,
        dispute_id=m.dispute_id,
        actor=m.recorded_by,
        actor_label=STAFF_NAMES[Role.TEAM_LEAD],
        reason=m.minutes,
        payload={
            "meeting": m.pk,
            "held_at": m.held_at.isoformat(),
            "attendees": m.attendees,
            "decisions": m.decisions,
            "severity": d.severity,
        },
        at=m.recorded_at,
    )


def _finding_event(f: ResponsibilityFinding) -> Event:
    return new_event(
        MediationKind.RESPONSIBILITY_DETERMINED,
        dispute_id=f.dispute_id,
        actor=f.decided_by,
        actor_label=STAFF_NAMES[Role.TEAM_LEAD],
        reason=f.note,
        payload={
            "finding": f.pk,
            "shares": f.shares,
            "root_causes": f.root_causes,
            "supersedes": None,
        },
        at=f.decided_at,
    )
