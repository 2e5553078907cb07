"""The statutory entitlements engine on legal.md §4's worked examples and their edges.

Every case goes through `evaluate_line`, the function behind `aftersales entitlements`, so
the assertions read the contract's output. Shared assumptions as in legal.md §4: online
purchase, signed 2025-03-03 (Mon); Day 1 = 03-04, Day 7 = 03-10, Day 8 = 03-11.
"""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.mediation.entitlements import (
    NOTES,
    RULES,
    Channel,
    Facts,
    evaluate,
    evaluate_line,
)

SIGNED = date(2025, 3, 3)
PROPERTY = settings(max_examples=150, deadline=None)


def on_day(n: int, start: date = SIGNED) -> str:
    return (start + timedelta(days=n)).isoformat()


def run(day: int | None = None, *, holiday_extension: bool = False, **facts) -> dict:
    line = {
        "id": "case",
        "channel": "online",
        "price": "199.00",
        "received_on": SIGNED.isoformat(),
        "claim_on": on_day(day if day is not None else 1),
    }
    line.update(facts)
    out = evaluate_line(json.dumps(line, ensure_ascii=False), holiday_extension=holiday_extension)
    assert "error" not in out, out
    assert set(out) == {"id", "entitlements", "notes"}
    return out


def remedies(out: dict) -> list[str]:
    return [e["remedy"] for e in out["entitlements"]]


def one(out: dict, remedy: str) -> dict:
    (found,) = [e for e in out["entitlements"] if e["remedy"] == remedy]
    return found


def refs(out: dict) -> list[str]:
    """The legal.md §8 ids the notes name."""
    return [n.split(" ", 1)[0] for n in out["notes"]]


def error_of(line: object) -> dict:
    text = line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
    out = evaluate_line(text)
    assert set(out) == {"id", "error"}, out
    return out


# -- 7-day no-reason return (R01–R04), legal.md E01–E15 -----------------------------------


def test_e01_day_7_is_inside_the_window():
    out = run(7)
    assert remedies(out) == ["return_no_reason"]
    ent = one(out, "return_no_reason")
    assert ent["amount"] == "199.00"
    assert ent["shipping_paid_by"] == "consumer"
    assert ent["merchant_deadline_days"] == 7
    assert "消费者权益保护法第二十五条" in ent["basis"]
    assert "网络购买商品七日无理由退货暂行办法" in ent["basis"]
    assert {"A2", "A8"} <= set(refs(out))


def test_e02_day_8_is_outside_the_window():
    out = run(8)
    assert out["entitlements"] == []
    assert out["notes"] == []


def test_e03_signing_and_claim_times_do_not_matter():
    out = run(
        received_on="2025-03-03T23:58:00+08:00", claim_on="2025-03-10T23:30:00+08:00", price="80"
    )
    assert remedies(out) == ["return_no_reason"]
    assert one(out, "return_no_reason")["amount"] == "80.00"


def test_a_signing_time_in_utc_counts_in_shanghai():
    # 2025-03-02 16:30 UTC is 03-03 00:30 in Shanghai: day 8 is 03-11.
    out = run(received_on="2025-03-02T16:30:00Z", claim_on="2025-03-11")
    assert out["entitlements"] == []
    out = run(received_on="2025-03-02T16:30:00Z", claim_on="2025-03-10")
    assert remedies(out) == ["return_no_reason"]


def test_a_claim_on_the_day_of_signing_is_accepted():
    assert remedies(run(0)) == ["return_no_reason"]


def test_e04_a_physical_store_has_no_statutory_no_reason_return():
    assert run(2, channel="offline")["entitlements"] == []


@pytest.mark.parametrize("channel", ["live_stream", "tv", "phone", "mail_order"])
def test_every_distance_sale_has_the_no_reason_return(channel):
    out = run(7, channel=channel)
    assert remedies(out) == ["return_no_reason"]
    assert run(8, channel=channel)["entitlements"] == []


