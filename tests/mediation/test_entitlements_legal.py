"""legal.md §4's worked examples, one test each where the CLI contract can state the facts,
plus the §0 day-counting edges and the §8 ambiguities the engine makes a choice on.

Each test is named after the example (`test_e20_…`) or the rule or section (`test_d3_…`,
`test_a7_…`) it checks. Shared assumptions as in legal.md §4: online purchase, consumer use,
signed 2025-03-03 (Mon), so Day 1 = 03-04 and Day 7 = 03-10 (Mon). Examples the contract
has no facts for — gifts and bundles (E16–E18), depreciation (E26), the retailer's knowledge
(E36), cars (E39–E43), platforms (E44), regulators (E45) — are listed at the end with what
the engine does instead.
"""

import json
from datetime import date, timedelta

import pytest

from aftersales.mediation.entitlements import Remedy, evaluate_line

SIGNED = date(2025, 3, 3)


def on_day(n: int, start: date = SIGNED) -> str:
    return (start + timedelta(days=n)).isoformat()


def line(day: int | None = None, **facts) -> dict:
    base = {
        "id": "case",
        "channel": "online",
        "price": "199.00",
        "received_on": SIGNED.isoformat(),
        "claim_on": on_day(day if day is not None else 1),
    }
    return base | facts


def run(day: int | None = None, *, holiday_extension: bool = False, **facts) -> dict:
    out = evaluate_line(
        json.dumps(line(day, **facts), ensure_ascii=False), holiday_extension=holiday_extension
    )
    assert set(out) == {"id", "entitlements", "notes"}, out
    return out


def remedies(out: dict) -> list[str]:
    return [e["remedy"] for e in out["entitlements"]]


def one(out: dict, remedy: str) -> dict:
    (found,) = [e for e in out["entitlements"] if e["remedy"] == remedy]
    return found


def refs(out: dict) -> set[str]:
    return {n.split(" ", 1)[0] for n in out["notes"]}


SANBAO = {"three_guarantees": True, "warranty_days": 365, "defect": "performance_fault"}
FOOD = {"food": True, "food_safety_violation": True}


# -- §4 E01–E15: the 7-day no-reason return ------------------------------------------------


def test_e01_shoes_day_7_no_reason_return_consumer_pays_refund_within_7_days():
    out = run(7, price="100")
    assert out["entitlements"] == [
        {
            "remedy": "return_no_reason",
            "basis": "消费者权益保护法第二十五条；"
            "网络购买商品七日无理由退货暂行办法第二条、第六条、第十条、第十三条",
            "amount": "100.00",
            "shipping_paid_by": "consumer",
            "merchant_deadline_days": 7,
        }
    ]
    assert refs(out) == {"A2", "A8"}


def test_e02_shoes_day_8_no_statutory_no_reason_right():
    out = run(8, price="100")
    assert out == {"id": "case", "entitlements": [], "notes": []}


def test_e03_signed_at_2358_claimed_day_7_at_2330_still_inside():
    out = run(received_on="2025-03-03T23:58:00+08:00", claim_on="2025-03-10T23:30:00+08:00")
    assert remedies(out) == ["return_no_reason"]


def test_e04_shoes_bought_in_a_physical_store_day_2_nothing_statutory():
    assert run(2, channel="offline")["entitlements"] == []


def test_e05_engraved_necklace_custom_made_excluded_without_confirmation():
    out = run(3, goods_kind="custom_made", excluded_confirmed=False)
    assert out["entitlements"] == []
    assert refs(out) == {"A14"}


def test_e06_mouldy_strawberries_day_1_quality_route_merchant_pays():
    out = run(1, goods_kind="perishable", defect="quality", food=True, price="39.90")
    assert remedies(out) == ["return", "exchange", "repair"]
    assert one(out, "return")["amount"] == "39.90"
    assert {e["shipping_paid_by"] for e in out["entitlements"]} == {"merchant"}


