"""Does a proposal meet the statutory minimum (SPEC §5, legal.md §2-§4)? A pure comparison
of a proposal's remedy lines with the entitlements engine's output for the case, in its
contract shape: [{"remedy", "basis", "amount", "shipping_paid_by",
"merchant_deadline_days"}]. A proposal below the minimum is not forbidden — the customer
may agree to less — but it goes to legal before it can be sent.

The rules:
- Goods remedies (return_no_reason, return, exchange, repair) are the customer's choice
  among those the law gives: the proposal must offer one of them in full — refunds
  (refund, return_refund, take_back) adding up to at least the price where a return is
  due, an exchange where one is due, a repair where one is due — with the merchant paying
  the shipping where the law says so, within the law's deadline where it sets one.
- Damages (punitive_damages, food_punitive_damages, loss_compensation) are money: the
  proposal's compensation lines must add up to at least their sum.
- harm_punitive_damages is the most a court may award, not a floor; it is not compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .remedies import Payer, RemedyCode, RemedyItem

REFUND_ENTITLEMENTS = ("return_no_reason", "return")
GOODS_ENTITLEMENTS = (*REFUND_ENTITLEMENTS, "exchange", "repair")
DAMAGES_ENTITLEMENTS = ("punitive_damages", "food_punitive_damages", "loss_compensation")
REFUND_LINES = (RemedyCode.REFUND, RemedyCode.RETURN_REFUND, RemedyCode.TAKE_BACK)
COMPENSATION_LINES = (RemedyCode.COMPENSATION, RemedyCode.INCIDENT_COMPENSATION)
# Which proposal lines deliver which goods entitlement.
LINES_FOR = {
    "exchange": (RemedyCode.EXCHANGE, RemedyCode.WHOLE_EXCHANGE),
    "repair": (RemedyCode.REPAIR,),
}


@dataclass(frozen=True)
class Shortfall:
    """One way the proposal falls below the law, with the entitlement it falls short of."""

    code: str  # refund_below_price | statutory_remedy_missing | shipping_on_customer
    # | deadline_too_long | compensation_below_statutory
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


def _amount(raw: Any) -> Decimal | None:
    return None if raw is None else Decimal(str(raw))


def _sum(items: Sequence[RemedyItem], codes: tuple[RemedyCode, ...]) -> Decimal | None:
    found = [i for i in items if i.code in codes]
    if not found:
        return None
    return sum((i.amount or Decimal(0) for i in found), Decimal("0.00"))


def _terms(item: RemedyItem, ent: Mapping[str, Any]) -> list[Shortfall]:
    """The delivering line's shipping and deadline against the entitlement's."""
    out = []
    if (
        ent.get("shipping_paid_by") == Payer.MERCHANT
        and item.spec.goods_move
        and item.shipping_paid_by == Payer.CONSUMER
    ):
        out.append(Shortfall("shipping_on_customer", ent["remedy"], ent.get("basis", "")))
    limit = ent.get("merchant_deadline_days")
    if limit is not None and item.deadline_days is not None and item.deadline_days > limit:
        out.append(
            Shortfall(
                "deadline_too_long",
                ent["remedy"],
                ent.get("basis", ""),
                params={"days": item.deadline_days, "limit": limit},
            )
        )
    return out


def _goods(items: Sequence[RemedyItem], ents: list[Mapping[str, Any]]) -> list[Shortfall]:
    refunds_due = [e for e in ents if e["remedy"] in REFUND_ENTITLEMENTS]
    offered_refund = _sum(items, REFUND_LINES)
    partial: Shortfall | None = None
    if refunds_due:
        ent = max(refunds_due, key=lambda e: _amount(e.get("amount")) or Decimal(0))
        due = _amount(ent.get("amount")) or Decimal(0)
        if offered_refund is not None:
            if offered_refund >= due:
                line = next(i for i in items if i.code in REFUND_LINES)
                return _terms(line, ent)
            partial = Shortfall(
                "refund_below_price",
                ent["remedy"],
                ent.get("basis", ""),
                required=due,
                offered=offered_refund,
            )
    for ent in ents:
        codes = LINES_FOR.get(ent["remedy"])
        if not codes:
            continue
        line = next((i for i in items if i.code in codes), None)
        if line is not None:
            return _terms(line, ent)
    if partial is not None:
        return [partial]
    return [
        Shortfall(
            "statutory_remedy_missing",
            ",".join(e["remedy"] for e in ents),
            "；".join(dict.fromkeys(e.get("basis", "") for e in ents if e.get("basis"))),
            params={"remedies": [e["remedy"] for e in ents]},
        )
    ]


def _damages(items: Sequence[RemedyItem], ents: list[Mapping[str, Any]]) -> list[Shortfall]:
    owed = [e for e in ents if _amount(e.get("amount"))]
    if not owed:
        return []
    required = sum((_amount(e["amount"]) or Decimal(0) for e in owed), Decimal("0.00"))
    offered = _sum(items, COMPENSATION_LINES) or Decimal("0.00")
    if offered >= required:
        return []
    return [
        Shortfall(
            "compensation_below_statutory",
            ",".join(e["remedy"] for e in owed),
            "；".join(dict.fromkeys(e.get("basis", "") for e in owed if e.get("basis"))),
            required=required,
            offered=offered,
        )
    ]


def shortfalls(
    items: Sequence[RemedyItem], entitlements: Sequence[Mapping[str, Any]]
) -> list[Shortfall]:
    """Every way `items` fall below `entitlements`; empty when the proposal meets the
    statutory minimum (or the law gives nothing beyond goodwill)."""
    goods = [e for e in entitlements if e.get("remedy") in GOODS_ENTITLEMENTS]
    damages = [e for e in entitlements if e.get("remedy") in DAMAGES_ENTITLEMENTS]
    out: list[Shortfall] = []
    if goods:
        out += _goods(items, goods)
    out += _damages(items, damages)
    return out