def test_tv_phone_and_mail_order_cite_the_article_that_extends_the_rules():
    assert "第三十六条" in one(run(3, channel="tv"), "return_no_reason")["basis"]
    assert "第三十六条" not in one(run(3, channel="online"), "return_no_reason")["basis"]


@pytest.mark.parametrize(
    "facts",
    [
        {"goods_kind": "custom_made"},  # E05: engraved necklace
        {"goods_kind": "perishable"},
        {"goods_kind": "periodical"},
        {"goods_kind": "digital", "digital_unsealed": True},  # E08, E09
    ],
    ids=["custom_made", "perishable", "periodical", "digital_unsealed"],
)
def test_each_statutory_exclusion_needs_no_confirmation(facts):
    out = run(3, **facts)
    assert out["entitlements"] == []
    assert refs(out) == ["A14"]


def test_e07_a_sealed_boxed_game_is_returnable():
    assert remedies(run(4, goods_kind="digital", digital_unsealed=False)) == ["return_no_reason"]


def test_e08_an_opened_faulty_disc_still_goes_back_on_the_quality_route():
    out = run(4, goods_kind="digital", digital_unsealed=True, defect="quality")
    assert remedies(out) == ["return", "exchange", "repair"]
    assert one(out, "return")["shipping_paid_by"] == "merchant"


def test_e10_a_confirmed_exclusion_blocks_the_return():
    out = run(3, excluded_confirmed=True, intact=False)
    assert out["entitlements"] == []


def test_a_confirmed_exclusion_blocks_it_even_when_sealed():
    assert run(3, excluded_confirmed=True)["entitlements"] == []


def test_e11_without_confirmation_a_sealed_serum_is_returnable():
    out = run(3, excluded_confirmed=False, intact=True)
    assert remedies(out) == ["return_no_reason"]


@pytest.mark.parametrize("example", ["E12 seal broken", "E14 activated", "E15 tag cut"])
def test_goods_not_intact_lose_the_no_reason_return(example):
    assert run(3, intact=False)["entitlements"] == []


def test_e13_inspected_and_tested_goods_stay_intact():
    assert remedies(run(5, intact=True)) == ["return_no_reason"]


def test_zero_price_returns_zero():
    assert one(run(2, price="0"), "return_no_reason")["amount"] == "0.00"


# -- holidays (D5, A7, E46) ----------------------------------------------------------------


def test_e46_window_ending_on_national_day_is_strict_by_default():
    # Signed Thu 2024-09-26; day 7 = 10-03 (holiday); the next working day is 10-08.
    facts = {"received_on": "2024-09-26", "claim_on": "2024-10-05"}
    out = run(**facts)
    assert out["entitlements"] == []
    assert refs(out) == ["A7"]
    extended = run(**facts, holiday_extension=True)
    assert remedies(extended) == ["return_no_reason"]
    assert "A7" in refs(extended)


def test_e46_extension_ends_on_the_first_working_day():
    facts = {"received_on": "2024-09-26", "holiday_extension": True}
    assert remedies(run(claim_on="2024-10-08", **facts)) == ["return_no_reason"]
    assert run(claim_on="2024-10-09", **facts)["entitlements"] == []


def test_a7_is_not_noted_when_the_holiday_changes_nothing():
    assert "A7" not in refs(run(claim_on="2024-10-03", received_on="2024-09-26"))
    assert "A7" not in refs(run(claim_on="2024-10-05", received_on="2024-09-26", intact=False))


# -- quality (R09, R22), E06, E20, E21 -----------------------------------------------------


def test_e20_defect_on_day_5_return_with_merchant_paying_shipping():
    out = run(5, defect="quality", price="259.00")
    assert remedies(out) == ["return_no_reason", "return", "exchange", "repair"]
    ret = one(out, "return")
    assert ret["amount"] == "259.00"
    assert ret["shipping_paid_by"] == "merchant"
    assert ret["basis"].startswith("消费者权益保护法第二十四条")
    for code in ("exchange", "repair"):
        assert one(out, code)["shipping_paid_by"] == "merchant"
        assert one(out, code)["amount"] is None