def test_e06_strawberries_breaking_a_food_safety_standard_add_food_damages():
    out = run(1, goods_kind="perishable", defect="quality", price="39.90", **FOOD)
    assert remedies(out) == ["return", "exchange", "repair", "food_punitive_damages"]
    assert one(out, "food_punitive_damages")["amount"] == "1000.00"


def test_e07_boxed_game_shrink_wrap_intact_day_4_returnable():
    out = run(4, goods_kind="digital", digital_unsealed=False)
    assert remedies(out) == ["return_no_reason"]


def test_e08_boxed_game_unsealed_day_4_excluded():
    out = run(4, goods_kind="digital", digital_unsealed=True)
    assert out["entitlements"] == []
    assert refs(out) == {"A14"}


def test_e08_unsealed_game_with_a_faulty_disc_goes_back_as_a_quality_return():
    out = run(4, goods_kind="digital", digital_unsealed=True, defect="quality")
    assert remedies(out) == ["return", "exchange", "repair"]
    assert one(out, "return")["shipping_paid_by"] == "merchant"


def test_e09_ebook_downloaded_day_1_excluded():
    assert run(1, goods_kind="digital", digital_unsealed=True)["entitlements"] == []


def test_e10_face_serum_confirmed_at_checkout_seal_broken_no_return():
    assert run(3, excluded_confirmed=True, intact=False)["entitlements"] == []


def test_e11_face_serum_no_confirmation_sealed_merchant_may_not_refuse():
    out = run(3, excluded_confirmed=False, intact=True)
    assert remedies(out) == ["return_no_reason"]
    assert one(out, "return_no_reason")["merchant_deadline_days"] == 7


def test_e12_face_serum_no_confirmation_seal_broken_not_intact():
    assert run(3, excluded_confirmed=False, intact=False)["entitlements"] == []


def test_e13_phone_opened_and_tested_still_intact_day_5():
    assert remedies(run(5, intact=True)) == ["return_no_reason"]


def test_e14_phone_activated_with_personal_data_not_intact_day_5():
    assert run(5, intact=False)["entitlements"] == []


def test_e15_jacket_brand_tag_cut_not_intact_day_2():
    assert run(2, intact=False)["entitlements"] == []


def test_r02_periodical_excluded_by_law():
    assert run(2, goods_kind="periodical")["entitlements"] == []


def test_r02_exclusions_do_not_block_quality_claims():
    for kind in ("custom_made", "perishable", "periodical"):
        assert remedies(run(2, goods_kind=kind, defect="quality")) == [
            "return",
            "exchange",
            "repair",
        ]


def test_r01_exclusions_do_not_matter_in_a_physical_store():
    out = run(2, channel="offline", goods_kind="custom_made")
    assert out == {"id": "case", "entitlements": [], "notes": []}


@pytest.mark.parametrize("channel", ["live_stream", "tv", "phone", "mail_order"])
def test_r01_every_distance_channel_has_the_no_reason_return_and_its_exclusions(channel):
    assert remedies(run(7, channel=channel)) == ["return_no_reason"]
    assert run(8, channel=channel)["entitlements"] == []
    assert run(3, channel=channel, goods_kind="perishable")["entitlements"] == []
    assert run(3, channel=channel, intact=False)["entitlements"] == []


# -- §0 day counting -----------------------------------------------------------------------


def test_d2_d3_day_7_in_day_8_out_for_the_no_reason_and_the_quality_return():
    assert remedies(run(7, defect="quality")) == [
        "return_no_reason",
        "return",
        "exchange",
        "repair",
    ]
    assert remedies(run(8, defect="quality")) == ["exchange", "repair"]


def test_d1_a_claim_before_signing_falls_before_every_window_closes():
    # A parcel refused at the door, or a fault announced before it arrives: evaluated, not
    # refused — legal.md §0 accepts a notice "since it falls before the window closes".
    out = run(-2)
    assert remedies(out) == ["return_no_reason"]
    assert remedies(run(-2, channel="offline", defect="quality")) == [
        "return",
        "exchange",
        "repair",
    ]
    assert remedies(run(-2, channel="offline", **SANBAO)) == ["return", "exchange", "repair"]


