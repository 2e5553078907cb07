"""The default routing table (SPEC §1 and §5); admins edit it afterwards."""

from django.db import migrations

DEFAULT_RULES = [
    {
        "code": "qc-inspection",
        "name": "质量问题交质检",
        "priority": 10,
        "categories": ["quality"],
        "task_department": "quality_control",
        "task_kind": "qc_inspection",
        "task_title": "质检：检验商品，出具检验报告（有无缺陷、严重程度）",
    },
    {
        "code": "logistics-trace",
        "name": "物流、发货、错漏发交物流部",
        "priority": 20,
        "categories": ["logistics", "shipping_delay", "wrong_or_missing"],
        "task_department": "logistics",
        "task_kind": "logistics_trace",
        "task_title": "物流：查询包裹轨迹，核实发货与包裹内容",
    },
    {
        "code": "promotion-check",
        "name": "价格促销交运营核对",
        "priority": 30,
        "categories": ["price_promotion"],
        "task_department": "operations",
        "task_kind": "promotion_check",
        "task_title": "运营：核对直播间/促销活动规则与价格",
    },
    {
        "code": "legal-counterfeit",
        "name": "假冒伪劣、虚假宣传交法务并告知组长",
        "priority": 40,
        "categories": ["counterfeit"],
        "task_department": "legal",
        "task_kind": "legal_review",
        "task_title": "法务：审查假冒伪劣/虚假宣传的法律责任",
        "notify_team_lead": True,
    },
    {
        "code": "legal-major",
        "name": "重大投诉交法务并告知组长",
        "priority": 50,
        "min_severity": "major",
        "task_department": "legal",
        "task_kind": "legal_review",
        "task_title": "法务：审查重大投诉的法律风险",
        "notify_team_lead": True,
    },
    {
        "code": "legal-escalation",
        "name": "有升级风险交法务并告知组长",
        "priority": 60,
        "escalation_risk": True,
        "task_department": "legal",
        "task_kind": "legal_review",
        "task_title": "法务：评估投诉升级（12315、诉讼、媒体）风险",
        "notify_team_lead": True,
    },
    {
        "code": "management-major",
        "name": "重大投诉报告管理层",
        "priority": 70,
        "min_severity": "major",
        "notify_management": True,
    },
]


def create_rules(apps, schema_editor):
    RoutingRule = apps.get_model("triage", "RoutingRule")
    for rule in DEFAULT_RULES:
        RoutingRule.objects.update_or_create(code=rule["code"], defaults=rule)


def remove_rules(apps, schema_editor):
    apps.get_model("triage", "RoutingRule").objects.filter(
        code__in=[r["code"] for r in DEFAULT_RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]
    operations = [migrations.RunPython(create_rules, remove_rules)]
