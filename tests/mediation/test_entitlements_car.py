"""Engine scenarios added for issue 10: the household-car rule (legal.md R18, 家用汽车产品修理
更换退货责任规定 2021) and what may remain once a 三包 validity has passed (legal.md R17,
R22, R24, §8 A4) — through the `aftersales entitlements` contract, and the command itself."""

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from aftersales.mediation.entitlements import evaluate_line

ROOT = Path(__file__).resolve().parents[2]
SIGNED = date(2025, 3, 3)
CAR = {
    "channel": "offline",
    "price": "150000.00",
    "car": True,
    "three_guarantees": True,
    "warranty_days": 730,
    "defect": "performance_fault",
}
SANBAO = {"three_guarantees": True, "warranty_days": 365, "defect": "performance_fault"}


def run(day: int, **facts) -> dict:
    line = {
        "id": "case",
        "channel": "online",
        "price": "199.00",
        "received_on": SIGNED.isoformat(),
        "claim_on": (SIGNED + timedelta(days=day)).isoformat(),
    } | facts
    out = evaluate_line(json.dumps(line, ensure_ascii=False))
    assert set(out) == {"id", "entitlements", "notes"}, out
    return out


def remedies(out: dict) -> list[str]:
    return [e["remedy"] for e in out["entitlements"]]


def notes(out: dict) -> list[str]:
    return out["notes"]


def refs(out: dict) -> set[str]:
    return {n.split(" ", 1)[0] for n in out["notes"]}


# -- R18: the car rule ---------------------------------------------------------------------


def test_r18g_a_car_repaired_twice_inside_the_validity_exchange_or_return():
    # legal.md R18g (Art. 24): serious fault repaired twice and still there → exchange or
    # return; E41: brake failures repaired count toward it.
    out = run(200, failed_repairs=2, **CAR)
    assert remedies(out) == ["return", "exchange"]
    for ent in out["entitlements"]:
        assert "家用汽车产品修理更换退货责任规定第二十四条" in ent["basis"]
        assert "部分商品修理更换退货责任规定" not in ent["basis"]  # not the 1995 rule
        assert ent["shipping_paid_by"] == "merchant"
    (refund,) = [e for e in out["entitlements"] if e["remedy"] == "return"]
    assert refund["amount"] == "150000.00"
    # R18h: the usage fee is deducted from an Art. 24 return — flagged, not computed.
    assert any(n.startswith("R18 ") and "使用补偿费" in n for n in notes(out))


def test_r18b_a_car_with_one_repair_is_repaired_free():
    out = run(200, failed_repairs=1, **CAR)
    assert remedies(out) == ["repair"]
    assert "家用汽车产品修理更换退货责任规定第十九条" in out["entitlements"][0]["basis"]
    assert "R18" in refs(out)


def test_r18_a_car_on_day_3_is_repaired_not_returned_under_cpl_24():
    # legal.md §3.3: a car takes the car rule; the whole-car return within 7 days (R18e)
    # needs an engine or gearbox replacement, which people judge from the note.
    out = run(3, **CAR)
    assert remedies(out) == ["repair"]
    (car_note,) = [n for n in notes(out) if n.startswith("R18 ") and "第二十二条" in n]
    assert "发动机" in car_note and "第二十三条" in car_note


def test_r18a_the_validity_is_at_least_two_years_the_warranty_three():
    short = CAR | {"warranty_days": 0, "failed_repairs": 2}
    assert remedies(run(700, **short)) == ["return", "exchange"]  # 2 years by law
    past_validity = run(800, **short)
    assert remedies(past_validity) == ["repair"]  # the 3-year warranty still runs
    assert "after_sanbao_validity" not in json.dumps(past_validity)
    assert remedies(run(1100, **short)) == []


def test_r18a_a_longer_maker_validity_counts():
    assert remedies(run(1000, failed_repairs=2, **(CAR | {"warranty_days": 1095}))) == [
        "return",
        "exchange",
    ]


def test_r18_a_car_past_its_warranty_has_the_after_validity_note():
    out = run(1200, **CAR)
    assert out["entitlements"] == []
    assert any(n.startswith("A4 三包有效期（汽车为包修期）已过") for n in notes(out))


def test_a_car_without_a_defect_takes_no_car_rule():
    out = run(3, **(CAR | {"defect": "none"}))
    assert out["entitlements"] == [] and "R18" not in refs(out)


def test_the_car_flag_is_a_strict_boolean_of_the_contract():
    out = evaluate_line(
        json.dumps({"id": 1, "channel": "offline", "price": "1", "received_on": "2025-03-03",
                    "claim_on": "2025-03-04", "car": "true"})
    )  # fmt: skip
    assert out == {"id": 1, "error": 'car: 必须是 true 或 false，收到 "true"'}


# -- after the 三包 validity: not silence ------------------------------------------------


def test_r17_r22_a_phone_past_its_sanbao_validity_gets_the_note_not_silence():
    out = run(366, channel="offline", **SANBAO)
    assert out["entitlements"] == []  # no 三包 remedy is computed
    (note,) = [n for n in notes(out) if n.startswith("A4 ")]
    # Its basis: the seller's liability for a defect that existed at sale (R17, R22) ...
    assert "产品质量法第四十条" in note and "民法典" in note and "第六百一十七条" in note
    assert "售出时即已存在" in note
    # ... and the ambiguity: the notice period (民法典 621) and the 2 vs 3 years (A4).
    assert "第六百二十一条" in note and "2年" in note and "3年" in note and "有争议" in note


def test_the_note_is_not_shown_inside_the_validity():
    assert "A4" not in refs(run(365, channel="offline", **SANBAO))
    assert "A4" not in refs(run(366, channel="offline", failed_repairs=2, **(SANBAO | {
        "warranty_days": 400})))  # fmt: skip


def test_a_sanbao_product_with_no_validity_period_after_day_15():
    out = run(16, channel="offline", three_guarantees=True, defect="performance_fault")
    assert out["entitlements"] == []
    assert "A4" in refs(out)


def test_a_cosmetic_quality_defect_on_sanbao_goods_stays_on_the_cpl_route():
    out = run(400, channel="offline", **(SANBAO | {"defect": "quality"}))
    assert [e["remedy"] for e in out["entitlements"]] == ["exchange", "repair"]
    assert not any(n.startswith("A4 三包有效期") for n in notes(out))


def test_the_command_shows_the_after_validity_note():
    line = {
        "id": "phone",
        "channel": "online",
        "price": "2999.00",
        "received_on": "2025-03-03",
        "claim_on": "2026-05-06",
        **SANBAO,
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "aftersales"), "entitlements"],
        input=json.dumps(line, ensure_ascii=False).encode() + b"\n",
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0 and done.stderr == b""
    (out,) = [json.loads(x) for x in done.stdout.decode().splitlines()]
    assert out["id"] == "phone" and out["entitlements"] == []
    assert any(n.startswith("A4 三包有效期") for n in out["notes"])