def test_d4_a_utc_signing_time_is_read_in_shanghai():
    # 2025-03-03 16:30 UTC is 03-04 00:30 in Shanghai: day 7 is 03-11.
    assert remedies(run(received_on="2025-03-03T16:30:00Z", claim_on="2025-03-11")) == [
        "return_no_reason"
    ]


# -- §4 E19: the merchant's refund deadline (R06, R08, A2) ----------------------------------


def test_e19_refund_due_7_days_after_receiving_the_goods_sanctionable_after_15():
    out = run(3)
    assert one(out, "return_no_reason")["merchant_deadline_days"] == 7
    (a2,) = [n for n in out["notes"] if n.startswith("A2 ")]
    assert "7日" in a2 and "15日" in a2


# -- §4 E20–E21, E47: quality non-conformity (R09, R22) -------------------------------------


def test_e20_backpack_zipper_day_5_return_and_full_refund_merchant_pays_shipping():
    out = run(5, channel="offline", defect="quality", price="259.00")
    assert remedies(out) == ["return", "exchange", "repair"]
    ret = one(out, "return")
    assert ret == {
        "remedy": "return",
        "basis": "消费者权益保护法第二十四条",
        "amount": "259.00",
        "shipping_paid_by": "merchant",
        "merchant_deadline_days": None,
    }


def test_e20_online_the_no_reason_return_is_listed_too():
    out = run(5, defect="quality", price="259.00")
    assert remedies(out) == ["return_no_reason", "return", "exchange", "repair"]
    assert one(out, "return_no_reason")["shipping_paid_by"] == "consumer"
    assert one(out, "return")["shipping_paid_by"] == "merchant"


def test_e21_backpack_zipper_day_20_exchange_or_repair_return_only_if_purpose_fails():
    out = run(20, defect="quality")
    assert remedies(out) == ["exchange", "repair"]
    assert "产品质量法第四十条" in one(out, "exchange")["basis"]
    assert "民法典第五百八十二条" in one(out, "repair")["basis"]
    assert refs(out) == {"A15"}


def test_e21_a_non_sanbao_performance_fault_on_day_10_is_cpl_24_exchange_or_repair():
    assert remedies(run(10, defect="performance_fault")) == ["exchange", "repair"]


def test_e47_signing_is_not_acceptance_the_quality_claim_proceeds():
    assert "return" in remedies(run(3, channel="offline", defect="quality"))


def test_r09_quality_return_ignores_intactness_and_exclusion_confirmations():
    out = run(3, defect="quality", intact=False, excluded_confirmed=True)
    assert remedies(out) == ["return", "exchange", "repair"]


def test_r24_quality_notice_ends_two_years_after_receipt():
    assert remedies(run(claim_on="2027-03-03", defect="quality")) == ["exchange", "repair"]
    assert run(claim_on="2027-03-04", defect="quality")["entitlements"] == []


# -- §4 E22–E29: 三包 (R11–R17) -------------------------------------------------------------


def test_e22_washing_machine_fault_day_5_after_sale_return_exchange_or_repair():
    out = run(5, channel="offline", price="2999.00", **SANBAO)
    assert remedies(out) == ["return", "exchange", "repair"]
    assert one(out, "return")["amount"] == "2999.00"
    assert "部分商品修理更换退货责任规定第九条" in one(out, "return")["basis"]
    assert {e["shipping_paid_by"] for e in out["entitlements"]} == {"merchant"}
    assert {"A3", "A5"} <= refs(out)


def test_e23_washing_machine_performance_fault_day_10_exchange_or_repair_no_return():
    out = run(10, channel="offline", **SANBAO)
    assert remedies(out) == ["exchange", "repair"]
    assert "部分商品修理更换退货责任规定第十条" in one(out, "exchange")["basis"]


