"""The money of a mediation proposal (SPEC §6, §7): exact decimals in yuan, quantised to
fen. Pure Python, no ORM: which lines are restitution and which are concessions that
count toward authority, what a bundle partial return refunds, what the customer owes.
The amounts a proposal's revision and its agreement show are computed here; a selector
(`proposal_selectors.order_money`) gathers the order's numbers.

The rules:
- Restitution: a refund against goods that come back (退货退款 `return_refund`, 退机
  `take_back`) needs no authority. It refunds at most what was paid for those goods (the
  order line of the product in dispute): a return's refund above that is refused — money
  beyond the goods is a `refund` or `compensation` line, under authority.
- Concession: every line that gives money or value without the goods coming back counts
  toward the author's authority at face value — 仅退款 `refund` (partial or full),
  compensation, coupons, gifts, discounts, the price difference the merchant pays
  (`price_difference`; an `exchange`/`whole_exchange` line's amount), shipping and
  incident compensation.
- What the customer pays (`customer_pays`, 买家应补, e.g. the difference of an exchange to
  a dearer item) is owed BY the customer: not part of what they receive (`total`), no
  authority consumed.
- Money back on the price (`refund`, `return_refund`, `take_back`, and a
  `price_difference`, a partial refund of the price) together never exceeds what was
  paid on the order minus what was already refunded on it — refunds executed, or agreed
  in an accepted proposal on the order and not executed yet. Anything the law gives
  beyond the price (punitive damages, loss compensation) is recorded as such, on a
  `compensation` or `incident_compensation` line, and counts toward authority like any
  concession.
- A bundle (套餐) partial return refunds the paid bundle price minus the listed prices of
  the components kept, never negative; the line must say exactly that.
- When the order's amount is not known, no refund can be checked against it: every
  refund line then counts toward authority (conservative), with a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from aftersales.common.money import bundle_partial_refund as bundle_partial_refund

from .remedies import RemedyCode, RemedyItem
from .remedy_lines import Problem, ProposalWarning

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

R = RemedyCode
# Money back against goods that come back: restitution up to what was paid for them.
RESTITUTION: frozenset[RemedyCode] = frozenset({R.RETURN_REFUND, R.TAKE_BACK})
# Every refund of the price, goods back or not: together capped by what was paid.
REFUNDS: frozenset[RemedyCode] = frozenset(
    {R.REFUND, R.RETURN_REFUND, R.TAKE_BACK, R.PRICE_DIFFERENCE}
)


def fen(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(FEN)


@dataclass(frozen=True)
class Component:
    name: str
    price: Decimal  # its listed price in the bundle, times its quantity


@dataclass(frozen=True)
class Bundle:
    """The order line of a bundle: what was paid for it, and what it is made of."""

    name: str
    paid: Decimal
    components: tuple[Component, ...]

    def find(self, name: str) -> Component | None:
        wanted = name.strip().casefold()
        return next((c for c in self.components if c.name.strip().casefold() == wanted), None)


@dataclass(frozen=True)
class OrderMoney:
    """The numbers of the dispute's order that the rules need."""

    paid: Decimal | None = None  # paid on the order; None: not known
    refunded: Decimal = ZERO  # already refunded on it, or agreed (`already_refunded`)
    goods_paid: Decimal | None = None  # paid for the goods in dispute; None: the order's
    bundle: Bundle | None = None  # the bundle line in dispute, when there is one

    @property
    def refundable(self) -> Decimal | None:
        if self.paid is None:
            return None
        return max(self.paid - self.refunded, ZERO).quantize(FEN)

    @property
    def restitution_budget(self) -> Decimal:
        """The most a return's refund may give back as restitution: what the goods cost,
        within what is left to refund; nothing when the order's amount is not known."""
        refundable = self.refundable
        if refundable is None:
            return ZERO
        goods = self.goods_paid if self.goods_paid is not None else refundable
        return min(goods, refundable).quantize(FEN)


UNKNOWN = OrderMoney()


@dataclass(frozen=True)
class LineMoney:
    """One line's money: what the customer receives (`gives`), split into restitution
    and concession (toward authority), and what the customer pays."""

    code: RemedyCode
    gives: Decimal
    restitution: Decimal
    concession: Decimal
    customer_pays: Decimal


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO).quantize(FEN)


@dataclass(frozen=True)
class Assessment:
    lines: tuple[LineMoney, ...]
    problems: tuple[Problem, ...] = ()
    warnings: tuple[ProposalWarning, ...] = ()

    @property
    def total(self) -> Decimal:
        """What the customer receives in money or its value."""
        return _sum(m.gives for m in self.lines)

    @property
    def authority(self) -> Decimal:
        """What the authority ceilings cap."""
        return _sum(m.concession for m in self.lines)

    @property
    def restitution(self) -> Decimal:
        return _sum(m.restitution for m in self.lines)

    @property
    def customer_pays(self) -> Decimal:
        """What the customer owes (买家应补)."""
        return _sum(m.customer_pays for m in self.lines)

    @property
    def refunds(self) -> Decimal:
        return _sum(m.gives for m in self.lines if m.code in REFUNDS)