def test_e06_mouldy_strawberries_take_the_quality_route_only():
    out = run(1, goods_kind="perishable", defect="quality", food=True)
    assert remedies(out) == ["return", "exchange", "repair"]


def test_quality_return_in_a_physical_store_within_7_days():
    out = run(7, channel="offline", defect="quality")
    assert remedies(out) == ["return", "exchange", "repair"]


def test_e21_defect_on_day_20_exchange_or_repair_only():
    out = run(20, defect="quality")
    assert remedies(out) == ["exchange", "repair"]
    assert all(e["shipping_paid_by"] == "merchant" for e in out["entitlements"])
    assert "A15" in refs(out)


def test_quality_day_8_loses_the_return():
    assert remedies(run(8, defect="quality")) == ["exchange", "repair"]


def test_quality_claims_end_two_years_after_receipt():
    assert remedies(run(claim_on="2027-03-03", defect="quality")) == ["exchange", "repair"]
    assert run(claim_on="2027-03-04", defect="quality")["entitlements"] == []


def test_quality_loss_between_two_and_three_years_is_contested():
    out = run(claim_on="2027-06-01", defect="quality", loss="300")
    assert remedies(out) == ["loss_compensation"]
    assert one(out, "loss_compensation")["amount"] == "300.00"
    assert "A4" in refs(out)


def test_performance_fault_on_a_non_sanbao_product_takes_cpl_24():
    assert remedies(run(10, defect="performance_fault")) == ["exchange", "repair"]


def test_cosmetic_defect_on_a_sanbao_product_takes_cpl_24_and_is_flagged():
    out = run(10, defect="quality", three_guarantees=True, warranty_days=365)
    assert remedies(out) == ["exchange", "repair"]
    assert "A12" in refs(out)
    assert "消费者权益保护法第二十四条" in one(out, "exchange")["basis"]


# -- 三包 (R11–R16), E22–E28 ---------------------------------------------------------------

SANBAO = {"three_guarantees": True, "warranty_days": 365, "defect": "performance_fault"}


def test_e22_sanbao_fault_on_day_5_return_exchange_or_repair():
    out = run(5, channel="offline", price="2999.00", **SANBAO)
    assert remedies(out) == ["return", "exchange", "repair"]
    assert one(out, "return")["amount"] == "2999.00"
    assert "部分商品修理更换退货责任规定第九条" in one(out, "return")["basis"]
    assert {"A3", "A5"} <= set(refs(out))


def test_e23_performance_fault_on_day_10_exchange_or_repair_no_return():
    out = run(10, channel="offline", **SANBAO)
    assert remedies(out) == ["exchange", "repair"]
    assert "第十条" in one(out, "exchange")["basis"]
    assert all(e["shipping_paid_by"] == "merchant" for e in out["entitlements"])


@pytest.mark.parametrize(("day", "expected"), [(7, ["return", "exchange", "repair"]),
                                               (8, ["exchange", "repair"]),
                                               (15, ["exchange", "repair"]),
                                               (16, ["repair"])])  # fmt: skip
def test_sanbao_window_edges(day, expected):
    assert remedies(run(day, channel="offline", **SANBAO)) == expected


def test_sanbao_windows_count_from_the_sale_date():
    # Sold 03-01, signed 03-03: day 10 after signing is day 12 after the sale.
    out = run(8, channel="offline", sold_on="2025-03-01", **SANBAO)
    assert remedies(out) == ["exchange", "repair"]
    out = run(6, channel="offline", sold_on="2025-02-20", **SANBAO)
    assert remedies(out) == ["repair"]


def test_e24_fault_in_month_4_inside_validity_free_repair():
    out = run(120, channel="offline", **SANBAO)
    assert remedies(out) == ["repair"]
    repair = one(out, "repair")
    assert repair["merchant_deadline_days"] == 30
    assert repair["shipping_paid_by"] == "merchant"
    assert repair["amount"] is None