def test_e23_the_15_day_window_needs_no_validity_period():
    no_validity = {"three_guarantees": True, "defect": "performance_fault"}
    assert remedies(run(10, channel="offline", **no_validity)) == ["exchange", "repair"]
    assert run(16, channel="offline", **no_validity)["entitlements"] == []


def test_e24_washing_machine_month_4_inside_validity_free_repair():
    out = run(120, channel="offline", **SANBAO)
    assert out["entitlements"] == [
        {
            "remedy": "repair",
            "basis": "部分商品修理更换退货责任规定第八条；消费者权益保护法第二十四条",
            "amount": None,
            "shipping_paid_by": "merchant",
            "merchant_deadline_days": 30,
        }
    ]


def test_e25_repaired_twice_fails_again_exchange_or_return_full_price():
    out = run(200, channel="offline", price="2999.00", failed_repairs=2, **SANBAO)
    assert remedies(out) == ["return", "exchange"]
    assert one(out, "return")["amount"] == "2999.00"
    assert "第十一条" in one(out, "exchange")["basis"]
    assert "A6" in refs(out)


def test_e25_three_failed_repairs_inside_validity_the_same():
    assert remedies(run(300, channel="offline", failed_repairs=3, **SANBAO)) == [
        "return",
        "exchange",
    ]


def test_e25_two_failed_repairs_after_the_validity_nothing():
    assert run(366, channel="offline", failed_repairs=2, **SANBAO)["entitlements"] == []


def test_e27_producer_supplies_no_parts_91_days_exchange():
    out = run(150, channel="offline", parts_wait_days=91, **SANBAO)
    assert remedies(out) == ["exchange"]
    assert "部分商品修理更换退货责任规定第十二条" in one(out, "exchange")["basis"]


def test_e28_repairer_delay_31_days_exchange_30_days_repair():
    assert remedies(run(150, channel="offline", repair_delay_days=31, **SANBAO)) == ["exchange"]
    assert remedies(run(150, channel="offline", repair_delay_days=30, **SANBAO)) == ["repair"]


def test_e29_tv_screen_cracked_by_the_consumer_no_defect_no_sanbao():
    out = run(100, channel="offline", three_guarantees=True, warranty_days=365, defect="none")
    assert out["entitlements"] == []


def test_r13_d8_validity_extended_by_parts_wait_and_repair_delay():
    # 365 + 20 + 10 = 395 days from the sale.
    facts = {"channel": "offline", "parts_wait_days": 20, "repair_delay_days": 10, **SANBAO}
    assert remedies(run(395, **facts)) == ["repair"]
    assert run(396, **facts)["entitlements"] == []


def test_a3_sanbao_windows_count_from_sold_on_not_from_signing():
    # Sold (invoiced) 2025-02-24, signed 03-03: claim day 3 from signing is day 10 from sale.
    out = run(3, channel="offline", sold_on="2025-02-24", **SANBAO)
    assert remedies(out) == ["exchange", "repair"]
    assert "A3" in refs(out)
    # Online the 7-day no-reason return still counts from signing.
    assert remedies(run(3, sold_on="2025-02-24", **SANBAO)) == [
        "return_no_reason",
        "exchange",
        "repair",
    ]


def test_a3_an_invoice_dated_after_delivery_starts_the_sanbao_windows_later():
    out = run(9, channel="offline", sold_on="2025-03-05", **SANBAO)  # day 7 from the invoice
    assert remedies(out) == ["return", "exchange", "repair"]


def test_a12_a_cosmetic_quality_defect_on_a_sanbao_product_takes_cpl_24():
    out = run(120, channel="offline", **(SANBAO | {"defect": "quality"}))
    assert remedies(out) == ["exchange", "repair"]
    assert "消费者权益保护法第二十四条" in one(out, "exchange")["basis"]
    assert "A12" in refs(out)


# -- §4 E30–E32: fraud (R19) ---------------------------------------------------------------


