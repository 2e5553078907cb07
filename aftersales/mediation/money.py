"""The money of a mediation proposal (SPEC §6, §7): exact decimals in yuan, quantised to
fen. Pure Python, no ORM: which lines are restitution and which are concessions that
count toward authority, what a bundle partial return refunds, what the customer owes.
Every amount the proposals, the agreement and execution show is computed here."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def bundle_partial_refund(bundle_paid: Decimal, kept_prices: Iterable[Decimal]) -> Decimal:
    """A partial return of a bundle (套餐), as the platforms compute it: the paid bundle
    price minus the listed prices of the components the customer keeps, never negative."""
    kept = sum((Decimal(p) for p in kept_prices), ZERO)
    return max(Decimal(bundle_paid) - kept, ZERO).quantize(FEN)
