"""The money rules every after-sale write keeps (issue 12 item 3): refunds never above
what was paid, a bundle's partial refund is the bundle price less what is kept, and a
dispute's executed money equals its agreement's, line by line. A refused write is a 422
naming the field and changes nothing."""

from decimal import Decimal

import pytest

from aftersales.common.errors import ValidationFailed
from aftersales.fulfilment import invariants
from aftersales.fulfilment.aftersale_orders import (
    AgreedLine,
    aftersale_orders_from_agreement,
    aftersale_step,
)
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.fulfilment.payouts import payout_bounce, payout_record
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import BundleComponent, OrderLine
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

CLAIM = {"amount_paid": "1.00"}  # the agreed refund of the claim leaves room for ours
AGREEMENT = 990_001  # an agreement id of these tests' own (no mediation row needed)


@pytest.fixture
def bundle_dispute(executing_dispute):
    """An order of one bundle (套餐) paid 1000: 主机 listed 800, 滤芯 150, 遥控器 2 × 40."""
    dispute = executing_dispute(intake=CLAIM, amount_paid=Decimal("1000.00"), line=False)
    bundle = ProductFactory(name="净水器套餐", list_price=Decimal("1070.00"))
    for name, price, quantity in (
        ("主机", "800.00", 1),
        ("滤芯", "150.00", 1),
        ("遥控器", "40.00", 2),
    ):
        BundleComponent.objects.create(
            bundle=bundle,
            component=ProductFactory(name=name, list_price=Decimal(price)),
            unit_price=Decimal(price),
            quantity=quantity,
        )
    OrderLine.objects.create(
        order=dispute.order,
        product=bundle,
        quantity=1,
        unit_price=Decimal("1070.00"),
        paid=Decimal("1000.00"),
    )
    return dispute


def agreed(dispute, *lines: AgreedLine, agreement_id=AGREEMENT):
    return aftersale_orders_from_agreement(
        dispute=dispute, agreement_id=agreement_id, lines=list(lines), actor=SYSTEM
    )


def kept_line(amount: str, *kept: str, line: int = 0) -> AgreedLine:
    return AgreedLine(
        line=line,
        remedy_code="return_refund",
        type="return_refund",
        amount=Decimal(amount),
        kept=tuple(kept),
    )


def test_a_bundle_partial_refund_is_the_paid_price_less_what_is_kept(bundle_dispute):
    # Returns 主机 and the remote, keeps the filter: 1000 − 150.
    (order,) = agreed(bundle_dispute, kept_line("850.00", "滤芯"))
    assert order.amount == Decimal("850.00")
    assert order.kept == ["滤芯"]
    # Keeping the remotes counts both of them (2 × 40).
    remotes = AfterSaleOrder(dispute=bundle_dispute, kept=["遥控器"])
    assert invariants.bundle_refund(bundle_dispute, remotes).refund == Decimal("920.00")


@pytest.mark.parametrize("amount", ["849.99", "850.01", "1000.00"])
def test_any_other_bundle_refund_is_refused(bundle_dispute, amount):
    count = AfterSaleOrder.objects.filter(dispute=bundle_dispute).count()
    with pytest.raises(ValidationFailed) as exc:
        agreed(bundle_dispute, kept_line(amount, "滤芯"))
    assert "amount" in exc.value.fields
    assert "850.00" in exc.value.fields["amount"]
    assert exc.value.extra["required"] == "850.00"
    assert AfterSaleOrder.objects.filter(dispute=bundle_dispute).count() == count


def test_a_component_the_bundle_does_not_have_is_refused(bundle_dispute):
    with pytest.raises(ValidationFailed) as exc:
        agreed(bundle_dispute, kept_line("850.00", "滤芯", "说明书"))
    assert "kept" in exc.value.fields
    assert "说明书" in exc.value.fields["kept"]


def test_keeping_more_than_was_paid_refunds_nothing_never_a_negative_amount(bundle_dispute):
    # Keeping everything but nothing… the listed prices (1070) exceed the paid 1000.
    found = invariants.bundle_refund(
        bundle_dispute,
        AfterSaleOrder(dispute=bundle_dispute, kept=["主机", "滤芯", "遥控器"]),
    )
    assert found.kept == Decimal("1030.00")
    assert found.refund == Decimal("0.00")
    assert invariants.bundle_partial_refund(Decimal("10"), [Decimal("25.50")]) == Decimal("0.00")