def test_e30_fake_handbag_100_yuan_refund_100_plus_500():
    out = run(30, fraud=True, price="100")
    assert [(e["remedy"], e["amount"]) for e in out["entitlements"]] == [
        ("return", "100.00"),
        ("punitive_damages", "500.00"),
    ]
    assert one(out, "punitive_damages")["shipping_paid_by"] is None
    assert {"A10", "A11"} <= refs(out)


def test_e31_fake_handbag_1000_yuan_refund_1000_plus_3000():
    out = run(30, fraud=True, price="1000")
    assert one(out, "punitive_damages")["amount"] == "3000.00"
    assert one(out, "return")["amount"] == "1000.00"


@pytest.mark.parametrize(("price", "damages"), [("166", "500.00"), ("167", "501.00")])
def test_e32_fraud_166_gives_500_167_gives_501(price, damages):
    assert one(run(30, fraud=True, price=price), "punitive_damages")["amount"] == damages


def test_r19_fraud_in_a_physical_store_long_after_signing():
    out = run(400, channel="offline", fraud=True, price="2000")
    assert remedies(out) == ["return", "punitive_damages"]
    assert one(out, "punitive_damages")["amount"] == "6000.00"


def test_r19_fraud_with_proven_loss_compensates_it():
    out = run(30, fraud=True, price="100", loss="80")
    assert remedies(out) == ["return", "punitive_damages", "loss_compensation"]
    assert one(out, "loss_compensation")["amount"] == "80.00"


# -- §4 E33–E37: food (R21) ----------------------------------------------------------------


def test_e33_expired_snack_50_yuan_refund_50_plus_1000():
    out = run(10, price="50", **FOOD)
    assert [(e["remedy"], e["amount"]) for e in out["entitlements"]] == [
        ("return", "50.00"),
        ("food_punitive_damages", "1000.00"),
    ]
    assert {"A10", "A13", "A15"} <= refs(out)


def test_e33_food_and_fraud_not_stacked_only_the_higher_is_listed():
    out = run(10, price="50", fraud=True, **FOOD)
    assert remedies(out) == ["return", "food_punitive_damages"]
    assert one(out, "food_punitive_damages")["amount"] == "1000.00"


def test_r21_food_at_500_yuan_ten_times_the_price():
    out = run(10, price="500", **FOOD)
    assert one(out, "food_punitive_damages")["amount"] == "5000.00"
    out = run(10, price="500", fraud=True, **FOOD)
    assert "punitive_damages" not in remedies(out)


def test_e34_contaminated_food_500_yuan_medical_costs_2000_three_times_the_loss():
    out = run(10, price="500", loss="2000", **FOOD)
    assert [(e["remedy"], e["amount"]) for e in out["entitlements"]] == [
        ("return", "500.00"),
        ("food_punitive_damages", "6000.00"),
        ("loss_compensation", "2000.00"),
    ]


def test_e35_label_typo_only_safe_not_misleading_no_punitive_damages():
    out = run(10, price="500", label_defect_only=True, **FOOD)
    assert out["entitlements"] == []
    out = run(10, price="500", label_defect_only=True, fraud=True, **FOOD)
    assert out["entitlements"] == []


def test_e37_food_damages_note_the_household_quantity_judgement():
    out = run(10, price="50", **FOOD)
    assert any(n.startswith("A15 ") and "合理生活消费" in n for n in out["notes"])


def test_r21_safe_food_is_no_food_safety_case():
    out = run(10, price="500", food=True, food_safety_violation=False)
    assert out["entitlements"] == []


# -- §4 E38: knowing defect with serious harm (R20) ------------------------------------------


def test_e38_heater_fire_serious_injury_losses_100000_punitive_up_to_200000():
    out = run(60, price="300", loss="100000", known_defect_serious_harm=True)
    assert [(e["remedy"], e["amount"]) for e in out["entitlements"]] == [
        ("harm_punitive_damages", "200000.00"),
        ("loss_compensation", "100000.00"),
    ]
    assert "消费者权益保护法第五十五条第二款" in one(out, "harm_punitive_damages")["basis"]


