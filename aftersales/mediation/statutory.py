"""Does a proposal meet the statutory minimum (SPEC §5, legal.md §2-§4)? A pure comparison,
judged as a lawyer would, of a proposal's remedy lines with the entitlements engine's
output for the case (its contract shape: [{"remedy", "basis", "amount",
"shipping_paid_by", "merchant_deadline_days", ...}]) and the customer's own request (诉求).
A proposal below the minimum is not forbidden — the customer may agree to less — but it
goes to legal before it can be sent. docs/mediation.md, "法定标准核对", has the reasoning.

- Goods remedies are ordered: a full refund with the goods back ≥ exchange ≥ repair; a
  仅退款 of the full price is at least a return, a take-back a return, a whole-product
  exchange (or a re-shipment) an exchange. Money lines add up, however many there are.
- The customer chooses among the goods remedies the law gives (CPL 24): what they asked
  for, up to the best the law gives, is the minimum; when their request names no goods
  remedy, any entitled one offered in full meets it. A remedy above the minimum meets it.
- The merchant pays shipping where the law says so, within the law's deadline.
- Damages (punitive, food punitive, losses) are money on top of the refund; the
  harm punitive damages are a ceiling a court applies, not a floor.
- `line_entitlements` says which entitlement each line delivers (none: goodwill, resting
  on the parties' agreement); the agreement's legal basis reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .remedies import Payer, RemedyItem
from .statutory_terms import (
    CASH_LINES,
    CEILING_ENTITLEMENTS,
    COMPENSATION_LINES,
    DAMAGES_ENTITLEMENTS,
    ENTITLEMENT_LEVEL,
    GOODS_BACK_LINES,
    GOODS_LINES,
    KEPT_CASH_LINES,
    PRICE_LINES,
    REFUND_LINES,
    REQUEST_LEVEL,
    ZERO,
    Case,
    Ent,
    Level,
    R,
    Target,
    cash_of,
    dec,
    goods_entitlements,
    joined,
    price_due,
    refund_due,
    targets,
)

__all__ = [
    "Case",
    "LineBasis",
    "Shortfall",
    "Target",
    "agreed_basis",
    "goods_entitlements",
    "line_entitlements",
    "price_due",
    "refund_due",
    "shortfalls",
    "targets",
]


@dataclass(frozen=True)
class Shortfall:
    """One way the proposal falls below the law, with the entitlement it falls short of."""

    code: str  # refund_below_price | statutory_remedy_missing | remedy_below_request
    # | shipping_on_customer | deadline_too_long | customer_charged
    # | compensation_below_statutory
    remedy: str  # the entitlement's remedy code(s), comma-separated
    basis: str
    required: Decimal | None = None
    offered: Decimal | None = None
    params: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "remedy": self.remedy,
            "basis": self.basis,
            "required": None if self.required is None else f"{self.required:.2f}",
            "offered": None if self.offered is None else f"{self.offered:.2f}",
            "params": dict(self.params or {}),
        }


@dataclass(frozen=True)
class LineBasis:
    """An agreed line and the entitlements it delivers; none: goodwill."""

    item: RemedyItem
    entitlements: tuple[Ent, ...]


def _terms(item: RemedyItem, ent: Ent, cured: bool) -> list[Shortfall]:
    """The line's shipping, deadline and charge against the entitlement it stands for."""
    out = []
    remedy, basis = ent["remedy"], ent.get("basis", "")
    merchant = ent.get("shipping_paid_by") == Payer.MERCHANT
    if merchant and item.spec.goods_move and item.shipping_paid_by == Payer.CONSUMER and not cured:
        out.append(Shortfall("shipping_on_customer", remedy, basis))
    limit = ent.get("merchant_deadline_days")
    level = Level.RETURN if item.code in PRICE_LINES else GOODS_LINES.get(item.code)
    if (
        limit is not None
        and item.deadline_days is not None
        and item.deadline_days > limit
        and level == ENTITLEMENT_LEVEL[remedy]
    ):
        params = {"days": item.deadline_days, "limit": limit}
        out.append(Shortfall("deadline_too_long", remedy, basis, params=params))
    if merchant and item.code == R.REPAIR and item.customer_pays:
        # The quality routes repair free of charge (CPL 24; 三包 Art. 8).
        out.append(Shortfall("customer_charged", remedy, basis, offered=item.customer_pays))
    return out


