"""Timers for after-sale orders (售后单) and the SPEC §4 limits that did not run yet
(issue 12 items 2 and 7), as a new policy version:

- One clock per after-sale order for each step someone owes: finance paying out, the
  customer sending the goods back, the return parcel arriving, the goods inspected, the
  replacement or repaired item shipped, the repair itself, the 运费险 payout. The orders'
  state events carry "subject": "aftersale:<id>", so each order has its own clock and a
  state reached by one order stops only that order's (docs/sla.md, "Subjects").
- `qc_report` now starts when the handler tells QC the goods or photos are ready
  (event:qc_notified), no longer when routing creates the QC task at intake, and is on.
- `proposal` starts when the investigation is concluded (event:investigation_concluded),
  and is on; the investigation clocks stop there too.
- A general dispute gets an investigation deadline (`investigation_general`), and a
  dispute reopened after an unsatisfied follow-up gets one for taking it up again.

All limits are overridable per category, severity and channel (PolicyLimit) as before.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone


def state(name: str) -> str:
    return f"event:aftersale_state:{name}"


INVESTIGATION_STOPS = ["action:propose", "action:escalate", "event:investigation_concluded"]

NEW_KINDS = [
    {
        "code": "finance_payout",
        "name": "财务打款",
        "start_signal": state("awaiting_finance"),
        "stop_signals": [
            state("done"),
            state("cancelled"),
            state("failed"),
            state("awaiting_return_address"),
        ],
        "limit": "3",
        "unit": "working_days",
        "note": "财务 2–3 天内打款，不向顾客承诺当天到账（SPEC §4；种子《售后典型案例分析》："
        "“财务就会在 2-3 天内打款给客人”），取上限 3 个工作日。每张售后单单独计时：进入"
        "待财审起算；打款完成（已完成，或先退款后退货的进入待发退货地址）、取消或未能执行"
        "即停止；退款被退回重新进入待财审时重新计时。",
    },
    {
        "code": "customer_return",
        "name": "买家寄回",
        "start_signal": state("awaiting_return"),
        "stop_signals": [state("return_shipped"), state("cancelled"), state("failed")],
        "limit": "168",
        "unit": "hours",
        "note": "退货地址发出后 7 天内买家寄回并填写退货物流。种子未单独规定寄回期限，比照换货"
        "时延长收货 5–7 天（种子《售后典型案例分析》六；SPEC §7）取上限 7 天（168 小时）。"
        "每张售后单单独计时；买家填写物流、取消或未能执行即停止。",
    },
    {
        "code": "return_receipt",
        "name": "退货签收",
        "start_signal": state("return_shipped"),
        "stop_signals": [state("received"), state("cancelled"), state("failed")],
        "limit": "168",
        "unit": "hours",
        "note": "买家寄出后 7 天内退货签收（比照买家寄回的 7 天，SPEC §7 退货流程“买家填写"
        "退货单号→收到商品→退款”）。超时即退货迟迟未到：与其他超时一样升级至组长，并进入"
        "每日三主动检查。每张售后单单独计时；确认收货、取消或未能执行即停止。",
    },
    {
        "code": "goods_inspection",
        "name": "验货",
        "start_signal": state("received"),
        "stop_signals": [
            state("awaiting_finance"),
            state("awaiting_shipment"),
            state("repairing"),
            state("done"),
            state("failed"),
            state("cancelled"),
        ],
        "limit": "24",
        "unit": "hours",
        "note": "退回商品签收后 24 小时内验货（良品/次品）。直播带货细则：方案达成一致后相关"
        "部门立即执行，质检接到通知 1 小时出具检测报告（调查阶段，见质检报告）；执行阶段的"
        "验货默认给 24 小时，可按分类调整。验货通过（待财审、待发货、维修中或已完成）、"
        "未通过（未能执行）或取消即停止。",
    },
    {
        "code": "shipment",
        "name": "发货",
        "start_signal": state("awaiting_shipment"),
        "stop_signals": [state("shipped"), state("done"), state("cancelled"), state("failed")],
        "limit": "48",
        "unit": "hours",
        "note": "补发、换货新品、赠品、修好的商品进入待发货后 48 小时内发出（直播带货细则："
        "方案达成一致后相关部门立即执行，物流部门跟踪退换货物流；SPEC §7 换货“替换品发货”）。"
        "默认 48 小时，可按分类调整。发货、完成、取消或未能执行（缺货）即停止。",
    },
    {
        "code": "repair",
        "name": "维修",
        "start_signal": state("repairing"),
        "stop_signals": [state("awaiting_shipment"), state("failed"), state("cancelled")],
        "limit": "720",
        "unit": "hours",
        "note": "三包维修期限：修理者应在 30 日内修好（部分商品修理更换退货责任规定第十二条，"
        "legal.md R15 与时限表“三包维修 30 日”）；因修理者原因超过 30 日未修好的，由修理者"
        "免费调换并承担费用，所以按自然日 30 天（720 小时）计。修好待发货、修不好（未能"
        "执行）或取消即停止。",
    },
    {
        "code": "shipping_insurance",
        "name": "运费险理赔",
        "start_signal": "event:shipping_insurance_expected",
        "stop_signals": ["event:shipping_insurance_paid"],
        "limit": "72",
        "unit": "hours",
        "note": "运费险（退货运费险）在退款成功后 72 小时内由保险公司打款（SPEC §4；种子"
        "《售后典型案例分析》：“运费保险是退款成功之后 72 小时内打款支付宝账号的”），"
        "按保险公司标准赔付，不按顾客实际运费；仅退货适用，换货不适用（SPEC §7）。"
        "登记理赔到账即停止；超时进入每日三主动检查。",
    },
    {
        "code": "reopen_response",
        "name": "重开处理",
        "start_signal": "action:reopen",
        "stop_signals": ["action:investigate", "action:withdraw"],
        "limit": "24",
        "unit": "hours",
        "note": "回访不满意或问题未解决而重新打开的投诉，24 小时内重新开始调查核实（SPEC §8："
        "不满意即重开；比照回访的 24 小时，直播带货细则）。开始调查即停止，调查核实的时限"
        "随之重新计时；顾客撤回亦停止。",
    },
    {
        "code": "investigation_general",
        "name": "调查核实（一般）",
        "start_signal": "action:investigate",
        "stop_signals": INVESTIGATION_STOPS,
        "limit": "24",
        "unit": "hours",
        "severities": ["general"],
        "pausable": True,
        "note": "一般纠纷的调查期限。直播带货细则对一般纠纷只规定 30 分钟内联系顾客并与运营"
        "核实订单和活动规则，未给出调查完成时限（种子中没有别的数字）；默认比照复杂、重大"
        "纠纷的 24 小时（SPEC §4），可按分类或严重程度覆盖。调查结束（调查结论、提出方案或"
        "升级）即停止；等待顾客时可暂停。",
    },
]

QC = {
    "start_signal": "event:qc_notified",
    "stop_signals": ["task:qc_inspection:done"],
    "is_active": True,
    "note": "质检接到通知后 1 小时内出具检测报告（直播带货细则；SPEC §4）。处理人通知质检"
    "商品或照片已就绪（qc_notified）时起算，质检部门提交报告（task:qc_inspection:done）"
    "即停止。不再从受理分派质检任务时起算：那时商品和照片往往还没到质检。",
}
QC_BEFORE = {
    "start_signal": "task:qc_inspection:created",
    "stop_signals": ["task:qc_inspection:done"],
    "is_active": False,
    "note": "通知质检后 1 小时出具报告（直播带货细则）。质检部门提交报告即完成任务"
    "（task:qc_inspection:done），计时停止。默认未启用：质检任务在受理分派时即建立，"
    "1 小时会从受理时起算；确认质检在收到商品或照片时才被通知后再启用。",
}
PROPOSAL = {
    "start_signal": "event:investigation_concluded",
    "stop_signals": ["action:propose", "action:escalate"],
    "is_active": True,
    "note": "调查结束后 2 小时内制定调解方案（直播带货细则；SPEC §4）。处理人登记调查结论"
    "（investigation_concluded）时起算，提出调解方案或升级即停止；等待顾客时可暂停。",
}
PROPOSAL_BEFORE = {
    "start_signal": "event:investigation_concluded",
    "stop_signals": ["action:propose"],
    "is_active": False,
    "note": "调查结束后 2 小时内提出调解方案。未启用：生命周期中“调查结束”与“提出方案”是同一个"
    "操作（propose），没有单独的调查结论事件。",
}


def _kind_snapshot(kind) -> dict:
    return {
        "id": kind.pk,
        "code": kind.code,
        "name": kind.name,
        "start": kind.start_signal,
        "stops": list(kind.stop_signals),
        "limit": format(Decimal(kind.limit).normalize(), "f"),
        "unit": kind.unit,
        "pausable": kind.pausable,
        "active": kind.is_active,
        "categories": sorted(kind.categories),
        "severities": sorted(kind.severities),
        "channels": sorted(kind.channels),
    }


def _publish(apps, note: str) -> None:
    TimerKind = apps.get_model("sla", "TimerKind")
    PolicyLimit = apps.get_model("sla", "PolicyLimit")
    PolicyVersion = apps.get_model("sla", "PolicyVersion")
    latest = PolicyVersion.objects.order_by("-number").first()
    snapshot = {
        "kinds": [_kind_snapshot(k) for k in TimerKind.objects.order_by("position", "id")],
        "limits": [
            {
                "kind": r.kind.code,
                "limit": format(Decimal(r.limit).normalize(), "f"),
                "unit": r.unit,
                "category": r.category,
                "severity": r.severity,
                "channel": r.channel,
            }
            for r in PolicyLimit.objects.select_related("kind").order_by("id")
        ],
    }
    PolicyVersion.objects.create(
        number=(latest.number if latest else 0) + 1,
        snapshot=snapshot,
        note=note,
        created_at=timezone.now(),
    )


def _set_stops(kind, stops: list[str]) -> None:
    kind.stop_signals = stops
    kind.save(update_fields=["stop_signals"])


def forward(apps, schema_editor):
    TimerKind = apps.get_model("sla", "TimerKind")
    TimerKind.objects.filter(code="qc_report").update(**QC)
    TimerKind.objects.filter(code="proposal").update(**PROPOSAL)
    investigation = TimerKind.objects.filter(code="investigation").first()
    if investigation is not None and "event:investigation_concluded" not in (
        investigation.stop_signals
    ):
        _set_stops(investigation, [*investigation.stop_signals, "event:investigation_concluded"])
    last = TimerKind.objects.order_by("-position").values_list("position", flat=True).first()
    for offset, spec in enumerate(NEW_KINDS, start=1):
        TimerKind.objects.update_or_create(
            code=spec["code"],
            defaults={**spec, "position": (last or 0) + offset * 10},
        )
    _publish(apps, "售后单时限（按售后单计时）；启用质检报告与调解方案时限；一般纠纷调查、重开处理")


def backward(apps, schema_editor):
    TimerKind = apps.get_model("sla", "TimerKind")
    TimerKind.objects.filter(code="qc_report").update(**QC_BEFORE)
    TimerKind.objects.filter(code="proposal").update(**PROPOSAL_BEFORE)
    investigation = TimerKind.objects.filter(code="investigation").first()
    if investigation is not None:
        _set_stops(
            investigation,
            [s for s in investigation.stop_signals if s != "event:investigation_concluded"],
        )
    # Kinds with timers stay (timers protect their kind); the others go.
    TimerKind.objects.filter(code__in=[k["code"] for k in NEW_KINDS], timers__isnull=True).delete()
    _publish(apps, "撤销售后单时限")


class Migration(migrations.Migration):
    dependencies = [("sla", "0006_timer_subject")]

    operations = [migrations.RunPython(forward, backward)]
