"""One JSON line of the CLI contract into Facts, with messages that name the field."""

from __future__ import annotations

import enum
import json
import math
import re
from dataclasses import fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .facts import (
    DAYS_MAX,
    FEN,
    MONEY_MAX,
    SHANGHAI,
    Channel,
    Defect,
    Facts,
    GoodsKind,
    money,
)
from .rules import evaluate


class FactsError(ValueError):
    """The line cannot be evaluated; `str()` is the message for the caller (Chinese)."""


REQUIRED = ("channel", "price", "received_on", "claim_on")
_MONEY = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # ASCII digits only, with fullmatch
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ENUMS: dict[str, type[enum.StrEnum]] = {
    "channel": Channel,
    "goods_kind": GoodsKind,
    "defect": Defect,
}
_BOOLS = tuple(f.name for f in fields(Facts) if f.type in ("bool", bool))
_INTS = tuple(f.name for f in fields(Facts) if f.type in ("int", int))


def _shown(value: Any, limit: int = 40) -> str:
    text = json.dumps(_plain(value), ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value: Any) -> Any:
    """JSON-ready: numbers parsed as Decimal (for exact money) go back to int or float."""
    if isinstance(value, Decimal):
        integral = value == value.to_integral_value()
        if integral and "." not in str(value):
            return int(value)
        number = float(value)
        if math.isinf(number) or (number == 0 and value != 0):
            # Beyond a double (1.5e400, 1e-400): an integer keeps the value exactly; a
            # fraction keeps it as its text, never the invalid JSON `Infinity`.
            return int(value) if integral else str(value)
        return number
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _parsemoney(name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise FactsError(
            f'{name}: 不是有效的金额 {_shown(value)}（应为如 "199.00" 的十进制字符串）'
        )
    if isinstance(value, str):
        if not _MONEY.fullmatch(value):
            raise FactsError(
                f'{name}: 不是有效的金额 {_shown(value)}（应为如 "199.00" 的十进制字符串）'
            )
        amount = Decimal(value)
    else:
        amount = Decimal(value)
    if not amount.is_finite():
        raise FactsError(f"{name}: 不是有效的金额 {_shown(value)}")
    if amount < 0:
        raise FactsError(f"{name}: 不能为负数 {_shown(value)}")
    if amount >= MONEY_MAX:  # first: quantizing 1e26 to fen overflows Decimal's precision
        raise FactsError(f"{name}: 金额过大 {_shown(value)}")
    if amount != amount.quantize(FEN, rounding=ROUND_HALF_UP):
        raise FactsError(f"{name}: 最多两位小数（精确到分） {_shown(value)}")
    return money(amount)


YEARS = range(1900, 3000)  # room for every period the rules add (up to a century of days)


def _parse_date(name: str, value: Any) -> date:
    """An ISO date; an ISO date-time gives its date (in Asia/Shanghai when it has an offset),
    since the hour of signing does not matter (legal.md D4)."""
    wrong = f'{name}: 不是有效的日期 {_shown(value)}（应为 ISO 日期，如 "2025-03-03"）'
    if not isinstance(value, str):
        raise FactsError(wrong)
    day = None
    try:
        if _DATE.fullmatch(value):
            day = date.fromisoformat(value)
        elif len(value) > 10 and value[10] in "Tt " and _DATE.fullmatch(value[:10]):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment = moment.astimezone(SHANGHAI)
            day = moment.date()
    except (ValueError, OverflowError):
        pass
    if day is None:
        raise FactsError(wrong)
    if day.year not in YEARS:
        raise FactsError(f"{name}: 年份超出范围（1900–2999） {_shown(value)}")
    return day


def _parse_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise FactsError(f"{name}: 必须是 true 或 false，收到 {_shown(value)}")
    return value


def _parse_int(name: str, value: Any) -> int:
    whole = isinstance(value, int) or (
        isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()
    )
    if isinstance(value, bool) or not whole:
        raise FactsError(f"{name}: 必须是非负整数（天数或次数），收到 {_shown(value)}")
    number = int(value)
    if number < 0:
        raise FactsError(f"{name}: 不能为负数 {_shown(value)}")
    if number > DAYS_MAX:
        raise FactsError(f"{name}: 数值过大 {_shown(value)}")
    return number


def _parse_enum(name: str, value: Any) -> enum.StrEnum:
    kind = _ENUMS[name]
    if isinstance(value, str) and value in kind._value2member_map_:
        return kind(value)
    choices = "、".join(m.value for m in kind)
    raise FactsError(f"{name}: 未知的取值 {_shown(value)}，可选：{choices}")


def parse_id(obj: dict[str, Any]) -> Any:
    """The id to echo: as given (numbers as numbers), None when missing."""
    return _plain(obj.get("id"))


FIELDS = tuple(f.name for f in fields(Facts))


def parse_field(name: str, raw: Any) -> Any:
    """One field of the contract (not null) as the engine reads it; FactsError names the
    field. Money and counts take strings, ints or Decimals (never floats: parse JSON with
    `parse_float=Decimal` to keep numbers exact)."""
    if name in _ENUMS:
        return _parse_enum(name, raw)
    if name in ("price", "loss"):
        return _parsemoney(name, raw)
    if name in ("received_on", "claim_on", "sold_on"):
        return _parse_date(name, raw)
    if name in _BOOLS:
        return _parse_bool(name, raw)
    if name in _INTS:
        return _parse_int(name, raw)
    raise KeyError(name)


def parse_facts(obj: dict[str, Any]) -> Facts:
    """Facts from one JSON object (extra keys ignored; null means "not given").

    Raises FactsError naming every field that is wrong, joined by "；".
    """
    errors: list[str] = []
    if obj.get("id") is None:  # any other JSON value is an id, echoed back as given
        errors.append("id: 缺少必填字段")
    values: dict[str, Any] = {}
    for f in fields(Facts):
        name = f.name
        raw = obj.get(name)
        if raw is None:
            if name in REQUIRED:
                errors.append(f"{name}: 缺少必填字段")
            continue
        try:
            values[name] = parse_field(name, raw)
        except FactsError as exc:
            errors.append(str(exc))
    # No order is imposed on the dates: a claim raised before signing (a parcel refused at
    # the door, a fault announced before delivery) falls before every window closes
    # (legal.md §0: "a notice sent on the signing day itself ... falls before the window
    # closes"), and an invoice can be dated after delivery (A3). Both are evaluated.
    if errors:
        raise FactsError("；".join(errors))
    return Facts(**values)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def evaluate_line(line: str, *, holiday_extension: bool = False) -> dict[str, Any]:
    """One line of the CLI contract in, its output object out (never raises for bad input).

    Blank lines, non-JSON and non-objects answer an error with "id": null, like
    `aftersales classify`, so every input line has exactly one output line.
    """
    line = line.removeprefix("\ufeff")  # a byte-order mark (Windows tools) is not content
    if not line.strip():
        return {"id": None, "error": "空行：每行应为一个 JSON 对象"}
    try:
        obj = json.loads(line, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return {"id": None, "error": "不是合法的 JSON"}
    if not isinstance(obj, dict):
        return {"id": None, "error": '每行必须是 JSON 对象，形如 {"id": ..., "channel": ...}'}
    ident = parse_id(obj)
    try:
        facts = parse_facts(obj)
    except FactsError as exc:
        return {"id": ident, "error": str(exc)}
    return {"id": ident} | evaluate(facts, holiday_extension=holiday_extension).as_dict()
