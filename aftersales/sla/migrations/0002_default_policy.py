"""SPEC §4 default time limits as timer kinds, and policy version 1.

Where the system cannot yet signal a step's start or stop, the kind is seeded inactive
with the planned signal and a note saying why (docs/sla.md, "Policy")."""

from django.db import migrations
from django.utils import timezone

KINDS = [
    {
        "code": "classify",
        "name": "初次分类",
        "start_signal": "event:intake",
        "stop_signals": ["event:classified", "action:triage"],
        "limit": "10",
        "unit": "minutes",
        "note": "受理后 10 分钟内完成分类（直播带货细则）。自动分类在受理时即写入 classified 事件。",
    },
    {
        "code": "acknowledge",
        "name": "受理告知",
        "start_signal": "event:intake",
        "stop_signals": ["event:acknowledgement"],
        "limit": "24",
        "unit": "hours",
        "note": "即时告知顾客已受理，最迟 24 小时。",
    },
    {
        "code": "first_contact",
        "name": "首次联系顾客",
        "start_signal": "event:intake",
        "stop_signals": ["action:triage"],
        "limit": "30",
        "unit": "minutes",
        "note": "一般纠纷 30 分钟内首次联系顾客。生命周期没有单独的“已联系”操作：以处理人的第一个"
        "操作“完成分类”（triage）为准；有了联系记录事件后改为该事件。",
    },
    {
        "code": "qc_report",
        "name": "质检报告",
        "start_signal": "task:qc_inspection:created",
        "stop_signals": ["task:qc_inspection:done"],
        "limit": "1",
        "unit": "hours",
        "is_active": False,
        "note": "通知质检后 1 小时出具报告。未启用：系统还没有“部门任务完成”的操作"
        "（task:qc_inspection:done 不会产生），启用后计时永远不会停止。",
    },
    {
        "code": "investigation",
        "name": "调查核实（复杂/重大）",
        "start_signal": "action:investigate",
        "stop_signals": ["action:propose", "action:escalate"],
        "limit": "24",
        "unit": "hours",
        "severities": ["complex", "major"],
        "pausable": True,
        "note": "复杂、重大纠纷 24 小时内完成调查；提出调解方案或升级即调查结束。",
    },
    {
        "code": "proposal",
        "name": "提出调解方案",
        "start_signal": "event:investigation_concluded",
        "stop_signals": ["action:propose"],
        "limit": "2",
        "unit": "hours",
        "pausable": True,
        "is_active": False,
        "note": "调查结束后 2 小时内提出调解方案。未启用：生命周期中“调查结束”与“提出方案”是同一个"
        "操作（propose），没有单独的调查结论事件。",
    },
    {
        "code": "follow_up",
        "name": "回访",
        "start_signal": "action:complete",
        "stop_signals": ["action:close", "action:reopen"],
        "limit": "24",
        "unit": "hours",
        "pausable": True,
        "note": "执行完毕后 24 小时内回访；结案（凭回访记录或顾客确认）或回访不满意重新打开即完成。",
    },
    {
        "code": "seller_response",
        "name": "平台投诉商家响应",
        "start_signal": "event:intake",
        "stop_signals": ["action:triage"],
        "limit": "24",
        "unit": "hours",
        "channels": ["platform"],
        "note": "平台纠纷 24 小时内响应（商家规则）；以处理人的第一个操作为响应。",
    },
    {
        "code": "platform_review",
        "name": "平台审核",
        "start_signal": "action:escalate:platform",
        "stop_signals": ["action:propose", "action:close"],
        "limit": "3",
        "unit": "working_days",
        "note": "平台介入后 3 个工作日内审核（商家规则）；平台结论回来后提出方案或结案即停止。",
    },
]


def seed(apps, schema_editor):
    TimerKind = apps.get_model("sla", "TimerKind")
    PolicyVersion = apps.get_model("sla", "PolicyVersion")
    snapshot = {"kinds": [], "limits": []}
    for position, spec in enumerate(KINDS, start=1):
        kind = TimerKind.objects.create(
            code=spec["code"],
            name=spec["name"],
            start_signal=spec["start_signal"],
            stop_signals=spec["stop_signals"],
            limit=spec["limit"],
            unit=spec["unit"],
            pausable=spec.get("pausable", False),
            categories=[],
            severities=spec.get("severities", []),
            channels=spec.get("channels", []),
            is_active=spec.get("is_active", True),
            note=spec["note"],
            position=position * 10,
        )
        snapshot["kinds"].append(
            {
                "id": kind.pk,
                "code": kind.code,
                "name": kind.name,
                "start": kind.start_signal,
                "stops": kind.stop_signals,
                "limit": spec["limit"],
                "unit": kind.unit,
                "pausable": kind.pausable,
                "active": kind.is_active,
                "categories": [],
                "severities": sorted(kind.severities),
                "channels": sorted(kind.channels),
            }
        )
    PolicyVersion.objects.create(
        number=1, snapshot=snapshot, note="SPEC §4 默认时限", created_at=timezone.now()
    )


def unseed(apps, schema_editor):
    apps.get_model("sla", "PolicyVersion").objects.all().delete()
    apps.get_model("sla", "TimerKind").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