def refunds_of(items: Iterable[RemedyItem]) -> Decimal:
    """The money back on the price in these lines (an accepted proposal's, say)."""
    return _sum(fen(i.amount) for i in items if i.code in REFUNDS and i.amount is not None)


def already_refunded(executed: Mapping[int, Decimal], agreed: Mapping[int, Decimal]) -> Decimal:
    """What an order has refunded, per dispute of it: the refunds executed, or those its
    accepted proposals agreed when more (not executed yet). Executing an agreed refund
    does not count it twice."""
    disputes = set(executed) | set(agreed)
    return _sum(max(executed.get(d, ZERO), agreed.get(d, ZERO)) for d in disputes)


def split(items: Sequence[RemedyItem], order: OrderMoney | None = None) -> tuple[LineMoney, ...]:
    """Each line's money. Returns take restitution in line order until what the goods
    cost is used up; the rest of every line is concession."""
    budget = (order or UNKNOWN).restitution_budget
    out: list[LineMoney] = []
    for item in items:
        gives = fen(item.amount) if item.amount is not None else ZERO
        restitution = ZERO
        if item.code in RESTITUTION:
            restitution = min(gives, budget)
            budget -= restitution
        pays = fen(item.customer_pays) if item.customer_pays is not None else ZERO
        out.append(LineMoney(item.code, gives, restitution, gives - restitution, pays))
    return tuple(out)


def total_amount(items: Sequence[RemedyItem]) -> Decimal:
    return Assessment(split(items)).total


def authority_amount(items: Sequence[RemedyItem], order: OrderMoney | None = None) -> Decimal:
    return Assessment(split(items, order)).authority


def _bundle_problems(items: Sequence[RemedyItem], order: OrderMoney, prefix: str) -> list[Problem]:
    out: list[Problem] = []
    for i, item in enumerate(items):
        if not item.kept:
            continue
        at = f"{prefix}.{i}"
        bundle = order.bundle
        if bundle is None:
            out.append(Problem(f"{at}.kept", "bundle_unknown"))
            continue
        names = tuple(c.name for c in bundle.components)
        found = [bundle.find(name) for name in item.kept]
        unknown = [
            Problem(f"{at}.kept.{m}", "kept_unknown", {"name": name, "components": names})
            for m, (name, c) in enumerate(zip(item.kept, found, strict=True))
            if c is None
        ]
        if unknown:
            out += unknown
            continue
        kept = _sum(c.price for c in found if c is not None)
        required = bundle_partial_refund(bundle.paid, [kept])
        if item.amount is None or fen(item.amount) != required:
            out.append(
                Problem(
                    f"{at}.amount",
                    "bundle_refund_mismatch",
                    {"required": required, "paid": fen(bundle.paid), "kept": kept},
                )
            )
    return out


def _cap_problems(items: Sequence[RemedyItem], order: OrderMoney, prefix: str) -> list[Problem]:
    """The first line that takes the refunds past what is left to refund on the order, and
    the first return that refunds more than the goods that come back cost."""
    refundable = order.refundable
    if refundable is None:
        return []
    budget = order.restitution_budget
    above_paid: Problem | None = None
    above_goods: Problem | None = None
    refunds = returns = ZERO
    for i, item in enumerate(items):
        if item.code not in REFUNDS or item.amount is None:
            continue
        at = f"{prefix}.{i}.amount"
        refunds += item.amount
        if refunds > refundable and above_paid is None:
            paid = fen(order.paid or ZERO)
            params = {"refundable": refundable, "paid": paid, "refunded": fen(order.refunded)}
            above_paid = Problem(at, "refund_above_paid", params)
        if item.code in RESTITUTION:
            returns += item.amount
            if returns > budget and above_goods is None and above_paid is None:
                above_goods = Problem(at, "return_above_goods", {"goods_paid": budget})
    return [p for p in (above_paid, above_goods) if p is not None]


def _warnings(
    items: Sequence[RemedyItem], lines: Sequence[LineMoney], order: OrderMoney, prefix: str
) -> list[ProposalWarning]:
    """A return's refund counted toward authority because the order's amount is unknown."""
    if order.paid is not None:
        return []
    return [
        ProposalWarning(
            f"{prefix}.{i}.amount", "refund_counted_no_order", {"amount": f"{line.gives:.2f}"}
        )
        for i, (item, line) in enumerate(zip(items, lines, strict=True))
        if item.code in RESTITUTION and line.concession > 0
    ]


def assess(
    items: Sequence[RemedyItem], order: OrderMoney | None = None, *, prefix: str = "remedies"
) -> Assessment:
    """The money of a proposal against its order: the split of every line, the problems
    that refuse it (refunds above what is left to refund, a return refunding more than
    the goods cost, a bundle partial refund that is not the bundle price minus what is
    kept, an unknown component), and warnings."""
    order = order or UNKNOWN
    lines = split(items, order)
    problems = [*_bundle_problems(items, order, prefix), *_cap_problems(items, order, prefix)]
    return Assessment(lines, tuple(problems), tuple(_warnings(items, lines, order, prefix)))