def test_r20_harm_stacks_with_fraud_damages():
    out = run(60, price="300", loss="1000", known_defect_serious_harm=True, fraud=True)
    assert remedies(out) == [
        "return",
        "punitive_damages",
        "harm_punitive_damages",
        "loss_compensation",
    ]


# -- §3 order, §8 notes --------------------------------------------------------------------


def test_entitlements_come_in_the_contracts_order():
    out = run(
        3,
        defect="quality",
        fraud=True,
        known_defect_serious_harm=True,
        loss="10",
        price="100",
    )
    got = remedies(out)
    assert got == [r.value for r in Remedy if r.value in got]
    assert got == [
        "return_no_reason",
        "return",
        "exchange",
        "repair",
        "punitive_damages",
        "harm_punitive_damages",
        "loss_compensation",
    ]
    assert (
        one(out, "return")["basis"]
        == "消费者权益保护法第二十四条；消费者权益保护法第五十五条第一款"
    )


def test_amounts_are_two_decimal_strings_from_strings_or_numbers():
    line_ = json.dumps(line(3, price=199.5) | {"fraud": True, "loss": 7})
    out = evaluate_line(line_)
    assert [e["amount"] for e in out["entitlements"]] == ["199.50", "199.50", "598.50", "7.00"]


def test_a4_a_defect_loss_claimed_between_two_and_three_years_is_contested():
    out = run(claim_on="2027-09-01", defect="quality", loss="300")
    assert remedies(out) == ["loss_compensation"]
    assert "A4" in refs(out)


# -- A7 / E46: holidays on every 7- and 15-day consumer window -------------------------------

GOLDEN_WEEK = {"received_on": "2024-09-26", "claim_on": "2024-10-08"}  # day 7 = 10-03


def test_e46_no_reason_window_strict_by_default_extended_on_request():
    assert run(**GOLDEN_WEEK)["entitlements"] == []
    assert "A7" in refs(run(**GOLDEN_WEEK))
    assert remedies(run(**GOLDEN_WEEK, holiday_extension=True)) == ["return_no_reason"]


def test_a7_the_quality_return_window_ending_on_a_holiday():
    facts = GOLDEN_WEEK | {"channel": "offline", "defect": "quality"}
    strict = run(**facts)
    assert remedies(strict) == ["exchange", "repair"]
    assert "A7" in refs(strict)
    assert remedies(run(**facts, holiday_extension=True)) == ["return", "exchange", "repair"]


def test_a7_the_sanbao_15_day_window_ending_on_a_holiday():
    # Sold 2024-09-18: day 15 = 10-03 (National Day); claim 10-08.
    facts = {"channel": "offline", "sold_on": "2024-09-18", **GOLDEN_WEEK, **SANBAO}
    strict = run(**facts)
    assert remedies(strict) == ["repair"]
    assert "A7" in refs(strict)
    assert remedies(run(**facts, holiday_extension=True)) == ["exchange", "repair"]


def test_a7_not_noted_when_the_claim_is_inside_the_strict_window():
    assert "A7" not in refs(run(received_on="2024-09-26", claim_on="2024-10-03"))


# -- examples the contract cannot state ----------------------------------------------------


def test_e16_e18_the_refund_is_the_price_actually_paid_as_given():
    # Gifts (E16), bundles (E17) and lost free shipping (E18) are settled before the price
    # reaches the engine: it refunds exactly what `price` says was paid.
    assert one(run(6, price="340.00"), "return_no_reason")["amount"] == "340.00"


def test_e26_a6_sanbao_return_at_full_price_with_the_depreciation_flagged():
    out = run(200, channel="offline", price="3000.00", failed_repairs=2, **SANBAO)
    assert one(out, "return")["amount"] == "3000.00"
    (a6,) = [n for n in out["notes"] if n.startswith("A6 ")]
    assert "折旧" in a6
