"""The lines of a proposal as a request gives them: parsing each remedy line against the
catalogue (`remedies`), and the warnings a line earns without being refused. Pure Python,
no ORM; problems and warnings are codes with the field at fault, turned into messages by
`proposal_messages`. Whether the money adds up against the order is `money`'s."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aftersales.common.money import InvalidAmount, parse_yuan

from .remedies import (
    CUSTOMER_PAYS_CODES,
    KEPT_CODES,
    KEPT_MAX,
    KEPT_NAME_MAX,
    MAX_AMOUNT,
    MAX_DEADLINE_DAYS,
    NOTE_MAX,
    REFUND_FIRST_CODES,
    SHIP_FIRST_CODES,
    SPECS,
    AmountRule,
    Payer,
    RemedyCode,
    RemedyItem,
    usual,
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with an input: the field at fault, a stable code, parameters."""

    field: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProposalWarning:
    """Something to look at twice, which does not stop the proposal: a remedy unusual for
    the category, a refund counted toward authority for want of the order's amount.
    Stored with its line (codes and parameters, JSON-safe); read in the reader's language."""

    field: str
    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "field": self.field, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProposalWarning:
        return cls(data.get("field", ""), data["code"], dict(data.get("params") or {}))


def _amount(raw: Any) -> Decimal | str | None:
    """A Decimal, None when absent, or a problem code (the money parser's: amount_not_decimal,
    amount_negative, amount_too_precise, amount_too_large)."""
    if raw is None or raw == "":
        return None
    try:
        return parse_yuan(raw, ceiling=MAX_AMOUNT)
    except InvalidAmount as exc:
        return exc.amount_code


def _customer_pays(code: RemedyCode, raw: Any, amount: Decimal | None, at: str):
    """What the customer pays on this line (None when nothing), or the problem."""
    pays = _amount(raw)
    if isinstance(pays, str):
        return Problem(f"{at}.customer_pays", pays, {"max": MAX_AMOUNT})
    if pays is None or pays == 0:
        return None
    if code not in CUSTOMER_PAYS_CODES:
        return Problem(
            f"{at}.customer_pays",
            "customer_pays_not_applicable",
            {"code": code.value, "allowed": tuple(sorted(CUSTOMER_PAYS_CODES))},
        )
    if amount is not None and amount > 0:
        # Money both ways on one line hides which way it goes.
        return Problem(f"{at}.customer_pays", "customer_pays_with_amount", {"code": code.value})
    return pays


def _kept(code: RemedyCode, raw: Any, at: str) -> tuple[str, ...] | Problem:
    """The names of the bundle components the customer keeps; whether they are in the
    bundle is `money`'s to check against the order."""
    if raw is None or raw == [] or raw == ():
        return ()
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        return Problem(f"{at}.kept", "kept_not_list")
    if code not in KEPT_CODES:
        return Problem(f"{at}.kept", "kept_not_applicable", {"code": code.value})
    if len(raw) > KEPT_MAX:
        return Problem(f"{at}.kept", "kept_too_many", {"max": KEPT_MAX})
    names: list[str] = []
    for m, name in enumerate(raw):
        if not isinstance(name, str) or not name.strip() or len(name) > KEPT_NAME_MAX:
            return Problem(f"{at}.kept.{m}", "kept_name_invalid", {"max": KEPT_NAME_MAX})
        if name.strip() in names:
            return Problem(f"{at}.kept.{m}", "kept_repeated", {"name": name.strip()})
        names.append(name.strip())
    return tuple(names)


FLAG_CODES = {"refund_first": REFUND_FIRST_CODES, "ship_first": SHIP_FIRST_CODES}


def _flags(code: RemedyCode, line: Mapping[str, Any], at: str) -> dict[str, bool] | Problem:
    """The line's optional flags (refund_first on a return, ship_first on an exchange):
    absent or false means no; true only on the lines it applies to."""
    flags: dict[str, bool] = {}
    for name, codes in FLAG_CODES.items():
        raw = line.get(name)
        if raw is None or raw is False:
            continue
        if raw is not True:
            return Problem(f"{at}.{name}", "flag_not_bool")
        if code not in codes:
            return Problem(
                f"{at}.{name}",
                "flag_not_applicable",
                {"flag": name, "code": code.value, "allowed": tuple(sorted(codes))},
            )
        flags[name] = True
    return flags