def test_sanbao_validity_last_day_and_after():
    assert remedies(run(365, channel="offline", **SANBAO)) == ["repair"]
    assert run(366, channel="offline", **SANBAO)["entitlements"] == []


def test_time_waiting_for_parts_extends_the_validity():
    out = run(380, channel="offline", parts_wait_days=20, **SANBAO)
    assert remedies(out) == ["repair"]


def test_e25_two_failed_repairs_exchange_or_return():
    out = run(200, channel="offline", price="3000.00", failed_repairs=2, **SANBAO)
    assert remedies(out) == ["return", "exchange"]
    assert one(out, "return")["amount"] == "3000.00"
    assert "第十一条" in one(out, "exchange")["basis"]
    assert "A6" in refs(out)


def test_one_failed_repair_is_still_repair():
    assert remedies(run(200, channel="offline", failed_repairs=1, **SANBAO)) == ["repair"]


def test_e27_parts_wait_of_91_days_gives_exchange_90_does_not():
    assert remedies(run(150, channel="offline", parts_wait_days=91, **SANBAO)) == ["exchange"]
    assert remedies(run(150, channel="offline", parts_wait_days=90, **SANBAO)) == ["repair"]


def test_e28_repairer_delay_of_31_days_gives_exchange_30_does_not():
    out = run(150, channel="offline", repair_delay_days=31, **SANBAO)
    assert remedies(out) == ["exchange"]
    assert "第十二条" in one(out, "exchange")["basis"]
    assert remedies(run(150, channel="offline", repair_delay_days=30, **SANBAO)) == ["repair"]


def test_online_sanbao_fault_on_day_3_also_keeps_the_no_reason_return():
    out = run(3, **SANBAO)
    assert remedies(out) == ["return_no_reason", "return", "exchange", "repair"]


# -- fraud (R19), E30–E32 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "damages"),
    [("100", "500.00"), ("1000", "3000.00"), ("166", "500.00"), ("167", "501.00"),
     ("166.67", "500.01"), ("0.01", "500.00")],
)  # fmt: skip
def test_e30_e32_fraud_three_times_the_price_at_least_500(price, damages):
    out = run(30, fraud=True, price=price)
    assert remedies(out) == ["return", "punitive_damages"]
    assert one(out, "punitive_damages")["amount"] == damages
    assert one(out, "return")["amount"] == Decimal(price).quantize(Decimal("0.01")).to_eng_string()
    assert "消费者权益保护法第五十五条第一款" in one(out, "punitive_damages")["basis"]
    assert {"A10", "A11"} <= set(refs(out))


def test_fraud_with_proven_loss_adds_compensation():
    out = run(30, fraud=True, price="1000", loss="250.5")
    assert one(out, "loss_compensation")["amount"] == "250.50"


def test_a_harmless_label_flaw_is_not_fraud():
    assert run(30, fraud=True, label_defect_only=True)["entitlements"] == []


# -- food (R21), E33–E35 -------------------------------------------------------------------

FOOD = {"food": True, "food_safety_violation": True}


def test_e33_food_at_50_yuan_gives_the_1000_minimum():
    out = run(10, price="50", **FOOD)
    assert remedies(out) == ["return", "food_punitive_damages"]
    assert one(out, "food_punitive_damages")["amount"] == "1000.00"
    assert one(out, "return")["amount"] == "50.00"
    assert "食品安全法第一百四十八条第二款" in one(out, "food_punitive_damages")["basis"]
    assert {"A10", "A13", "A15"} <= set(refs(out))


def test_food_at_500_yuan_gives_ten_times_the_price():
    out = run(10, price="500", **FOOD)
    assert one(out, "food_punitive_damages")["amount"] == "5000.00"


def test_e34_three_times_the_loss_when_higher():
    out = run(10, price="500", loss="2000", **FOOD)
    assert one(out, "food_punitive_damages")["amount"] == "6000.00"
    assert one(out, "loss_compensation")["amount"] == "2000.00"
    assert "食品安全法第一百四十八条第一款" in one(out, "loss_compensation")["basis"]


