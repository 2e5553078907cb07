"""Timers for investigation and escalation (issue 5 items 1, 7), as a new policy version:

- `qc_report` can now stop (filing the QC report completes the task and emits
  task:qc_inspection:done) but stays off: routing creates the QC task at intake, so the
  hour would run from intake, before goods or photos reach QC, and would move every
  quality dispute's due time in the queue. An admin switches it on when QC is notified
  at the right moment; the note says so.
- The outside bodies' deadlines of legal.md §5 for a complaint to the market regulator
  (12315): acceptance decision within 7 working days of filing; mediation ended within
  60 days of acceptance (实施条例 Art. 46, legal.md A1's default; Order 20's 45 working
  days is the alternative an admin may set).
- `platform_review` also stops when the platform's outcome is recorded.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

QC_NOTE = (
    "通知质检后 1 小时出具报告（直播带货细则）。质检部门提交报告即完成任务"
    "（task:qc_inspection:done），计时停止。默认未启用：质检任务在受理分派时即建立，"
    "1 小时会从受理时起算；确认质检在收到商品或照片时才被通知后再启用。"
)
QC_NOTE_BEFORE = (
    "通知质检后 1 小时出具报告。未启用：系统还没有“部门任务完成”的操作"
    "（task:qc_inspection:done 不会产生），启用后计时永远不会停止。"
)

NEW_KINDS = [
    {
        "code": "regulator_acceptance",
        "name": "市场监管部门受理决定",
        "start_signal": "event:escalation_filed:regulator",
        "stop_signals": [
            "event:escalation_accepted:regulator",
            "event:escalation_concluded:regulator",
        ],
        "limit": "7",
        "unit": "working_days",
        "note": "对方时限：市场监管部门自收到投诉之日起 7 个工作日内作出受理或不予受理的决定"
        "（消费者权益保护法第四十六条；实施条例第四十六条；投诉举报处理暂行办法第十四条）。"
        "自投诉提起日的次日起算。超时提醒组长跟进 12315 受理情况。",
    },
    {
        "code": "regulator_mediation",
        "name": "市场监管部门调解期限",
        "start_signal": "event:escalation_accepted:regulator",
        "stop_signals": ["event:escalation_concluded:regulator"],
        "limit": "1440",
        "unit": "hours",
        "note": "对方时限：自受理之日起 60 日内终结调解（消费者权益保护法实施条例第四十六条），"
        "按自然时间 1440 小时自受理日结束时起算。投诉举报处理暂行办法第二十一条第五项为 45 个"
        "工作日，两者不一致（legal.md §8 A1），需要时在此改为 45 个工作日。",
    },
]


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


def forward(apps, schema_editor):
    TimerKind = apps.get_model("sla", "TimerKind")
    # qc_report stays off (see the module docstring); its note now says why.
    TimerKind.objects.filter(code="qc_report").update(note=QC_NOTE)
    review = TimerKind.objects.filter(code="platform_review").first()
    if review is not None and "event:escalation_concluded:platform" not in review.stop_signals:
        review.stop_signals = [*review.stop_signals, "event:escalation_concluded:platform"]
        review.save(update_fields=["stop_signals"])
    last = TimerKind.objects.order_by("-position").values_list("position", flat=True).first()
    for offset, spec in enumerate(NEW_KINDS, start=1):
        TimerKind.objects.update_or_create(
            code=spec["code"],
            defaults={**spec, "position": (last or 0) + offset * 10},
        )
    _publish(apps, "调查与升级：12315 受理与调解的对方时限；平台结果停止平台审核计时")


def backward(apps, schema_editor):
    TimerKind = apps.get_model("sla", "TimerKind")
    TimerKind.objects.filter(code="qc_report").update(note=QC_NOTE_BEFORE)
    review = TimerKind.objects.filter(code="platform_review").first()
    if review is not None:
        review.stop_signals = [
            s for s in review.stop_signals if s != "event:escalation_concluded:platform"
        ]
        review.save(update_fields=["stop_signals"])
    # Kinds with timers stay (timers protect their kind); the others go.
    TimerKind.objects.filter(code__in=[k["code"] for k in NEW_KINDS], timers__isnull=True).delete()
    _publish(apps, "撤销调查与升级的时限")


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_company_calendar")]

    operations = [migrations.RunPython(forward, backward)]
