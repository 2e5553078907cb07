"""The `aftersales classify` contract, end to end through the installed console script."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "aftersales"
RESULT_KEYS = {
    "id",
    "category",
    "categories",
    "severity",
    "escalation_risk",
    "confidence",
    "signals",
}
CATEGORIES = {
    "quality", "not_as_described", "counterfeit", "price_promotion", "wrong_or_missing",
    "shipping_delay", "logistics", "out_of_stock", "service", "return_refund",
    "repair_installation", "other",
}  # fmt: skip


def run(stdin: bytes, *args: str) -> tuple[int, list[dict]]:
    done = subprocess.run(
        [str(BIN), "classify", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=120
    )
    lines = done.stdout.decode("utf-8").splitlines()
    return done.returncode, [json.loads(line) for line in lines]


def jsonl(*objs: object) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs).encode("utf-8")


def test_ids_of_any_json_type_are_echoed_in_order():
    ids = [7, "SH-1", None, 2.5, True, [1, "a"], {"k": {"n": 1}}, "重复", 7]
    texts = ["手机用了三天就坏了", "快递把箱子压坏了", "客服态度太差", "下单五天了还没发货"]
    code, out = run(jsonl(*({"id": i, "text": texts[n % 4]} for n, i in enumerate(ids))))
    assert code == 0
    assert [o["id"] for o in out] == ids
    for o in out:
        assert set(o) == RESULT_KEYS
        assert o["category"] in CATEGORIES
        assert o["severity"] in {"general", "complex", "major"}
        assert isinstance(o["escalation_risk"], bool)
        assert 0.0 <= o["confidence"] <= 1.0
        assert all(isinstance(s, str) for s in o["signals"])
        assert o["category"] not in o["categories"]


def test_malformed_lines_give_an_error_line_and_processing_continues():
    lines = [
        b'{"id": 1, "text": "\xe5\x8f\x91\xe9\x94\x99\xe8\xb4\xa7\xe4\xba\x86"}',  # 发错货了
        b"not json at all",
        b"",
        b"   ",
        b"[1, 2, 3]",
        b'"just a string"',
        b'{"id": "no-text"}',
        b'{"id": {"a": 1}, "text": 42}',
        b'{"id": 5, "text": null}',
        b'{"id": NaN, "text": "x"}',
        b'{"id": 9, "text": "\xff\xfe broken utf-8"}',
        b'{"id": 10, "text": "\xe6\xbc\x8f\xe7\x94\xb5"}',  # 漏电
    ]
    code, out = run(b"\n".join(lines) + b"\n")
    assert code == 0
    assert len(out) == len(lines)
    assert set(out[0]) == RESULT_KEYS and out[0]["id"] == 1
    errors = out[1:11]
    assert all(set(o) == {"id", "error"} and o["error"] for o in errors)
    assert [o["id"] for o in errors] == [
        None,
        None,
        None,
        None,
        None,
        "no-text",
        {"a": 1},
        5,
        None,
        None,
    ]
    assert out[11]["id"] == 10 and out[11]["severity"] == "major"


def test_order_is_kept_across_batches_and_without_a_final_newline():
    objs = [{"id": n, "text": f"第{n}件衣服洗了就掉色"} for n in range(11)]
    data = jsonl(*objs).rstrip(b"\n")
    code, out = run(data, "--batch-size", "3")
    assert code == 0
    assert [o["id"] for o in out] == list(range(11))


def test_empty_input_gives_empty_output():
    assert run(b"") == (0, [])


def test_output_is_utf8_not_escaped():
    done = subprocess.run(
        [str(BIN), "classify"], input=jsonl({"id": "中", "text": "假货"}), capture_output=True
    )
    assert '"id": "中"' in done.stdout.decode("utf-8")