def test_e33_food_and_fraud_are_not_stacked():
    out = run(10, price="50", fraud=True, **FOOD)
    assert "punitive_damages" not in remedies(out)
    assert one(out, "food_punitive_damages")["amount"] == "1000.00"


def test_e35_harmless_label_typo_gives_no_punitive_damages():
    out = run(10, price="500", label_defect_only=True, **FOOD)
    assert out["entitlements"] == []


def test_safe_food_below_the_promised_quality_is_no_food_safety_case():
    out = run(10, price="500", food=True, defect="quality")
    assert remedies(out) == ["exchange", "repair"]


# -- harm (R20), E38 -----------------------------------------------------------------------


def test_e38_known_defect_serious_injury():
    out = run(40, price="300", loss="100000", known_defect_serious_harm=True, defect="quality")
    assert one(out, "harm_punitive_damages")["amount"] == "200000.00"
    comp = one(out, "loss_compensation")
    assert comp["amount"] == "100000.00"
    assert "消费者权益保护法第四十九条" in comp["basis"]
    assert "产品质量法第四十条" in comp["basis"]
    assert "民法典第一千二百零七条" in one(out, "harm_punitive_damages")["basis"]


def test_loss_without_any_basis_gives_nothing():
    assert run(30, loss="500")["entitlements"] == []


# -- output shape --------------------------------------------------------------------------


def test_every_rule_cites_a_law_and_article_in_chinese():
    for rule in RULES:
        assert rule.id.startswith("R")
        assert "第" in rule.basis and "条" in rule.basis, rule.id
        assert rule.summary
        assert set(rule.notes) <= set(NOTES)


def test_notes_are_stable_and_name_their_section_8_id():
    refs_ = {n.ref for n in NOTES.values()}
    # §8 ambiguities, and R18: what the car rule decides on facts the contract lacks.
    assert refs_ <= {f"A{i}" for i in range(1, 16)} | {"R18"}
    assert len({n.code for n in NOTES.values()}) == len(NOTES)
    assert all(str(n).startswith(n.ref + " ") for n in NOTES.values())


# -- properties ----------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=800)
money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 20))


@PROPERTY
@given(signed=dates, channel=st.sampled_from(list(Channel)))
def test_day_7_in_day_8_out(signed, channel):
    def no_reason(n):
        facts = Facts(channel, Decimal(10), signed, signed + timedelta(days=n))
        return [e.remedy for e in evaluate(facts).entitlements] == ["return_no_reason"]

    distance = channel != Channel.OFFLINE
    assert no_reason(7) is distance
    assert no_reason(0) is distance
    assert no_reason(8) is False


@PROPERTY
@given(signed=dates, n=days, sold_before=st.integers(0, 30))
def test_sanbao_boundaries(signed, n, sold_before):
    facts = Facts(
        Channel.OFFLINE,
        Decimal(100),
        signed,
        signed + timedelta(days=n),
        sold_on=signed - timedelta(days=sold_before),
        three_guarantees=True,
        warranty_days=365,
        defect="performance_fault",
    )
    got = {e.remedy.value for e in evaluate(facts).entitlements}
    sale_day = n + sold_before
    if sale_day <= 7:
        assert got == {"return", "exchange", "repair"}
    elif sale_day <= 15:
        assert got == {"exchange", "repair"}
    elif sale_day <= 365:
        assert got == {"repair"}
    else:
        assert got == set()


