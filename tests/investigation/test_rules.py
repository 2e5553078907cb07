"""The pure investigation rules: responsibility shares, root causes, report contents and
the outside deadlines table. No database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.disputes.lifecycle import EscalationRoute
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation.investigation_rules import ReportInput, ReportKind


def codes(problems):
    return [(p.field, p.code) for p in problems]


@pytest.mark.parametrize(
    "shares",
    [
        {"merchant": 100},
        {"merchant": 60, "carrier": 40},
        {"customer": 0, "merchant": 50, "supplier": 50},
        {"customer": 20, "merchant": 20, "supplier": 20, "carrier": 20, "platform": 20},
    ],
)
def test_shares_summing_to_100_pass(shares):
    assert rules.share_problems(shares) == []


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        ({"merchant": 60, "carrier": 30}, [("shares", "shares_total")]),
        ({"merchant": 60, "carrier": 50}, [("shares", "shares_total")]),
        ({"merchant": 0}, [("shares", "shares_total")]),
        ({}, [("shares", "shares_required")]),
        (None, [("shares", "shares_required")]),
        ([("merchant", 100)], [("shares", "shares_required")]),
        ({"merchant": 50.5, "carrier": 49.5}, [("shares.merchant", "share_invalid"),
                                              ("shares.carrier", "share_invalid")]),
        ({"merchant": "100"}, [("shares.merchant", "share_invalid")]),
        ({"merchant": True}, [("shares.merchant", "share_invalid")]),
        ({"merchant": 120, "customer": -20}, [("shares.merchant", "share_invalid"),
                                             ("shares.customer", "share_invalid")]),
        ({"merchant": 50, "courier": 50}, [("shares.courier", "party_unknown")]),
    ],
)  # fmt: skip
def test_bad_shares_are_named(shares, expected):
    assert codes(rules.share_problems(shares)) == expected


def test_wrong_total_carries_the_total():
    (problem,) = rules.share_problems({"merchant": 60, "carrier": 30})
    assert problem.params == {"total": 90}


@given(st.dictionaries(st.sampled_from(list(rules.Party)), st.integers(0, 100), min_size=1))
def test_shares_pass_exactly_when_they_sum_to_100(shares):
    ok = sum(shares.values()) == 100
    assert (rules.share_problems({p.value: n for p, n in shares.items()}) == []) == ok


@pytest.mark.parametrize(
    ("causes", "code"),
    [
        ([], "root_causes_required"),
        ("carrier", "root_causes_required"),
        (["weather"], "root_cause_unknown"),
        (["carrier", "carrier"], "root_cause_repeated"),
    ],
)
def test_bad_root_causes(causes, code):
    assert codes(rules.root_cause_problems(causes)) == [("root_causes", code)]


def test_every_root_cause_of_the_brief_is_known():
    assert {c.value for c in rules.RootCause} == {
        "process_gap",
        "staff_error",
        "product_design",
        "supplier_quality",
        "carrier",
        "customer_misuse",
        "information_mismatch",
    }
    assert rules.root_cause_problems([c.value for c in rules.RootCause]) == []


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (ReportInput(ReportKind.QC, "外观无损，通电后漏水", defect_found=True,
                     defect_severity="major"), []),
        (ReportInput(ReportKind.QC, "检验合格", defect_found=False), []),
        (ReportInput(ReportKind.QC, "漏水"), [("defect_found", "defect_found_required")]),
        (ReportInput(ReportKind.QC, "漏水", defect_found=True),
         [("defect_severity", "defect_severity_required")]),
        (ReportInput(ReportKind.QC, "漏水", defect_found=True, defect_severity="huge"),
         [("defect_severity", "choice_invalid")]),
        (ReportInput(ReportKind.QC, "合格", defect_found=False, defect_severity="minor"),
         [("defect_severity", "defect_severity_without_defect")]),
        (ReportInput(ReportKind.LOGISTICS, "已签收", trace_status="delivered"), []),
        (ReportInput(ReportKind.LOGISTICS, "查无此件"),
         [("trace_status", "trace_status_required")]),
        (ReportInput(ReportKind.LOGISTICS, "?", trace_status="eaten"),
         [("trace_status", "choice_invalid")]),
        (ReportInput(ReportKind.OPERATIONS, "直播间规则写明满减", rules_honoured=False), []),
        (ReportInput(ReportKind.OPERATIONS, "核对完毕"),
         [("rules_honoured", "rules_honoured_required")]),
        (ReportInput(ReportKind.LEGAL, "宣传用语构成虚假宣传风险"), []),
        (ReportInput(ReportKind.LEGAL, "  "), [("text", "text_required")]),
    ],
)  # fmt: skip
def test_each_report_kind_asks_for_its_facts(report, expected):
    assert codes(rules.report_problems(report)) == expected


def test_report_kind_follows_the_department():
    assert rules.report_kind("quality_control") is ReportKind.QC
    assert rules.report_kind("logistics") is ReportKind.LOGISTICS
    assert rules.report_kind("operations") is ReportKind.OPERATIONS
    assert rules.report_kind("legal") is ReportKind.LEGAL
    assert rules.report_kind("finance") is ReportKind.GENERAL


def test_deadlines_name_the_lifecycles_routes():
    # One vocabulary: the deadlines use the lifecycle's EscalationRoute itself.
    assert all(type(d.route) is EscalationRoute for d in rules.EXTERNAL_DEADLINES)
    assert {d.route for d in rules.EXTERNAL_DEADLINES} <= set(EscalationRoute)


def test_regulator_deadlines_are_legal_md_figures():
    table = {d.code: d for d in rules.deadlines_for("regulator")}
    assert (table["regulator_acceptance"].limit, table["regulator_acceptance"].unit) == (
        Decimal(7),
        "working_days",
    )
    assert table["regulator_acceptance"].starts is rules.Milestone.FILED
    # 60 days (实施条例 Art. 46), as wall-clock hours from the end of the acceptance day.
    assert (table["regulator_mediation"].limit, table["regulator_mediation"].unit) == (
        Decimal(1440),
        "hours",
    )
    assert table["regulator_mediation"].starts is rules.Milestone.ACCEPTED
    assert rules.signal(rules.Milestone.FILED, "regulator") == "event:escalation_filed:regulator"