def parse_items(
    raw: Any, category: str, *, prefix: str = "remedies"
) -> tuple[list[RemedyItem], list[Problem]]:
    """Remedy lines from a request: each {code, amount, customer_pays, kept,
    deadline_days, shipping_paid_by, note, refund_first, ship_first}. Every problem is
    reported, each naming its line (`remedies.1.amount`). The category does not limit
    the remedies (see `category_warnings`); it stays a parameter for the callers' sake."""
    if not isinstance(raw, Sequence) or isinstance(raw, str | bytes):
        return [], [Problem(prefix, "remedies_not_list")]
    if not raw:
        return [], [Problem(prefix, "remedies_empty")]
    items: list[RemedyItem] = []
    problems: list[Problem] = []
    seen: set[RemedyCode] = set()
    for i, line in enumerate(raw):
        at = f"{prefix}.{i}"
        if not isinstance(line, Mapping):
            problems.append(Problem(at, "remedy_not_object"))
            continue
        code_raw = line.get("code")
        try:
            code = RemedyCode(code_raw)
        except ValueError:
            problems.append(Problem(f"{at}.code", "remedy_unknown", {"code": str(code_raw or "")}))
            continue
        if code in seen:
            problems.append(Problem(f"{at}.code", "remedy_repeated", {"code": code.value}))
            continue
        seen.add(code)
        spec = SPECS[code]
        amount = _amount(line.get("amount"))
        if isinstance(amount, str):
            problems.append(Problem(f"{at}.amount", amount, {"max": MAX_AMOUNT}))
            continue
        if spec.amount == AmountRule.REQUIRED and (amount is None or amount == 0):
            problems.append(Problem(f"{at}.amount", "amount_required", {"code": code.value}))
            continue
        if spec.amount == AmountRule.NONE and amount not in (None, Decimal(0)):
            problems.append(Problem(f"{at}.amount", "amount_not_applicable", {"code": code.value}))
            continue
        if spec.amount == AmountRule.NONE:
            amount = None
        pays = _customer_pays(code, line.get("customer_pays"), amount, at)
        if isinstance(pays, Problem):
            problems.append(pays)
            continue
        kept = _kept(code, line.get("kept"), at)
        if isinstance(kept, Problem):
            problems.append(kept)
            continue
        flags = _flags(code, line, at)
        if isinstance(flags, Problem):
            problems.append(flags)
            continue
        days = line.get("deadline_days", spec.default_deadline_days)
        if days is not None and (
            isinstance(days, bool)
            or not isinstance(days, int)
            or not 0 <= days <= MAX_DEADLINE_DAYS
        ):
            problems.append(
                Problem(f"{at}.deadline_days", "deadline_invalid", {"max": MAX_DEADLINE_DAYS})
            )
            continue
        payer_raw = line.get("shipping_paid_by")
        payer: Payer | None = None
        if spec.goods_move:
            try:
                payer = Payer(payer_raw) if payer_raw else Payer.MERCHANT
            except ValueError:
                problems.append(Problem(f"{at}.shipping_paid_by", "payer_invalid"))
                continue
        note = line.get("note") or ""
        if not isinstance(note, str) or len(note) > NOTE_MAX:
            problems.append(Problem(f"{at}.note", "note_too_long", {"max": NOTE_MAX}))
            continue
        items.append(
            RemedyItem(
                code=code,
                amount=amount,
                deadline_days=days,
                shipping_paid_by=payer,
                note=note.strip(),
                customer_pays=pays,
                kept=kept,
                **flags,
            )
        )
    return items, problems


def category_warnings(
    items: Sequence[RemedyItem], category: str, *, prefix: str = "remedies"
) -> list[ProposalWarning]:
    """A warning for each line whose remedy is not usual for the category: the category
    is a machine's guess, so the remedy stands and the classification is to be checked."""
    common = usual(category)
    return [
        ProposalWarning(
            f"{prefix}.{i}.code",
            "remedy_unusual_for_category",
            {"code": item.code.value, "category": str(category)},
        )
        for i, item in enumerate(items)
        if item.code not in common
    ]