def test_refunds_above_what_was_paid_are_refused_across_orders(executing_dispute, make_order):
    dispute = executing_dispute(intake=CLAIM, amount_paid=Decimal("500.00"))
    make_order(dispute, "refund_unshipped", amount="300.00")
    with pytest.raises(ValidationFailed) as exc:
        make_order(dispute, "return_refund", amount="200.00")  # 1 + 300 + 200 > 500
    assert exc.value.code == "refund_above_paid"
    assert exc.value.extra["refundable"] == "199.00"
    assert "amount" in exc.value.fields


def test_a_cancelled_refund_frees_its_room(executing_dispute, make_order):
    from aftersales.fulfilment.aftersale_orders import aftersale_cancel

    dispute = executing_dispute(intake=CLAIM, amount_paid=Decimal("500.00"))
    first = make_order(dispute, "refund_unshipped", amount="499.00")
    aftersale_cancel(order=first, actor=SYSTEM, reason="顾客改为换货")
    assert make_order(dispute, "refund_unshipped", amount="499.00").amount == Decimal("499.00")


# -- the agreement against what was executed ---------------------------------------------


@pytest.fixture
def agreement(executing_dispute):
    dispute = executing_dispute(intake=CLAIM, amount_paid=Decimal("1000.00"))
    orders = agreed(
        dispute,
        AgreedLine(line=0, remedy_code="refund", type="refund_shipped", amount=Decimal("100")),
        AgreedLine(line=1, remedy_code="reship", type="reship"),
        AgreedLine(
            line=2,
            remedy_code="compensation",
            type="compensation",
            compensation_form="money",
            amount=Decimal("50"),
        ),
    )
    return dispute, orders


def pay(order, key):
    aftersale_step(order=order, action="finance_approve", actor=SYSTEM)
    payout_record(order=order, reference=f"LS-{key}", idempotency_key=key, actor=SYSTEM)


def test_executed_money_equals_the_agreements_line_by_line(agreement):
    dispute, (refund, _reship, compensation) = agreement
    lines = invariants.agreement_balance(dispute, AGREEMENT)
    assert [(b.line, b.agreed, b.executed) for b in lines] == [
        (0, Decimal("100.00"), Decimal("0.00")),
        (1, Decimal("0.00"), Decimal("0.00")),
        (2, Decimal("50.00"), Decimal("0.00")),
    ]
    assert not invariants.agreement_balanced(dispute, AGREEMENT)

    pay(refund, "a")
    pay(compensation, "b")
    lines = invariants.agreement_balance(dispute, AGREEMENT)
    assert [b.executed for b in lines] == [Decimal("100.00"), Decimal("0.00"), Decimal("50.00")]
    assert invariants.agreement_balanced(dispute, AGREEMENT)
    # The default agreement is the latest one with orders: these.
    assert invariants.agreement_balance(dispute) == lines

    payout_bounce(order=refund, reason="账户已冻结", actor=SYSTEM)
    (line0, *_rest) = invariants.agreement_balance(dispute, AGREEMENT)
    assert line0.executed == Decimal("0.00") and not line0.balanced


def test_what_the_customer_owes_is_balanced_once_collected(executing_dispute):
    from aftersales.fulfilment.payouts import customer_payment_record

    dispute = executing_dispute(intake=CLAIM, amount_paid=Decimal("1000.00"))
    (exchange,) = agreed(
        dispute,
        AgreedLine(line=0, remedy_code="exchange", type="exchange", customer_pays=Decimal("80")),
    )
    (line,) = invariants.agreement_balance(dispute, AGREEMENT)
    assert (line.customer_owes, line.customer_paid, line.balanced) == (
        Decimal("80.00"),
        Decimal("0.00"),
        False,
    )
    customer_payment_record(
        order=exchange, amount="80.00", reference="ZFB-1", idempotency_key="c", actor=SYSTEM
    )
    (line,) = invariants.agreement_balance(dispute, AGREEMENT)
    assert line.customer_paid == Decimal("80.00") and line.balanced
