"""Property tests of the pure money module (issue 10 acceptance): for random proposals and
orders, the authority amount is never less than what a proposal gives beyond restitution;
refunds accepted never exceed what is left to refund on the order (anything more is a
statutory extra, recorded on a compensation line); a bundle partial refund is never
negative and never above the bundle price. No database."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from aftersales.mediation import money
from aftersales.mediation.remedies import RemedyCode, RemedyItem
from aftersales.mediation.remedy_lines import parse_items

R = RemedyCode
ZERO = Decimal("0.00")
MONEY_CODES = [c for c in RemedyCode if c not in (R.APOLOGY, R.GUIDANCE, R.RESHIP, R.REPAIR)]


def yuan(low: int = 1, high: int = 500_000) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda f: (Decimal(f) / 100).quantize(money.FEN))


@st.composite
def items(draw) -> list[RemedyItem]:
    codes = draw(st.lists(st.sampled_from(list(RemedyCode)), min_size=1, max_size=6, unique=True))
    out = []
    for code in codes:
        amount = draw(yuan()) if code in MONEY_CODES and draw(st.booleans()) else None
        pays = None
        if code in (R.EXCHANGE, R.WHOLE_EXCHANGE, R.REPAIR) and amount is None:
            pays = draw(st.none() | yuan())
        out.append(RemedyItem(code, amount, customer_pays=pays))
    return out


@st.composite
def orders(draw) -> money.OrderMoney:
    if draw(st.booleans()) and draw(st.booleans()):
        return money.OrderMoney()  # the order's amount not known
    paid = draw(yuan(0))
    refunded = draw(st.integers(0, int(paid * 100)).map(lambda f: Decimal(f) / 100))
    goods = draw(st.none() | yuan(0))
    return money.OrderMoney(paid=paid, refunded=refunded.quantize(money.FEN), goods_paid=goods)


def beyond_restitution(lines: list[RemedyItem], order: money.OrderMoney) -> Decimal:
    """What the proposal gives beyond refunds against goods that come back, up to what
    those goods cost and what is left to refund (nothing is restitution when the order's
    amount is not known)."""
    given_ = sum((i.amount or ZERO for i in lines), ZERO)
    returns = sum(
        (i.amount or ZERO for i in lines if i.code in (R.RETURN_REFUND, R.TAKE_BACK)), ZERO
    )
    if order.paid is None:
        return given_
    left = max(order.paid - order.refunded, ZERO)
    goods = left if order.goods_paid is None else min(order.goods_paid, left)
    return given_ - min(returns, goods)


@given(items(), orders())
def test_authority_is_never_less_than_what_is_given_beyond_restitution(lines, order):
    assessed = money.assess(lines, order)
    assert assessed.authority >= beyond_restitution(lines, order)
    assert ZERO <= assessed.authority <= assessed.total
    assert assessed.total == assessed.restitution + assessed.authority


@given(items(), orders())
def test_every_line_given_without_the_goods_back_counts_in_full(lines, order):
    assessed = money.assess(lines, order)
    for item, line in zip(lines, assessed.lines, strict=True):
        if item.code not in (R.RETURN_REFUND, R.TAKE_BACK):
            assert line.concession == (item.amount or ZERO)


@given(items(), orders())
def test_what_the_customer_pays_is_neither_received_nor_under_authority(lines, order):
    assessed = money.assess(lines, order)
    stripped = [RemedyItem(i.code, i.amount) for i in lines]
    plain = money.assess(stripped, order)
    assert (assessed.total, assessed.authority) == (plain.total, plain.authority)
    assert assessed.customer_pays == sum((i.customer_pays or ZERO for i in lines), ZERO)


@given(items(), orders())
def test_accepted_refunds_never_exceed_what_is_left_to_refund(lines, order):
    assessed = money.assess(lines, order)
    refused = any(p.code == "refund_above_paid" for p in assessed.problems)
    if order.paid is not None and not assessed.problems:
        returns = sum((m.gives for m in assessed.lines if m.code in money.RESTITUTION), ZERO)
        assert returns <= order.restitution_budget  # a return refunds at most the goods
    if order.paid is not None and not refused:
        assert assessed.refunds <= order.paid - order.refunded
        # Anything more the customer receives is recorded as something else than a refund.
        others = sum((m.gives for m in assessed.lines if m.code not in money.REFUNDS), ZERO)
        assert assessed.total <= order.paid - order.refunded + others
    if refused:
        assert assessed.refunds > order.paid - order.refunded


@given(items(), orders(), st.sampled_from(list(RemedyCode)), yuan())
def test_adding_a_line_never_lowers_the_authority_amount(lines, order, code, amount):
    if code in {i.code for i in lines}:
        return
    more = [*lines, RemedyItem(code, amount if code in MONEY_CODES else None)]
    assert money.assess(more, order).authority >= money.assess(lines, order).authority


@given(yuan(0), st.lists(yuan(0), max_size=6))
def test_a_bundle_partial_refund_is_never_negative_nor_above_the_bundle_price(paid, kept):
    refund = money.bundle_partial_refund(paid, kept)
    assert ZERO <= refund <= paid
    assert refund == max(paid - sum(kept, ZERO), ZERO)
    assert refund == refund.quantize(money.FEN)


@st.composite
def bundles(draw) -> money.Bundle:
    names = draw(
        st.lists(
            st.sampled_from(["主机", "炸篮", "硅胶垫", "食谱", "烤盘"]), min_size=1, unique=True
        )
    )
    return money.Bundle(
        "套餐", draw(yuan(0)), tuple(money.Component(n, draw(yuan(0, 100_000))) for n in names)
    )


@given(bundles(), st.data())
def test_a_bundle_return_is_accepted_only_at_the_bundle_price_less_what_is_kept(bundle, data):
    names = [c.name for c in bundle.components]
    kept = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    due = money.bundle_partial_refund(bundle.paid, [bundle.find(n).price for n in kept])
    offered = data.draw(st.sampled_from([due, due + money.FEN, max(due - money.FEN, ZERO)]))
    order = money.OrderMoney(paid=bundle.paid, goods_paid=bundle.paid, bundle=bundle)
    line = RemedyItem(R.RETURN_REFUND, offered, kept=tuple(kept))
    assessed = money.assess([line], order)
    mismatch = [p for p in assessed.problems if p.code == "bundle_refund_mismatch"]
    assert bool(mismatch) == (offered != due)
    if not assessed.problems:
        assert ZERO <= assessed.refunds <= bundle.paid
        assert assessed.authority == ZERO  # the goods come back: restitution


@given(items())
def test_parsed_lines_keep_their_money(lines):
    """What a request says is what the rules read: a line round-trips through parsing."""
    raw = [i.as_dict() for i in lines]
    parsed, problems = parse_items(raw, "quality")
    if not problems:
        assert money.assess(parsed).total == money.assess(lines).total
        assert [i.customer_pays for i in parsed] == [i.customer_pays for i in lines]