def _damages(owed_ents: Sequence[Ent], owed: Decimal, offered: Decimal) -> list[Shortfall]:
    if offered >= owed:
        return []
    remedy, basis = joined(owed_ents)
    return [Shortfall("compensation_below_statutory", remedy, basis, owed, offered)]


@dataclass(frozen=True)
class _Money:
    owed_ents: tuple[Ent, ...]
    owed: Decimal  # damages
    cash: Decimal  # every money line
    cured: bool  # a shipping_compensation line pays the customer's postage back


def _return_route(
    items: Sequence[RemedyItem], ent: Ent, due: Decimal, m: _Money
) -> list[Shortfall]:
    """The refund lines and the compensation together must cover the refund due and the
    damages; a refund line whose terms fall short of `ent` does not count."""
    lines = [i for i in items if i.code in PRICE_LINES]
    problems = {id(i): _terms(i, ent, m.cured) for i in lines}
    refund = cash_of(items, PRICE_LINES)
    good = sum((i.amount or ZERO for i in lines if not problems[id(i)]), ZERO)
    comp = cash_of(items, COMPENSATION_LINES)
    if good + comp >= due + m.owed:
        return []
    out = []
    toward_refund = refund + max(comp - m.owed, ZERO)
    if toward_refund < due:
        out.append(
            Shortfall("refund_below_price", ent["remedy"], ent.get("basis", ""), due, toward_refund)
        )
    terms = [s for i in lines for s in problems[id(i)]]
    out += list({s.code: s for s in terms}.values())
    return out + _damages(m.owed_ents, m.owed, comp + max(refund - due, ZERO))


def _goods_route(
    items: Sequence[RemedyItem], level: Level, ent: Ent, m: _Money
) -> list[Shortfall] | None:
    """An exchange or repair line at `level` on `ent`'s terms, and the damages in money;
    None when the proposal has no such line."""
    lines = [i for i in items if GOODS_LINES.get(i.code) == level]
    if not lines:
        return None
    problems = [_terms(i, ent, m.cured) for i in lines]
    terms = [] if any(not p for p in problems) else problems[0]
    return terms + _damages(m.owed_ents, m.owed, m.cash)


def _money_route(items: Sequence[RemedyItem], target: Target, case: Case, m: _Money) -> bool:
    """A customer who asked for a sum with the goods kept: that sum, and the damages on
    top of a part refund of the price (compensation asked for may be the damages)."""
    assert target.amount is not None
    kept_cash = cash_of(items, KEPT_CASH_LINES)
    if case.request == "compensation":
        return kept_cash >= target.amount and m.cash >= m.owed
    return kept_cash >= target.amount + m.owed


def shortfalls(
    items: Sequence[RemedyItem], entitlements: Sequence[Ent], case: Case | None = None
) -> list[Shortfall]:
    """Every way `items` fall below `entitlements` for this case; empty when the proposal
    meets the statutory minimum (or the law gives nothing beyond goodwill)."""
    case = case or Case()
    owed_ents = tuple(
        e
        for e in entitlements
        if e.get("remedy") in DAMAGES_ENTITLEMENTS and (dec(e.get("amount")) or ZERO) > 0
    )
    m = _Money(
        owed_ents=owed_ents,
        owed=sum((dec(e["amount"]) or ZERO for e in owed_ents), ZERO),
        cash=cash_of(items, CASH_LINES),
        cured=any(i.code == R.SHIPPING_COMPENSATION and i.amount for i in items),
    )
    options = targets(entitlements, case)
    if not options:
        return _damages(m.owed_ents, m.owed, m.cash)
    due = refund_due(items, entitlements, case)
    tried: list[list[Shortfall]] = []  # goods lines at or above a target, in target order
    for target in options:
        if target.ent is None:
            if _money_route(items, target, case, m):
                return []
            continue
        if due is not None and not _return_route(items, target.ent, due, m):
            return []
        for level in (Level.EXCHANGE, Level.REPAIR):
            if level < target.level:
                continue
            found = _goods_route(items, level, target.ent, m)
            if found == []:
                return []
            if found is not None:
                tried.append(found)
    if tried:
        return tried[0]
    goods = goods_entitlements(entitlements)
    returns = [e for e in goods if ENTITLEMENT_LEVEL[e["remedy"]] == Level.RETURN]
    if returns and due is not None and any(i.code in REFUND_LINES for i in items):
        return _return_route(items, returns[0], due, m)
    return _missing(items, options, case) + _damages(m.owed_ents, m.owed, m.cash)


