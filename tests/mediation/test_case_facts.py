"""Recorded case facts, the pure checks (aftersales.mediation.facts_rules): the names and
types of the `aftersales entitlements` contract, every problem naming its field, and the
merge that decides what a PUT changes. No database."""

from decimal import Decimal

import pytest

from aftersales.disputes.permissions import FACT_RECORDERS
from aftersales.mediation import entitlements as engine
from aftersales.mediation import facts_rules as rules


def parsed(**facts):
    values, problems = rules.parse_recorded(facts)
    assert problems == [], problems
    return values


def problem_fields(raw) -> dict[str, str]:
    values, problems = rules.parse_recorded(raw)
    assert values == {}  # nothing is valid once something is wrong
    return {p.field: p.params.get("message", p.code) for p in problems}


def test_values_come_back_in_the_contracts_json_form():
    assert parsed(
        fraud=True,
        loss="600",
        received_on="2025-03-02T16:30:00Z",  # 03-03 in Shanghai, as the command reads it
        defect="performance_fault",
        failed_repairs=2,
        goods_kind="digital",
    ) == {
        "fraud": True,
        "loss": "600.00",
        "received_on": "2025-03-03",
        "defect": "performance_fault",
        "failed_repairs": 2,
        "goods_kind": "digital",
    }


def test_json_numbers_the_api_parsed_as_floats_are_read_exactly():
    assert parsed(loss=600.5, price=0.1, failed_repairs=2.0) == {
        "loss": "600.50",
        "price": "0.10",
        "failed_repairs": 2,
    }


@pytest.mark.parametrize(
    ("facts", "field", "message"),
    [
        ({"failed_repairs": "2"}, "facts.failed_repairs", '必须是非负整数（天数或次数），收到 "2"'),
        ({"failed_repairs": -1}, "facts.failed_repairs", "不能为负数 -1"),
        ({"failed_repairs": 2.5}, "facts.failed_repairs", "必须是非负整数（天数或次数），收到 2.5"),
        ({"loss": "-1.00"}, "facts.loss", '不能为负数 "-1.00"'),
        ({"loss": -600}, "facts.loss", "不能为负数 -600"),
        ({"loss": True}, "facts.loss", "不是有效的金额 true"),
        ({"loss": "1.005"}, "facts.loss", '最多两位小数（精确到分） "1.005"'),
        ({"loss": float("nan")}, "facts.loss", "不是有效的金额"),
        ({"fraud": "true"}, "facts.fraud", '必须是 true 或 false，收到 "true"'),
        ({"intact": 1}, "facts.intact", "必须是 true 或 false，收到 1"),
        ({"received_on": "2025-13-01"}, "facts.received_on", '不是有效的日期 "2025-13-01"'),
        ({"defect": "broken"}, "facts.defect", '未知的取值 "broken"'),
        ({"channel": "shop"}, "facts.channel", '未知的取值 "shop"'),
    ],
)
def test_a_wrong_type_names_the_fact_with_the_contracts_message(facts, field, message):
    fields = problem_fields(facts)
    assert list(fields) == [field]
    assert fields[field].startswith(message)


def test_an_unknown_fact_lists_the_known_ones():
    values, problems = rules.parse_recorded({"fraud": True, "bogus": 1})
    assert values == {}
    (problem,) = problems
    assert problem.field == "facts.bogus" and problem.code == "fact_unknown"
    assert "fraud" in problem.params["choices"] and "loss" in problem.params["choices"]


def test_every_wrong_fact_is_reported_at_once():
    assert set(problem_fields({"loss": "-1", "failed_repairs": "2", "x": 1})) == {
        "facts.loss",
        "facts.failed_repairs",
        "facts.x",
    }


@pytest.mark.parametrize("raw", [{}, [], "fraud", None, 1])
def test_facts_must_be_a_non_empty_object(raw):
    assert set(problem_fields(raw)) == {"facts"}


def test_null_withdraws_a_recorded_finding():
    assert parsed(fraud=None) == {"fraud": None}


def test_recorded_values_go_back_to_the_engines_types():
    assert rules.engine_value("loss", "600.00") == Decimal("600.00")
    assert rules.engine_value("defect", "quality") is engine.Defect.QUALITY
    assert rules.engine_value("received_on", "2025-03-03").isoformat() == "2025-03-03"


def test_a_reason_is_required_and_bounded():
    assert [p.code for p in rules.reason_problems("")] == ["reason_required"]
    assert [p.code for p in rules.reason_problems("   ")] == ["reason_required"]
    assert [p.code for p in rules.reason_problems(None)] == ["reason_required"]
    assert [p.code for p in rules.reason_problems("x" * 2001)] == ["reason_too_long"]
    assert rules.reason_problems("质检报告确认性能故障") == []


def test_evidence_ids_are_whole_numbers_named_by_position():
    assert rules.evidence_id_problems([3, 4]) == []
    assert rules.evidence_id_problems(None) == []
    assert [p.field for p in rules.evidence_id_problems([3, "4", True, 0])] == [
        "evidence_ids.1",
        "evidence_ids.2",
        "evidence_ids.3",
    ]
    assert [p.field for p in rules.evidence_id_problems("3")] == ["evidence_ids"]


def test_a_put_changes_only_what_differs_from_what_is_recorded():
    current = {"fraud": True, "loss": "600.00"}
    assert rules.changes(current, {"fraud": True}) == {}
    assert rules.changes(current, {"loss": "700.00"}) == {"loss": ("600.00", "700.00")}
    assert rules.changes(current, {"failed_repairs": 2}) == {"failed_repairs": (None, 2)}
    assert rules.changes(current, {"fraud": None}) == {"fraud": (True, None)}
    assert rules.changes(current, {"intact": None}) == {}  # nothing to withdraw


def test_true_is_not_the_count_one():
    assert rules.changes({"x": 1}, {"x": True}) == {"x": (1, True)}


def test_every_contract_fact_has_a_row_in_the_permissions_table():
    assert set(rules.RECORDABLE) == set(engine.FIELDS)
    assert set(FACT_RECORDERS) == set(rules.RECORDABLE)