@PROPERTY
@given(price=money, loss=money, fraud=st.booleans(), food=st.booleans(), n=days)
def test_punitive_amounts_never_below_the_statutory_floor(price, loss, fraud, food, n):
    facts = Facts(
        Channel.ONLINE,
        price,
        SIGNED,
        SIGNED + timedelta(days=n),
        fraud=fraud,
        food=food,
        food_safety_violation=food,
        loss=loss,
    )
    found = {e.remedy.value: e for e in evaluate(facts).entitlements}
    assert not {"punitive_damages", "food_punitive_damages"} <= set(found)
    if food:
        amount = found["food_punitive_damages"].amount
        assert amount >= max(Decimal(1000), 10 * price, 3 * loss)
        assert amount in (Decimal(1000), 10 * price, 3 * loss)
    elif fraud:
        amount = found["punitive_damages"].amount
        assert amount >= max(Decimal(500), 3 * price)
    for e in found.values():
        assert e.basis
        assert e.amount is None or e.amount == e.amount.quantize(Decimal("0.01"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
FIELD_NAMES = ["id", "channel", "price", "received_on", "claim_on", "sold_on", "goods_kind",
               "intact", "defect", "warranty_days", "fraud", "loss"]  # fmt: skip


@PROPERTY
@given(st.dictionaries(st.sampled_from(FIELD_NAMES), json_values))
def test_any_object_gives_a_result_or_an_error_never_a_crash(obj):
    out = evaluate_line(json.dumps(obj))
    assert set(out) in ({"id", "error"}, {"id", "entitlements", "notes"})
    json.dumps(out, ensure_ascii=False)


# -- input validation ----------------------------------------------------------------------

GOOD = {
    "id": "v1",
    "channel": "online",
    "price": "199.00",
    "received_on": "2025-03-03",
    "claim_on": "2025-03-05",
}


def with_(**changes) -> dict:
    line = dict(GOOD)
    for key, value in changes.items():
        if value is ...:
            line.pop(key)
        else:
            line[key] = value
    return line


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (with_(price="abc"), 'price: 不是有效的金额 "abc"'),
        (with_(price="-1.00"), 'price: 不能为负数 "-1.00"'),
        (with_(price="1.005"), "price: 最多两位小数"),
        (with_(price="1e3"), "price: 不是有效的金额"),
        (with_(price=True), "price: 不是有效的金额 true"),
        (with_(loss="-5"), 'loss: 不能为负数 "-5"'),
        (with_(channel="shop"), 'channel: 未知的取值 "shop"，可选：online、live_stream'),
        (with_(channel="ONLINE"), 'channel: 未知的取值 "ONLINE"'),
        (with_(goods_kind="fresh"), 'goods_kind: 未知的取值 "fresh"'),
        (with_(defect="broken"), 'defect: 未知的取值 "broken"'),
        (with_(received_on="2025-02-30"), 'received_on: 不是有效的日期 "2025-02-30"'),
        (with_(claim_on="03/05/2025"), "claim_on: 不是有效的日期"),
        (with_(claim_on="20250305"), "claim_on: 不是有效的日期"),
        (with_(sold_on=20250301), "sold_on: 不是有效的日期 20250301"),
        (with_(claim_on="9999-12-31"), "claim_on: 年份超出范围"),
        (with_(received_on="0001-01-01T00:00:00+08:00"), "received_on: "),
        (with_(intact="true"), 'intact: 必须是 true 或 false，收到 "true"'),
        (with_(fraud=1), "fraud: 必须是 true 或 false，收到 1"),
        (with_(warranty_days="30"), 'warranty_days: 必须是非负整数（天数或次数），收到 "30"'),
        (with_(failed_repairs=-1), "failed_repairs: 不能为负数 -1"),
        (with_(parts_wait_days=1.5), "parts_wait_days: 必须是非负整数"),
        (with_(channel=...), "channel: 缺少必填字段"),
        (with_(claim_on=None), "claim_on: 缺少必填字段"),
        (with_(id=None), "id: 缺少必填字段"),
    ],
)
def test_bad_fields_are_named_with_what_is_wrong(line, message):
    out = error_of(line)
    assert out["id"] == line.get("id")
    assert message in out["error"]


def test_a_missing_id_answers_null():
    out = error_of(with_(id=...))
    assert out == {"id": None, "error": "id: 缺少必填字段"}


