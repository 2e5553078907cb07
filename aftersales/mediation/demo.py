"""Demo mediation records for `aftersales demo`: on the demo disputes that went through
investigation, the department reports, a case meeting and a responsibility finding for
complex and major ones, and the proposals their timelines already tell of (one revision
per propose/revise step, the customer's counter-offers, approvals where the amount is
above the author's ceiling, the settlement agreement when the customer accepted).

Multi-row inserts (`common.fastinsert`) only, no PDFs rendered (the agreement record
carries no PDF: the workbench says so), and idempotent: disputes that already have
proposals or reports are skipped. Called once by `aftersales.disputes.demo.demo_populate`."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from aftersales.common.fastinsert import build, insert_many
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.parties.roles import ROLE_LABELS, Role

from . import authority, remedies
from . import investigation_rules as rules
from .models import (
    CaseMeeting,
    Commitment,
    Proposal,
    ProposalApproval,
    ProposalRevision,
    ProposalState,
    ResponsibilityFinding,
    SettlementAgreement,
    TaskReport,
)
from .proposals import ceilings, remedy_line

S = ProposalState
KEY_PREFIX = "demo:"
STEPS = (Action.INVESTIGATE, Action.PROPOSE, Action.REVISE, Action.SETTLE, Action.ESCALATE)
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
    "依消费者权益保护法第二十四条，商品存在质量问题，顾客可要求退货、更换或修理，运费由商家承担；方案合规。",
    "顾客在签收后七日内提出，符合七日无理由退货条件；方案不得低于退货退款。",
    "方案中的补偿金额高于法定标准，可以发送；协议书须写明履行期限。",
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
STAFF_NAMES = {
    Role.AGENT: "王晓敏",
    Role.TEAM_LEAD: "李建国",
    Role.QUALITY_CONTROL: "陈志强",
    Role.LEGAL: "刘文静",
    Role.OPERATIONS: "张丽华",
    Role.LOGISTICS: "赵磊",
    Role.SUPERVISOR: "周敏",
    Role.MANAGEMENT: "吴海涛",
}
# Expectation codes in the demo timelines → remedy codes of the catalogue.
REMEDY_OF = {
    "refund": remedies.RemedyCode.REFUND,
    "return_refund": remedies.RemedyCode.RETURN_REFUND,
    "exchange": remedies.RemedyCode.EXCHANGE,
    "repair": remedies.RemedyCode.REPAIR,
    "reship": remedies.RemedyCode.RESHIP,
    "compensation": remedies.RemedyCode.COMPENSATION,
    "apology": remedies.RemedyCode.APOLOGY,
}


@dataclass
class DemoMediation:
    reports: int = 0
    meetings: int = 0
    findings: int = 0
    proposals: int = 0
    revisions: int = 0
    approvals: int = 0
    agreements: int = 0


def _between(a: dt.datetime, b: dt.datetime, share: float) -> dt.datetime:
    return a + (b - a) * share


def _items(category: str, step_payload: dict, price: Decimal | None) -> list[remedies.RemedyItem]:
    """The lines of one revision: the timeline's remedy when the category allows it,
    else the category's standard remedy; the step's amount where money is involved."""
    code = REMEDY_OF.get(step_payload.get("remedy", ""))
    amount = Decimal(step_payload.get("amount") or "0").quantize(remedies.FEN)
    if code is not None and code in remedies.allowed(category):
        standard = [remedies.RemedyItem(code)]
    else:
        standard = remedies.standard_items(category, price)
    items = []
    for item in standard:
        spec = item.spec
        value = item.amount
        if spec.amount == remedies.AmountRule.NONE:
            value = None
        elif (code is not None and item.code == code) or value is None:
            value = amount if amount > 0 else None
        if spec.amount == remedies.AmountRule.REQUIRED and value is None:
            continue  # what only the agent would know (a price difference)
        items.append(
            remedies.RemedyItem(
                item.code,
                value,
                spec.default_deadline_days,
                remedies.Payer.MERCHANT if spec.goods_move else None,
            )
        )
    return items or [remedies.RemedyItem(remedies.RemedyCode.APOLOGY)]


def populate(*, seed: int = 2026) -> DemoMediation:
    """Add the mediation records to the demo disputes that lack them."""
    rng = random.Random(f"aftersales-demo-mediation:{seed}")
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[r.value for r in STAFF_NAMES])
    }
    user = {r: users.get(r.value) for r in STAFF_NAMES}
    done = set(Proposal.objects.values_list("dispute_id", flat=True)) | set(
        TaskReport.objects.values_list("dispute_id", flat=True)
    )
    steps: dict[int, list[tuple[str, dt.datetime, dict]]] = defaultdict(list)
    for dispute_id, action, at, payload in (
        Event.objects.filter(
            dispute__intake_key__startswith=KEY_PREFIX,
            kind=Event.Kind.ACTION,
            action__in=[a.value for a in STEPS],
        )
        .order_by("at", "id")
        .values_list("dispute_id", "action", "at", "payload")
    ):
        if dispute_id not in done:
            steps[dispute_id].append((action, at, payload or {}))
    disputes = {
        d.pk: d
        for d in Dispute.objects.filter(pk__in=list(steps)).only(
            "id", "number", "category", "severity", "amount_paid", "assignee_id", "status"
        )
    }
    tasks = defaultdict(list)
    for task in Task.objects.filter(
        dispute_id__in=list(steps), kind__in=list(REPORT_KINDS), state=Task.State.DONE
    ):
        tasks[task.dispute_id].append(task)

    out = DemoMediation()
    reports, meetings, findings, events = [], [], [], []
    plans = []  # (dispute, [(action, at, payload)], author)
    for dispute_id, history in steps.items():
        d = disputes[dispute_id]
        investigated = next((at for a, at, _p in history if a == Action.INVESTIGATE), None)
        if investigated is None:
            continue
        proposed = next((at for a, at, _p in history if a == Action.PROPOSE), None)
        end = proposed or history[-1][1] + dt.timedelta(hours=2)
        for task in tasks[dispute_id]:
            kind = REPORT_KINDS[task.kind]
            report = _report(rng, kind, Category(d.category), d.severity)
            reporter = REPORTER[kind]
            filed = _between(investigated, end, rng.uniform(0.2, 0.5))
            reports.append(
                build(
                    TaskReport,
                    task=task,
                    dispute_id=dispute_id,
                    kind=kind.value,
                    filed_by=user[reporter],
                    filed_at=filed,
                    **report,
                )
            )
            events.append(
                build(
                    Event,
                    dispute_id=dispute_id,
                    kind=Event.Kind.TASK_REPORTED,
                    actor=user[reporter],
                    actor_label=STAFF_NAMES[reporter],
                    payload={"task": task.pk, "kind": kind.value},
                    at=filed,
                )
            )
        if proposed is not None and d.severity in (Severity.COMPLEX, Severity.MAJOR):
            held = _between(investigated, proposed, 0.6)
            decided = _between(investigated, proposed, 0.8)
            shares, causes, note = FINDINGS.get(Category(d.category), DEFAULT_FINDING)
            meetings.append(
                build(
                    CaseMeeting,
                    dispute_id=dispute_id,
                    held_at=held,
                    attendees=[
                        f"{STAFF_NAMES[r]}（{ROLE_LABELS[r]}）"
                        for r in (Role.TEAM_LEAD, Role.AGENT, Role.QUALITY_CONTROL, Role.LEGAL)
                    ],
                    minutes=f"质检与法务通报核查结果：{note}。组长主持讨论处理方案。",
                    decisions=["认定责任后按标准方案调解", "重大投诉同步报告管理层"]
                    if d.severity == Severity.MAJOR
                    else ["认定责任后按标准方案调解"],
                    recorded_by=user[Role.TEAM_LEAD],
                    recorded_at=held,
                )
            )
            findings.append(
                build(
                    ResponsibilityFinding,
                    dispute_id=dispute_id,
                    shares=shares,
                    root_causes=causes,
                    note=note,
                    decided_by=user[Role.TEAM_LEAD],
                    decided_at=decided,
                )
            )
            for kind, at in (
                (Event.Kind.CASE_MEETING, held),
                (Event.Kind.RESPONSIBILITY_DETERMINED, decided),
            ):
                events.append(
                    build(
                        Event,
                        dispute_id=dispute_id,
                        kind=kind,
                        actor=user[Role.TEAM_LEAD],
                        actor_label=STAFF_NAMES[Role.TEAM_LEAD],
                        at=at,
                    )
                )
        offers = [(a, at, p) for a, at, p in history if a in (Action.PROPOSE, Action.REVISE)]
        if offers:
            plans.append((d, history, offers))

    with transaction.atomic():
        insert_many(reports)
        insert_many(meetings)
        insert_many(findings)
        out.reports, out.meetings, out.findings = len(reports), len(meetings), len(findings)
        _proposals(rng, plans, user, events, out)
        insert_many(events)
    return out


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


def _proposals(rng, plans, user, events: list[Event], out: DemoMediation) -> None:
    limits = ceilings()
    proposals, revisions, approvals, agreements = [], [], [], []
    shaped = []
    for d, history, offers in plans:
        settled = next((at for a, at, _p in history if a == Action.SETTLE), None)
        escalated_at = next(
            (at for a, at, _p in history if a == Action.ESCALATE and at > offers[-1][1]), None
        )
        author_role = Role.TEAM_LEAD if d.severity == Severity.MAJOR else Role.AGENT
        author = user[author_role]
        last_state = S.ACCEPTED if settled else (S.REJECTED if escalated_at else S.SENT)
        proposal = build(
            Proposal,
            dispute_id=d.pk,
            state=last_state,
            current_number=len(offers),
            created_by=author,
            created_at=offers[0][1] - dt.timedelta(minutes=40),
            updated_at=settled or offers[-1][1],
        )
        proposals.append(proposal)
        shaped.append((d, proposal, offers, settled, escalated_at, last_state, author_role, author))
    insert_many(proposals)

    for d, proposal, offers, settled, escalated_at, last_state, author_role, author in shaped:
        for n, (_action, sent, payload) in enumerate(offers, start=1):
            items = _items(d.category, payload, d.amount_paid)
            previous = offers[n - 2][1] if n > 1 else sent - dt.timedelta(hours=2)
            created = sent - min(dt.timedelta(minutes=40), (sent - previous) / 2)
            last = n == len(offers)
            if not last:
                answered = _between(sent, offers[n][1], 0.5)
            elif last_state == S.ACCEPTED:
                answered = settled
            else:
                answered = _between(sent, escalated_at, 0.5) if escalated_at else None
            amount = remedies.authority_amount(items)
            required = authority.required_approvals(
                amount=amount,
                author_roles={author_role},
                ceilings=limits,
                below_minimum=False,
                major_incident=remedies.is_major_incident(items),
            )
            state = last_state if last else S.COUNTERED
            counter = None
            if state == S.COUNTERED:
                ask = (amount * Decimal("1.5") or Decimal("100")).quantize(remedies.FEN)
                counter = {
                    "remedy": items[0].code.value,
                    "amount": f"{ask:.2f}",
                    "message": "希望再多补偿一些",
                }
            revision = build(
                ProposalRevision,
                proposal=proposal,
                number=n,
                state=state,
                remedies=[i.as_dict() for i in items],
                total_amount=remedies.total_amount(items),
                authority_amount=amount,
                message=f"{d.number}：" + "；".join(remedy_line(i) for i in items),
                change_note="" if n == 1 else "顾客还价后调整方案",
                required_approvals=[r.as_dict() for r in required],
                major_incident=remedies.is_major_incident(items),
                author=author,
                author_label=STAFF_NAMES[author_role],
                created_at=created,
                sent_at=sent,
                answered_at=answered,
                counter=counter,
                customer_message=counter["message"] if counter else "",
            )
            revisions.append((revision, required, created, sent, d))
    insert_many([r for r, *_ in revisions])

    for revision, required, created, sent, d in revisions:
        approver = None
        for req in required:
            approver = user[req.role]
            at = _between(created, sent, 0.5)
            approvals.append(
                build(
                    ProposalApproval,
                    revision=revision,
                    step=req.step.value,
                    decision=ProposalApproval.Decision.APPROVED,
                    approver=approver,
                    approver_label=STAFF_NAMES[req.role],
                    approver_role=req.role.value,
                    amount=revision.authority_amount,
                    reason=rng.choice(
                        ("顾客损失有凭证，金额合理", "同意，尽快履行", "按公司政策可以")
                    ),
                    at=at,
                )
            )
            events.append(
                build(
                    Event,
                    dispute_id=d.pk,
                    kind=Event.Kind.PROPOSAL_APPROVED,
                    actor=approver,
                    actor_label=STAFF_NAMES[req.role],
                    payload={
                        "proposal": revision.proposal.pk,
                        "revision": revision.number,
                        "steps": [req.step.value],
                        "amount": f"{revision.authority_amount:.2f}",
                    },
                    at=at,
                )
            )
        if revision.state == S.COUNTERED:
            events.append(_customer_event(d, Event.Kind.PROPOSAL_COUNTERED, revision))
        elif revision.state == S.ACCEPTED:
            events.append(_customer_event(d, Event.Kind.PROPOSAL_ACCEPTED, revision))
            agreements.append(
                build(
                    SettlementAgreement,
                    proposal=revision.proposal,
                    revision=revision,
                    dispute_id=d.pk,
                    pdf=b"",  # not rendered in the demo
                    sha256="",
                    customer_method="portal_click",
                    customer_confirmed_at=revision.answered_at,
                    staff_confirmed_by=approver or revision.author,
                    staff_confirmed_label=(
                        approvals[-1].approver_label if approver else revision.author_label
                    ),
                    staff_confirmed_at=revision.sent_at,
                    generated_at=revision.answered_at,
                )
            )
    insert_many(approvals)
    insert_many(agreements)
    out.proposals, out.revisions = len(proposals), len(revisions)
    out.approvals, out.agreements = len(approvals), len(agreements)


def _customer_event(d: Dispute, kind: str, revision: ProposalRevision) -> Event:
    return build(
        Event,
        dispute_id=d.pk,
        kind=kind,
        actor_label="顾客",
        payload={
            "proposal": revision.proposal.pk,
            "revision": revision.number,
            "counter": revision.counter,
        },
        at=revision.answered_at,
    )


# -- commitments to the customer (承诺) ---------------------------------------------------

# What a handler promises, by the dispute's state.
PROMISES = {
    "triaged": ("今天下班前回电告知处理进度", "明天上午回电确认订单和诉求"),
    "investigating": (
        "回电告知质检结果",
        "寄送检测报告给顾客",
        "向快递公司核实后回电告知包裹情况",
        "请运营核实活动规则后回复顾客",
    ),
    "proposing": ("回电答复顾客的还价", "把书面调解方案发到顾客邮箱", "请组长审批后回复补偿金额"),
    "executing": ("退款到账后短信告知顾客", "补发商品寄出后告知快递单号", "跟进退货签收后回电"),
    "follow_up": ("回电确认退款是否到账", "再次回访确认问题已解决"),
    "reopened": ("重新核实后回电说明处理方案",),
    "escalated": ("向平台提交举证材料后告知顾客", "把消协调解会时间通知顾客"),
}
# (share, when it is due): kept already, overdue, due later today, due later on.
COMMITMENT_MIX = (("kept", 0.3), ("overdue", 0.2), ("today", 0.25), ("later", 0.25))
COMMITMENT_SHARE = 0.15


@dataclass
class DemoCommitments:
    made: int = 0
    kept: int = 0
    overdue: int = 0
    due_today: int = 0
    later: int = 0


def populate_commitments(*, seed: int = 2026, now: dt.datetime | None = None) -> DemoCommitments:
    """Promises to the customer on some open demo disputes: kept, overdue (yesterday's
    unfinished promises), due later today, or due in the next days; each made after the
    dispute's last step, with the timeline events `services.commitment_make` and
    `commitment_keep` write. The demo agent gets at least one due or overdue."""
    from aftersales.sla.calendar import SHANGHAI

    now = now or timezone.now()
    rng = random.Random(f"aftersales-demo-commitments:{seed}")
    out = DemoCommitments()
    users = get_user_model().objects.filter(username__in=[r.value for r in Role])
    agent_id = next((u.pk for u in users if u.username == Role.AGENT.value), None)
    labels = {u.pk: STAFF_NAMES.get(Role(u.username), u.username) for u in users}
    last: dict[int, tuple[dt.datetime, str]] = {}
    for dispute_id, at, label in (
        Event.objects.filter(
            dispute__intake_key__startswith=KEY_PREFIX,
            dispute__is_open=True,
            kind=Event.Kind.ACTION,
        )
        .exclude(Exists(Commitment.objects.filter(dispute=OuterRef("dispute"))))
        .order_by("at", "id")
        .values_list("dispute_id", "at", "actor_label")
    ):
        last[dispute_id] = (at, label)
    disputes = list(
        Dispute.objects.filter(pk__in=list(last))
        .filter(~Q(status="received"))
        .order_by("id")
        .values_list("id", "status", "assignee_id")
    )
    # The agent's first dispute carries a promise due today or overdue, whatever the seed.
    disputes.sort(key=lambda d: d[2] != agent_id)
    end_of_today = dt.datetime.combine(
        now.astimezone(SHANGHAI).date() + dt.timedelta(days=1), dt.time(), SHANGHAI
    )
    rows, shown = [], {}
    for n, (dispute_id, status, assignee_id) in enumerate(disputes):
        if n > 0 and rng.random() >= COMMITMENT_SHARE:
            continue
        after, label = last[dispute_id]
        if now - after < dt.timedelta(minutes=30):
            continue
        mix = rng.choices([m for m, _w in COMMITMENT_MIX], [w for _m, w in COMMITMENT_MIX])[0]
        if n == 0:
            mix = "overdue" if now - after > dt.timedelta(hours=3) else "today"
        # Made in the last two days (after the last step), a few minutes before now.
        start = max(after, now - dt.timedelta(days=2))
        made = (start + (now - start) * rng.uniform(0.1, 0.8)).replace(microsecond=0)
        if mix == "overdue":
            due = made + (now - made) * rng.uniform(0.3, 0.9)
        elif mix == "kept":
            due = made + dt.timedelta(hours=rng.uniform(4, 48))
        elif mix == "today":
            due = now + (end_of_today - now) * rng.uniform(0.2, 0.9)
        else:
            due = end_of_today + dt.timedelta(hours=rng.uniform(10, 72))
        due = due.replace(second=0, microsecond=0)
        if due <= made:
            continue
        kept = None
        if mix == "kept":
            kept = (made + (min(due, now) - made) * rng.uniform(0.3, 0.95)).replace(microsecond=0)
        text = rng.choice(PROMISES.get(status, PROMISES["investigating"]))
        rows.append(
            build(
                Commitment,
                dispute_id=dispute_id,
                made_by_id=assignee_id,
                text=text,
                due_at=due,
                state=Commitment.State.KEPT if kept else Commitment.State.OPEN,
                made_at=made,
                kept_at=kept,
            )
        )
        shown[id(rows[-1])] = labels.get(assignee_id) or label
        field = "due_today" if mix == "today" else mix
        setattr(out, field, getattr(out, field) + 1)
    with transaction.atomic():
        insert_many(rows)
        events = []
        for c in rows:
            payload = {"commitment": c.pk, "text": c.text, "due_at": c.due_at.isoformat()}
            for kind, at in (
                (Event.Kind.COMMITMENT_MADE, c.made_at),
                (Event.Kind.COMMITMENT_KEPT, c.kept_at),
            ):
                if at is not None:
                    events.append(
                        build(
                            Event,
                            dispute_id=c.dispute_id,
                            kind=kind,
                            actor_id=c.made_by_id,
                            actor_label=shown[id(c)],
                            payload=payload,
                            at=at,
                        )
                    )
        insert_many(events)
    out.made = len(rows)
    return out
