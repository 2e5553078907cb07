"""The terms of the statutory check (mediation.statutory): the dominance order of the goods
remedies, which remedy lines count as which, the case beyond the entitlements, and what the
law's goods minimum is for a case — the ways to meet it (`targets`) and the refund a return
owes (`refund_due`). Pure; legal.md §2-§4."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import Any

from . import money
from .remedies import RemedyCode, RemedyItem

R = RemedyCode
Ent = Mapping[str, Any]
ZERO = Decimal("0.00")


class Level(IntEnum):
    """The dominance order of goods remedies; MONEY is a request for money only."""

    MONEY = 0
    REPAIR = 1
    EXCHANGE = 2
    RETURN = 3


ENTITLEMENT_LEVEL = {
    "return_no_reason": Level.RETURN,
    "return": Level.RETURN,
    "exchange": Level.EXCHANGE,
    "repair": Level.REPAIR,
}
DAMAGES_ENTITLEMENTS = ("punitive_damages", "food_punitive_damages", "loss_compensation")
CEILING_ENTITLEMENTS = ("harm_punitive_damages",)
# The customer's 诉求 (disputes.models.Expectation) as a goods remedy; the others
# (compensation, apology, other) name none.
REQUEST_LEVEL = {
    "refund": Level.RETURN,
    "return_refund": Level.RETURN,
    "exchange": Level.EXCHANGE,
    "reship": Level.EXCHANGE,
    "repair": Level.REPAIR,
}
MONEY_REQUESTS = ("refund", "compensation")

REFUND_LINES = (R.REFUND, R.RETURN_REFUND, R.TAKE_BACK)  # the return, in money
PRICE_LINES = (*REFUND_LINES, R.PRICE_DIFFERENCE)  # money toward the price
COMPENSATION_LINES = (R.COMPENSATION, R.INCIDENT_COMPENSATION)
CASH_LINES = (*PRICE_LINES, *COMPENSATION_LINES)
KEPT_CASH_LINES = (R.REFUND, R.PRICE_DIFFERENCE, *COMPENSATION_LINES)  # the goods stay
GOODS_BACK_LINES = (R.RETURN_REFUND, R.TAKE_BACK)
GOODS_LINES = {
    R.EXCHANGE: Level.EXCHANGE,
    R.WHOLE_EXCHANGE: Level.EXCHANGE,
    R.RESHIP: Level.EXCHANGE,  # conforming goods sent in place of the missing or faulty
    R.REPAIR: Level.REPAIR,
}


@dataclass(frozen=True)
class Case:
    """What the check reads beyond the entitlements: the customer's request (诉求, a
    disputes.models.Expectation code) and the sum they claimed, and the order's money
    (`money.OrderMoney`: the price of the goods, the bundle line with its components)."""

    request: str = "other"
    claimed: Decimal | None = None
    order: money.OrderMoney = money.UNKNOWN


@dataclass(frozen=True)
class Target:
    """One way to meet the goods minimum: a remedy at `level` or above, on the terms of
    `ent`; or, for a customer who asked for money, that much money with the goods kept."""

    level: Level
    ent: Ent | None
    amount: Decimal | None = None


def dec(raw: Any) -> Decimal | None:
    return None if raw is None else Decimal(str(raw))


def cash_of(items: Sequence[RemedyItem], codes: tuple[RemedyCode, ...]) -> Decimal:
    return sum((i.amount or ZERO for i in items if i.code in codes), ZERO)


def joined(ents: Sequence[Ent]) -> tuple[str, str]:
    remedies = ",".join(e["remedy"] for e in ents)
    basis = "；".join(dict.fromkeys(e.get("basis", "") for e in ents if e.get("basis")))
    return remedies, basis


def goods_entitlements(entitlements: Sequence[Ent]) -> list[Ent]:
    """The goods remedies the law gives. Where a defect gives the quality return (merchant
    pays shipping, no intactness test), the no-reason return beside it is never the better
    choice for the customer (legal.md §3 step 3), so it drops out."""
    goods = [e for e in entitlements if e.get("remedy") in ENTITLEMENT_LEVEL]
    quality = max(
        (dec(e.get("amount")) or ZERO for e in goods if e["remedy"] == "return"), default=None
    )
    if quality is None:
        return goods
    return [
        e
        for e in goods
        if e["remedy"] != "return_no_reason" or (dec(e.get("amount")) or ZERO) > quality
    ]


def price_due(entitlements: Sequence[Ent], case: Case) -> Decimal | None:
    """A full refund: the return's amount where one is due, else the price paid."""
    amounts = [
        a
        for e in entitlements
        if ENTITLEMENT_LEVEL.get(e.get("remedy", "")) == Level.RETURN
        and (a := dec(e.get("amount"))) is not None
    ]
    return max(amounts) if amounts else case.order.goods_paid


def refund_due(
    items: Sequence[RemedyItem], entitlements: Sequence[Ent], case: Case
) -> Decimal | None:
    """The refund a return owes: the full price, or for a bundle partial return (a
    return_refund naming the components kept) the paid bundle price less their listed
    prices. Without the bundle, or for a name it does not list, nothing comes off."""
    full = price_due(entitlements, case)
    refundable = case.order.refundable
    if full is not None and refundable is not None:
        # What was already refunded on the order (a price difference agreed earlier)
        # comes off: the law returns the price actually paid (legal.md R06).
        full = min(full, refundable)
    kept = next((i.kept for i in items if i.code == R.RETURN_REFUND and i.kept), ())
    bundle = case.order.bundle
    if not kept or full is None or bundle is None:
        return full
    found = [bundle.find(name) for name in kept]
    return money.bundle_partial_refund(bundle.paid, [c.price for c in found if c is not None])


def targets(entitlements: Sequence[Ent], case: Case) -> list[Target]:
    """The alternative ways to meet the goods minimum; empty when the law gives no goods
    remedy. A request naming a goods remedy sets the level, capped at the best the law
    gives; a claimed sum of money (仅退款 below the price, compensation) may be met in money."""
    goods = goods_entitlements(entitlements)
    if not goods:
        return []
    asked = REQUEST_LEVEL.get(case.request)
    if asked is None:
        out = [Target(ENTITLEMENT_LEVEL[e["remedy"]], e) for e in goods]
    else:
        level = min(asked, max(ENTITLEMENT_LEVEL[e["remedy"]] for e in goods))
        cover = min(
            (e for e in goods if ENTITLEMENT_LEVEL[e["remedy"]] >= level),
            key=lambda e: ENTITLEMENT_LEVEL[e["remedy"]],
        )
        out = [Target(level, cover)]
    due = price_due(entitlements, case)
    claimed = case.claimed
    if case.request in MONEY_REQUESTS and claimed is not None and claimed > 0:
        if case.request == "compensation" or due is None or claimed < due:
            out.append(Target(Level.MONEY, None, claimed))
    return out
