"""Case facts people record (`PUT /api/v1/disputes/{number}/facts`), checked before anything
is written. The names, types and limits are the `aftersales entitlements` contract's: its
own parsing (`entitlements.parsing.parse_field`) judges each value, so a fact the API
accepts is one the command accepts, with the same message. Pure: no ORM; problems name
the field (`facts.loss`, `reason`, `evidence_ids.0`) and services translate their codes."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from . import entitlements as engine
from .investigation_rules import Problem

# Every fact of the contract can be recorded: the order's and product's (channel, price,
# dates, goods kind, 三包) may be missing or wrong on an imported order, and the
# investigation's (defect, intact, fraud, loss, …) have no other source but people.
RECORDABLE: tuple[str, ...] = engine.FIELDS
REASON_MAX = 2000
EVIDENCE_MAX = 50


def json_value(value: Any) -> Any:
    """An engine value in the contract's JSON form: ISO dates, money as a decimal string
    with two places, enum codes; booleans and whole numbers as they are."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def engine_value(name: str, value: Any) -> Any:
    """A recorded (JSON form) value as the engine reads it."""
    return engine.parse_field(name, value)


def _exact(raw: Any) -> Any:
    """A JSON number the API parsed as a float, back to the decimal it was written as
    (the shortest repr round-trips it), so `"loss": 600.5` is read like `"600.5"` and a
    count like 2.0 like 2, as the command reads numbers; NaN and infinities stay invalid."""
    return Decimal(repr(raw)) if isinstance(raw, float) else raw


def parse_recorded(raw: Any) -> tuple[dict[str, Any], list[Problem]]:
    """The facts of one PUT: name → value in JSON form, or None to withdraw a recorded
    finding (the fact falls back to the order, the investigation or the default). Every
    wrong name and value is a problem; nothing is returned as valid when one is found."""
    if not isinstance(raw, Mapping) or not raw:
        return {}, [Problem("facts", "facts_required", {"choices": list(RECORDABLE)})]
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, given in raw.items():
        if name not in RECORDABLE:
            problems.append(Problem(f"facts.{name}", "fact_unknown", {"choices": RECORDABLE}))
            continue
        if given is None:
            values[name] = None
            continue
        try:
            values[name] = json_value(engine_value(name, _exact(given)))
        except engine.FactsError as exc:
            # The contract's message starts with the field's name, which the path names.
            message = str(exc).removeprefix(f"{name}: ")
            problems.append(Problem(f"facts.{name}", "fact_invalid", {"message": message}))
    return ({} if problems else values), problems


def reason_problems(reason: Any) -> list[Problem]:
    if not isinstance(reason, str) or not reason.strip():
        return [Problem("reason", "reason_required")]
    if len(reason.strip()) > REASON_MAX:
        return [Problem("reason", "reason_too_long", {"max": REASON_MAX})]
    return []


def evidence_id_problems(ids: Any) -> list[Problem]:
    """A list of evidence ids (whole numbers); whether they are this dispute's is for the
    service to check."""
    if ids is None:
        return []
    if not isinstance(ids, list | tuple):
        return [Problem("evidence_ids", "evidence_ids_list")]
    if len(ids) > EVIDENCE_MAX:
        return [Problem("evidence_ids", "evidence_ids_too_many", {"max": EVIDENCE_MAX})]
    return [
        Problem(f"evidence_ids.{i}", "evidence_id_invalid")
        for i, v in enumerate(ids)
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0
    ]


def changes(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """What a PUT changes in the recorded values: name → (recorded before, recorded
    after); None is "not recorded". Facts not named keep their value (a merge), and a
    value equal to the one recorded is no change."""
    out: dict[str, tuple[Any, Any]] = {}
    for name, value in wanted.items():
        before = current.get(name)
        # type() too: JSON's true is not the count 1.
        if before != value or type(before) is not type(value):
            out[name] = (before, value)
    return out
