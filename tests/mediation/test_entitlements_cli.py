"""`aftersales entitlements` end to end through the installed console script, as other tools
run it: one JSON line out per line in, in order, exit status 0."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "aftersales"
ENTITLEMENT_KEYS = {"remedy", "basis", "amount", "shipping_paid_by", "merchant_deadline_days"}


def run(stdin: bytes, *args: str) -> tuple[int, list[dict]]:
    done = subprocess.run(
        [str(BIN), "entitlements", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=120
    )
    assert done.stderr == b"", done.stderr
    return done.returncode, [json.loads(line) for line in done.stdout.decode().splitlines()]


def line(**facts) -> bytes:
    base = {"channel": "online", "price": "199.00", "received_on": "2025-03-03"}
    return json.dumps(base | facts, ensure_ascii=False).encode()


def test_a_mixed_batch_answers_every_line_in_order():
    lines = [
        line(id="E01", claim_on="2025-03-10"),
        b"not json at all",
        b"",
        line(id="E02", claim_on="2025-03-11"),
        b"[1, 2, 3]",
        line(id="bad-bool", claim_on="2025-03-05", intact="true"),
        line(claim_on="2025-03-05"),  # no id
        b'{"id": 9, "channel": "online", "price": "1", "received_on": "\xff\xfe"}',
        line(id=31, claim_on="2025-04-01", price="1000", fraud=True),
        line(id="食品", claim_on="2025-03-05", price="50", food=True, food_safety_violation=True),
        line(id="E23", claim_on="2025-03-13", channel="offline", three_guarantees=True,
             warranty_days=365, defect="performance_fault"),
        line(id="bad-date", claim_on="2025-13-01"),
    ]  # fmt: skip
    code, out = run(b"\n".join(lines) + b"\n")
    assert code == 0
    assert [o["id"] for o in out] == [
        "E01", None, None, "E02", None, "bad-bool", None, None, 31, "食品", "E23", "bad-date"
    ]  # fmt: skip
    errors = [o for o in out if "error" in o]
    assert len(errors) == 7
    assert all(set(o) == {"id", "error"} and o["error"] for o in errors)
    assert out[5]["error"] == 'intact: 必须是 true 或 false，收到 "true"'
    assert out[6]["error"] == "id: 缺少必填字段"
    assert out[11]["error"].startswith('claim_on: 不是有效的日期 "2025-13-01"')

    results = [o for o in out if "error" not in o]
    for o in results:
        assert set(o) == {"id", "entitlements", "notes"}
        assert all(set(e) == ENTITLEMENT_KEYS for e in o["entitlements"])
        assert all(isinstance(n, str) and n for n in o["notes"])
    assert out[0]["entitlements"] == [
        {
            "remedy": "return_no_reason",
            "basis": "消费者权益保护法第二十五条；"
            "网络购买商品七日无理由退货暂行办法第二条、第六条、第十条、第十三条",
            "amount": "199.00",
            "shipping_paid_by": "consumer",
            "merchant_deadline_days": 7,
        }
    ]
    assert out[3]["entitlements"] == []
    assert [(e["remedy"], e["amount"]) for e in out[8]["entitlements"]] == [
        ("return", "1000.00"),
        ("punitive_damages", "3000.00"),
    ]
    food = {e["remedy"]: e["amount"] for e in out[9]["entitlements"]}
    assert food["food_punitive_damages"] == "1000.00"
    assert [e["remedy"] for e in out[10]["entitlements"]] == ["exchange", "repair"]


def test_without_a_final_newline_and_with_crlf():
    data = line(id=1, claim_on="2025-03-04") + b"\r\n" + line(id=2, claim_on="2025-03-20")
    code, out = run(data)
    assert code == 0
    assert [o["id"] for o in out] == [1, 2]
    assert out[0]["entitlements"][0]["remedy"] == "return_no_reason"


def test_empty_input_gives_empty_output():
    assert run(b"") == (0, [])


def test_holiday_extension_is_an_option():
    data = line(id="E46", received_on="2024-09-26", claim_on="2024-10-05") + b"\n"
    assert run(data)[1][0]["entitlements"] == []
    extended = run(data, "--holiday-extension")[1][0]
    assert extended["entitlements"][0]["remedy"] == "return_no_reason"
    assert any(n.startswith("A7 ") for n in extended["notes"])


def test_output_is_utf8_not_escaped():
    done = subprocess.run(
        [str(BIN), "entitlements"], input=line(id="中", claim_on="2025-03-04"), capture_output=True
    )
    text = done.stdout.decode("utf-8")
    assert '"id": "中"' in text and "消费者权益保护法" in text


def test_ids_of_any_type_claims_before_signing_and_a_bom_through_the_binary():
    lines = [
        b"\xef\xbb\xbf" + line(id="bom", claim_on="2025-03-04"),
        line(id={"order": "甲"}, claim_on="2025-03-01"),  # claim before signing
        line(id=[1, 2], claim_on="2025-03-11"),
        line(id=True, claim_on="2025-03-04", price="x"),
        line(id="", claim_on="2025-03-04"),
        b'{"id": 1.5e400, "channel": "online", "price": "1", "received_on": "2025-03-03",'
        b' "claim_on": "2025-03-04"}',
        line(id="invoice-later", channel="offline", sold_on="2025-03-05", claim_on="2025-03-12",
             three_guarantees=True, warranty_days=365, defect="performance_fault"),
    ]  # fmt: skip
    code, out = run(b"\n".join(lines) + b"\n")
    assert code == 0
    assert [o["id"] for o in out] == [
        "bom", {"order": "甲"}, [1, 2], True, "", 15 * 10**399, "invoice-later"
    ]  # fmt: skip
    assert [e["remedy"] for e in out[0]["entitlements"]] == ["return_no_reason"]
    assert [e["remedy"] for e in out[1]["entitlements"]] == ["return_no_reason"]
    assert out[2]["entitlements"] == []
    assert out[3]["error"].startswith("price: 不是有效的金额")
    assert [e["remedy"] for e in out[6]["entitlements"]] == ["return", "exchange", "repair"]
