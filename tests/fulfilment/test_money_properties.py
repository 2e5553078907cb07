"""Property tests of the money invariants (issue 12, acceptance): whatever sequence of
creations, approvals, payouts (right or wrong amounts, keys retried or reused), bounces and
cancellations finance and the system make on one sales order —

- the refunds agreed and not cancelled never exceed what was paid, nor do those paid;
- an after-sale order's paid amount is the sum of its payouts not bounced, never above
  its amount, with at most one live payout at a time;
- one payout per idempotency key;
- a refused step changes nothing;

and a bundle's partial refund is always max(paid − kept, 0), the only amount accepted.

The disputes are put straight into `executing` (the lifecycle is tested elsewhere; these
are about the money) with an open placeholder order, so that no example completes one."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aftersales.common.errors import DomainError
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event
from aftersales.fulfilment import invariants
from aftersales.fulfilment.aftersale_orders import (
    AgreedLine,
    aftersale_cancel,
    aftersale_order_create,
    aftersale_orders_from_agreement,
    aftersale_step,
)
from aftersales.fulfilment.models import AfterSaleOrder, Payout
from aftersales.fulfilment.payouts import payout_bounce, payout_record
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import BundleComponent, OrderLine
from tests.factories import OrderFactory, ProductFactory, make_dispute

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ZERO = Decimal("0.00")


def executing(paid: Decimal) -> Dispute:
    dispute = make_dispute(OrderFactory(amount_paid=paid), amount_paid=f"{paid:.2f}")
    Dispute.objects.filter(pk=dispute.pk).update(status=Status.EXECUTING)
    dispute.refresh_from_db()
    aftersale_order_create(dispute=dispute, type="reship", actor=SYSTEM, reason="占位：保持执行中")
    return dispute


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("900.00"), places=2)
KINDS = ["refund_unshipped", "refund_shipped", "price_protection", "refund_first", "compensation"]
ops = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(KINDS), money),
    st.tuples(st.just("approve"), st.integers(0, 4)),
    # order, key (small range: retries and reuse), exact amount or one fen off
    st.tuples(st.just("pay"), st.integers(0, 4), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("pay"), st.integers(0, 4), st.integers(0, 3), st.sampled_from([1, -1])),
    st.tuples(st.just("bounce"), st.integers(0, 4)),
    st.tuples(st.just("cancel"), st.integers(0, 4)),
)


def _apply(dispute, orders, op) -> None:
    kind, *args = op
    if kind == "create":
        type_, amount = args
        extra = {}
        if type_ == "refund_first":
            type_, extra = "return_refund", {"variant": "refund_first"}
        if type_ == "compensation":
            extra = {"compensation_form": "money"}
        orders.append(
            aftersale_order_create(
                dispute=dispute, type=type_, amount=amount, actor=SYSTEM, reason="另行约定", **extra
            )
        )
        return
    if not orders:
        return
    order = orders[args[0] % len(orders)]
    if kind == "approve":
        aftersale_step(order=order, action="finance_approve", actor=SYSTEM)
    elif kind == "pay":
        _, key, off = args
        current = AfterSaleOrder.objects.get(pk=order.pk)
        amount = invariants.remaining(current) + Decimal(off) / 100
        if Payout.objects.filter(idempotency_key=f"{dispute.pk}-{key}").exists():
            event("pay retried with a key already used")
        payout_record(
            order=order,
            amount=amount,
            reference=f"LS{key}",
            idempotency_key=f"{dispute.pk}-{key}",
            actor=SYSTEM,
        )
    elif kind == "bounce":
        payout_bounce(order=order, reason="退款被退回", actor=SYSTEM)
    elif kind == "cancel":
        aftersale_cancel(order=order, actor=SYSTEM, reason="顾客撤回")


def _snapshot(dispute):
    return (
        sorted(
            AfterSaleOrder.objects.filter(dispute=dispute).values_list(
                "pk", "state", "paid_amount", "version"
            )
        ),
        sorted(Payout.objects.filter(aftersale_order__dispute=dispute).values_list("pk", "state")),
        Event.objects.filter(dispute=dispute).count(),
    )


def _check(dispute, paid: Decimal) -> None:
    assert invariants.refunds_on_order(dispute.order_id) <= paid
    assert invariants.refunds_paid_on_order(dispute.order_id) <= paid
    for order in AfterSaleOrder.objects.filter(dispute=dispute):
        live = Payout.objects.filter(
            aftersale_order=order, direction="to_customer", state=Payout.State.PAID
        )
        assert live.count() <= 1
        total = live.aggregate(total=Sum("amount"))["total"] or ZERO
        assert order.paid_amount == total
        assert order.paid_amount <= (order.amount or ZERO)
        if order.state == "done" and order.amount:
            assert order.paid_amount == order.amount
    keys = Payout.objects.filter(aftersale_order__dispute=dispute)
    assert keys.count() == keys.values("idempotency_key").distinct().count()


@settings(PROPERTY, max_examples=80)
@given(
    paid=st.decimals(min_value=Decimal("50.00"), max_value=Decimal("2000.00"), places=2),
    steps=st.lists(ops, min_size=1, max_size=14),
)
def test_money_adds_up_whatever_finance_does(paid, steps):
    dispute = executing(paid)
    orders: list[AfterSaleOrder] = []
    for op in steps:
        before = _snapshot(dispute)
        try:
            _apply(dispute, orders, op)
            event(f"{op[0]} done")
        except DomainError as exc:
            event(f"{op[0]} refused: {exc.code}")
            assert _snapshot(dispute) == before, op  # a refused step changes nothing
        _check(dispute, paid)


@PROPERTY
@given(
    paid=st.decimals(min_value=Decimal("0.00"), max_value=Decimal("5000.00"), places=2),
    kept=st.lists(
        st.decimals(min_value=Decimal("0.00"), max_value=Decimal("3000.00"), places=2),
        max_size=5,
    ),
)
def test_a_bundle_refund_is_the_paid_price_less_what_is_kept_never_negative(paid, kept):
    refund = invariants.bundle_partial_refund(paid, kept)
    assert refund == max(paid - sum(kept, ZERO), ZERO)
    assert refund >= ZERO


@PROPERTY
@given(
    prices=st.lists(
        st.decimals(min_value=Decimal("1.00"), max_value=Decimal("500.00"), places=2),
        min_size=2,
        max_size=4,
    ),
    discount=st.decimals(min_value=Decimal("0.00"), max_value=Decimal("300.00"), places=2),
    data=st.data(),
)
def test_only_the_bundle_rule_amount_is_accepted(prices, discount, data):
    listed = sum(prices, ZERO)
    bundle_paid = max(listed - discount, Decimal("1.00"))
    order = OrderFactory(amount_paid=bundle_paid, line=False)
    bundle = ProductFactory()
    names = [f"组件{i}" for i in range(len(prices))]
    for name, price in zip(names, prices, strict=True):
        BundleComponent.objects.create(
            bundle=bundle, component=ProductFactory(name=name), unit_price=price
        )
    OrderLine.objects.create(
        order=order, product=bundle, quantity=1, unit_price=listed, paid=bundle_paid
    )
    dispute = make_dispute(order, amount_paid="0.01")
    Dispute.objects.filter(pk=dispute.pk).update(status=Status.EXECUTING)
    dispute.refresh_from_db()
    kept = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names), unique=True))
    expected = max(bundle_paid - sum(prices[names.index(k)] for k in kept), ZERO)

    def line(amount):
        return AgreedLine(
            line=0, remedy_code="return_refund", type="return_refund", amount=amount, kept=kept
        )

    for wrong in (expected + Decimal("0.01"), expected - Decimal("0.01")):
        if wrong < ZERO:
            continue
        with pytest.raises(DomainError) as exc:
            aftersale_orders_from_agreement(
                dispute=dispute, agreement_id=dispute.pk, lines=[line(wrong)], actor=SYSTEM
            )
        assert "amount" in exc.value.fields
    (made,) = aftersale_orders_from_agreement(
        dispute=dispute, agreement_id=dispute.pk, lines=[line(expected)], actor=SYSTEM
    )
    assert made.amount == expected