def test_every_wrong_field_is_reported_at_once():
    out = error_of(with_(price="x", intact="no", claim_on="tomorrow"))
    assert out["error"].count("；") == 2
    assert (
        out["error"].index("price") < out["error"].index("claim_on") < out["error"].index("intact")
    )


@pytest.mark.parametrize(
    "text",
    ["", "   ", "not json", "[1, 2]", '"text"', "null", '{"id": NaN}', "{" * 100_000],
)
def test_lines_that_are_not_objects_answer_an_error_with_a_null_id(text):
    assert error_of(text)["id"] is None


def test_extra_fields_are_ignored_and_nulls_mean_default():
    out = run(3, colour="红色", sold_on=None, intact=None, loss=None, note={"a": [1]})
    assert remedies(out) == ["return_no_reason"]


def test_ids_of_any_json_type_are_echoed_as_given():
    for ident in [7, "订单-甲-001", 2.5, "𝔘ñí", "", 0, False, True, [1, "a"], {"n": 1}, -0.5]:
        out = evaluate_line(json.dumps(with_(id=ident), ensure_ascii=False))
        assert out["id"] == ident
        assert type(out["id"]) is type(ident)
        assert "entitlements" in out, out


def test_ids_beyond_a_double_stay_valid_json():
    for text, expected in [
        ("1.5e400", 15 * 10**399),
        ("1e-400", "1E-400"),
        ("12345678901234567890", 12345678901234567890),
    ]:
        out = evaluate_line(json.dumps(with_(id=0)).replace('"id": 0', f'"id": {text}'))
        assert out["id"] == expected
        json.dumps(out, allow_nan=False)  # no Infinity, no NaN


def test_an_error_echoes_an_id_of_any_type():
    out = error_of(with_(id={"order": "甲"}, price="x"))
    assert out["id"] == {"order": "甲"}


def test_a_byte_order_mark_is_not_content():
    out = evaluate_line("\ufeff" + json.dumps(GOOD))
    assert out["id"] == "v1" and "entitlements" in out


def test_prices_as_json_numbers_are_read_exactly():
    line = (
        '{"id": 1, "channel": "online", "price": 166.67, '
        '"received_on": "2025-03-03", "claim_on": "2025-03-20", "fraud": true}'
    )
    out = evaluate_line(line)
    assert one(out, "punitive_damages")["amount"] == "500.01"


def test_sold_on_defaults_to_the_day_of_signing():
    facts = {"channel": "offline", "claim_on": "2025-03-13", **SANBAO}
    assert run(**facts) == run(**facts, sold_on="2025-03-03")


@PROPERTY
@given(
    received=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
    claim_after=st.integers(0, 40000),
    sold_before=st.integers(0, 40000),
    warranty=st.integers(0, 36500),
    holiday_extension=st.booleans(),
)
def test_extreme_dates_and_periods_never_crash(
    received, claim_after, sold_before, warranty, holiday_extension
):
    line = {
        "id": 1,
        "channel": "online",
        "price": "1.00",
        "received_on": received.isoformat(),
        "claim_on": (received + timedelta(days=claim_after)).isoformat()
        if claim_after + received.toordinal() <= date(2999, 12, 31).toordinal()
        else "2999-12-31",
        "sold_on": (
            received - timedelta(days=min(sold_before, received.toordinal() - 700000))
        ).isoformat(),
        "three_guarantees": True,
        "warranty_days": warranty,
        "defect": "performance_fault",
        "known_defect_serious_harm": True,
        "loss": "10",
    }
    out = evaluate_line(json.dumps(line), holiday_extension=holiday_extension)
    assert "entitlements" in out or "error" in out


def test_a_price_of_twenty_seven_digits_is_refused_not_a_crash():
    """Hypothesis found it: quantizing 1e26 yuan to fen overflowed Decimal's precision."""
    out = evaluate_line(json.dumps({"id": 1, "price": 10**26}))
    assert "price: 金额过大" in out["error"]