def _missing(items: Sequence[RemedyItem], options: list[Target], case: Case) -> list[Shortfall]:
    """No line reaches the minimum: below what the customer asked for, or (no goods
    remedy asked for) none of those the law gives, naming them all."""
    offered = [i.code.value for i in items if i.code in GOODS_LINES or i.code in REFUND_LINES]
    goods = [t.ent for t in options if t.ent is not None]
    remedy, basis = joined(goods)
    if case.request in REQUEST_LEVEL:
        params = {"requested": case.request, "offered": offered}
        return [Shortfall("remedy_below_request", remedy, basis, params=params)]
    params = {"remedies": [e["remedy"] for e in goods], "offered": offered}
    return [Shortfall("statutory_remedy_missing", remedy, basis, params=params)]


# -- which entitlement each agreed line delivers ------------------------------------------


def line_entitlements(
    items: Sequence[RemedyItem], entitlements: Sequence[Ent], case: Case | None = None
) -> list[LineBasis]:
    """Each line with the entitlements it delivers: a goods line the best entitled remedy
    at or below its own level (a take-back where the law gives repair settles the repair
    claim); refund lines the return when goods come back or they reach the price (a
    smaller 仅退款 is a concession) and the damages with what goes beyond the price;
    compensation the damages; a shipping compensation the shipping the law puts on the
    merchant. Anything else is goodwill: it rests on the parties' agreement alone."""
    case = case or Case()
    goods = goods_entitlements(entitlements)
    damages = tuple(
        e for e in entitlements if e.get("remedy") in (*DAMAGES_ENTITLEMENTS, *CEILING_ENTITLEMENTS)
    )
    due = refund_due(items, entitlements, case)
    refunds = cash_of(items, REFUND_LINES)
    returned = any(i.code in GOODS_BACK_LINES for i in items) or (
        due is not None and refunds >= due
    )

    def settles(level: Level) -> tuple[Ent, ...]:
        below = [e for e in goods if ENTITLEMENT_LEVEL[e["remedy"]] <= level]
        if not below:
            return ()
        return (max(below, key=lambda e: ENTITLEMENT_LEVEL[e["remedy"]]),)

    out: list[LineBasis] = []
    for item in items:
        found: tuple[Ent, ...] = ()
        if item.code in REFUND_LINES:
            found = settles(Level.RETURN) if returned else ()
            if due is not None and refunds > due:
                found += damages
        elif item.code in GOODS_LINES:
            found = settles(GOODS_LINES[item.code])
        elif item.code in COMPENSATION_LINES:
            found = damages
        out.append(LineBasis(item, found))
    postage = {
        e["remedy"]: e
        for b in out
        for e in b.entitlements
        if e.get("shipping_paid_by") == Payer.MERCHANT
    }
    return [
        LineBasis(b.item, tuple(postage.values())) if b.item.code == R.SHIPPING_COMPENSATION else b
        for b in out
    ]


def agreed_basis(
    items: Sequence[RemedyItem], entitlements: Sequence[Ent], case: Case | None = None
) -> tuple[str, ...]:
    """The legal bases of the entitlements the agreed lines deliver, each article once,
    in the order of the lines."""
    parts: dict[str, None] = {}
    for line in line_entitlements(items, entitlements, case):
        for ent in line.entitlements:
            for part in str(ent.get("basis") or "").split("；"):
                if part.strip():
                    parts[part.strip()] = None
    return tuple(parts)
