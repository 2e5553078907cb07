"""Finance's money on an after-sale order (SPEC §7): approve, pay exactly what is due with
its reference, the expected arrival by payment channel, a retry with the same key paying
once, a bounced refund going back to finance with the reason, the difference an exchange
to a dearer item collects, and the customer confirming the money arrived. Bad input is a
4xx naming the field and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Event, Task
from aftersales.fulfilment.aftersale_orders import aftersale_step
from aftersales.fulfilment.models import AfterSaleOrder, Payout
from aftersales.fulfilment.payouts import (
    arrival_confirm,
    customer_payment_record,
    payout_bounce,
    payout_record,
)
from aftersales.parties.actors import SYSTEM, customer_actor

pytestmark = pytest.mark.django_db

PAID = Decimal("1000.00")
# The dispute claims 1 yuan: the agreed full refund of the claim leaves 999 to refund.
CLAIM = {"amount_paid": "1.00"}
T0 = dt.datetime(2026, 9, 30, 16, 45, tzinfo=dt.UTC)


@pytest.fixture
def dispute(executing_dispute):
    return executing_dispute(intake=CLAIM, amount_paid=PAID, payment_channel="credit_card")


@pytest.fixture
def refund(dispute, make_order, finance):
    """A refund of 300 approved by finance: 待打款."""
    order = make_order(dispute, "refund_shipped", amount="300.00")
    return aftersale_step(order=order, action="finance_approve", actor=finance)


def fresh(order) -> AfterSaleOrder:
    return AfterSaleOrder.objects.get(pk=order.pk)


def moves(order, action=None) -> list[dict]:
    events = Event.objects.filter(kind="aftersale_state", payload__aftersale_order=order.pk)
    payloads = [e.payload for e in events.order_by("id")]
    return [p for p in payloads if action is None or p["action"] == action]


def snapshot(order):
    o = fresh(order)
    return (
        o.state,
        o.version,
        o.paid_amount,
        Payout.objects.filter(aftersale_order=o).count(),
        Event.objects.filter(dispute_id=o.dispute_id).count(),
    )


def test_finance_pays_exactly_what_is_due_and_the_customer_is_told_when(refund, finance):
    payout = payout_record(
        order=refund, reference="LS20260930001", idempotency_key="pay-1", actor=finance, at=T0
    )
    order = fresh(refund)
    assert payout.amount == Decimal("300.00")
    assert payout.state == Payout.State.PAID
    assert payout.channel == "credit_card"  # the order's payment channel
    assert order.state == "done"
    assert order.paid_amount == Decimal("300.00")
    # Credit card: 3–7 days; we hold ourselves to the late end.
    assert order.expected_from == T0 + dt.timedelta(days=3)
    assert order.expected_by == T0 + dt.timedelta(days=7)
    assert "信用卡" in order.expected_rule
    (event,) = moves(refund, "record_payout")
    assert event["from"] == "awaiting_payout" and event["to"] == "done"
    assert event["amount"] == "300.00"
    assert event["reference"] == "LS20260930001"
    assert event["channel"] == "credit_card"
    assert event["expected_by"] == (T0 + dt.timedelta(days=7)).isoformat()


def test_an_amount_given_must_be_what_is_due(refund, finance):
    before = snapshot(refund)
    with pytest.raises(ValidationFailed) as exc:
        payout_record(
            order=refund, amount="299.99", reference="LS1", idempotency_key="k", actor=finance
        )
    assert "amount" in exc.value.fields
    assert "300.00" in exc.value.fields["amount"]  # 应付 300.00 元
    assert snapshot(refund) == before
    payout_record(order=refund, amount="300", reference="LS1", idempotency_key="k", actor=finance)
    assert fresh(refund).state == "done"


@pytest.mark.parametrize("amount", ["-300.00", "abc", "300.001"])
def test_an_amount_that_is_not_money_is_refused(refund, finance, amount):
    before = snapshot(refund)
    with pytest.raises(ValidationFailed) as exc:
        payout_record(
            order=refund, amount=amount, reference="LS1", idempotency_key="k", actor=finance
        )
    assert "amount" in exc.value.fields
    assert snapshot(refund) == before


@pytest.mark.parametrize("reference", ["", "   ", None])
def test_the_reference_is_required(refund, finance, reference):
    before = snapshot(refund)
    with pytest.raises(ValidationFailed) as exc:
        payout_record(order=refund, reference=reference, idempotency_key="k", actor=finance)
    assert "reference" in exc.value.fields
    assert snapshot(refund) == before


def test_the_idempotency_key_is_required(refund, finance):
    with pytest.raises(ValidationFailed) as exc:
        payout_record(order=refund, reference="LS1", idempotency_key=" ", actor=finance)
    assert "idempotency_key" in exc.value.fields


def test_a_retry_with_the_same_key_pays_once(refund, finance):
    first = payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    after_first = snapshot(refund)
    again = payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    # Even with the version the client read before the first attempt.
    stale = payout_record(
        order=refund, reference="LS1", idempotency_key="k1", actor=finance, version=1
    )
    assert again.pk == first.pk == stale.pk
    assert snapshot(refund) == after_first
    assert Payout.objects.filter(aftersale_order=refund).count() == 1
    assert len(moves(refund, "record_payout")) == 1


def test_a_second_payout_with_another_key_is_refused(refund, finance):
    payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    before = snapshot(refund)
    with pytest.raises(Conflict) as exc:
        payout_record(order=refund, reference="LS2", idempotency_key="k2", actor=finance)
    assert exc.value.code == "already_paid"
    assert "LS1" in exc.value.message
    assert snapshot(refund) == before


def test_a_key_of_another_orders_payout_is_refused(dispute, refund, make_order, finance):
    payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    other = make_order(dispute, "price_protection", amount="50.00")
    aftersale_step(order=other, action="finance_approve", actor=finance)
    with pytest.raises(Conflict) as exc:
        payout_record(order=other, reference="LS2", idempotency_key="k1", actor=finance)
    assert exc.value.code == "idempotency_key_reused"
    assert fresh(other).state == "awaiting_payout"


def test_only_finance_pays(refund, agent, logistics):
    for someone in (agent, logistics):
        with pytest.raises(Forbidden):
            payout_record(order=refund, reference="LS1", idempotency_key="k", actor=someone)
    assert fresh(refund).state == "awaiting_payout"


def test_nothing_is_paid_before_finance_approves(dispute, make_order, finance):
    order = make_order(dispute, "refund_shipped", amount="100.00")
    with pytest.raises(Conflict) as exc:
        payout_record(order=order, reference="LS1", idempotency_key="k", actor=finance)
    assert exc.value.code == "step_not_allowed"
    assert fresh(order).state == "awaiting_finance"
    assert not Payout.objects.filter(aftersale_order=order).exists()


def test_a_stale_version_is_a_conflict(refund, finance):
    with pytest.raises(Conflict) as exc:
        payout_record(order=refund, reference="LS1", idempotency_key="k", actor=finance, version=1)
    assert exc.value.code == "version_conflict"


@pytest.mark.parametrize(
    ("channel", "earliest", "latest"),
    [("platform_balance", 0, 0), ("bank_quickpay", 0, 3), ("alipay", 0, 3)],
)
def test_the_expected_arrival_follows_the_channel_paid_through(
    refund, finance, channel, earliest, latest
):
    payout_record(
        order=refund,
        reference="LS1",
        idempotency_key="k",
        actor=finance,
        channel=channel,
        at=T0,
    )
    order = fresh(refund)
    assert order.payment_channel == channel
    assert order.expected_from == T0 + dt.timedelta(days=earliest)
    assert order.expected_by == T0 + dt.timedelta(days=latest)


def test_the_arrival_ranges_are_configurable(refund, finance):
    with override_settings(REFUND_ARRIVAL_DAYS={"credit_card": (2, 5)}):
        payout_record(order=refund, reference="LS1", idempotency_key="k", actor=finance, at=T0)
    order = fresh(refund)
    assert order.expected_from == T0 + dt.timedelta(days=2)
    assert order.expected_by == T0 + dt.timedelta(days=5)
    assert "2–5" in order.expected_rule


def test_a_channel_without_a_standard_time_is_held_to_three_days(refund, finance):
    payout_record(
        order=refund,
        reference="现金-001",
        idempotency_key="k",
        actor=finance,
        channel="cash",
        at=T0,
    )
    order = fresh(refund)
    assert order.expected_by == T0 + dt.timedelta(days=3)
    assert "按约定" in order.expected_rule


def test_an_unknown_channel_is_refused(refund, finance):
    with pytest.raises(ValidationFailed) as exc:
        payout_record(
            order=refund, reference="LS1", idempotency_key="k", actor=finance, channel="bitcoin"
        )
    assert "channel" in exc.value.fields


# -- a bounced refund ----------------------------------------------------------------------


def test_a_bounced_refund_goes_back_to_finance_with_the_reason_and_is_paid_again(
    dispute, refund, finance
):
    first = payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    payout_bounce(order=refund, reason="银行卡已注销，退款被退回", actor=finance)

    order = fresh(refund)
    assert order.state == "awaiting_finance"
    assert order.department == "finance"
    assert order.paid_amount == Decimal("0.00")
    assert order.completed_at is None
    first.refresh_from_db()
    assert first.state == Payout.State.BOUNCED
    assert first.bounce_reason == "银行卡已注销，退款被退回"
    (event,) = moves(refund, "bounce")
    assert event["to"] == "awaiting_finance" and event["amount"] == "300.00"
    bounce_event = Event.objects.get(
        kind="aftersale_state", payload__aftersale_order=refund.pk, payload__action="bounce"
    )
    assert "银行卡已注销" in bounce_event.reason
    # Finance sees it again.
    assert Task.objects.filter(dispute=dispute, department="finance", state="open").exists()

    # The old key is spent: it answers the bounced payout and pays nothing.
    aftersale_step(order=refund, action="finance_approve", actor=finance)
    assert (
        payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance).pk
        == first.pk
    )
    assert fresh(refund).state == "awaiting_payout"

    second = payout_record(order=refund, reference="LS2", idempotency_key="k2", actor=finance)
    order = fresh(refund)
    assert order.state == "done"
    assert order.paid_amount == Decimal("300.00") == second.amount
    states = dict(Payout.objects.filter(aftersale_order=refund).values_list("reference", "state"))
    assert states == {"LS1": "bounced", "LS2": "paid"}


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_a_bounce_needs_a_reason(refund, finance, reason):
    payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    before = snapshot(refund)
    with pytest.raises(ValidationFailed) as exc:
        payout_bounce(order=refund, reason=reason, actor=finance)
    assert "reason" in exc.value.fields
    assert snapshot(refund) == before


def test_nothing_paid_cannot_bounce(refund, finance):
    with pytest.raises(Conflict) as exc:
        payout_bounce(order=refund, reason="退回", actor=finance)
    assert exc.value.code == "not_paid"


def test_only_finance_records_a_bounce(refund, finance, agent):
    payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    with pytest.raises(Forbidden):
        payout_bounce(order=refund, reason="退回", actor=agent)
    assert fresh(refund).state == "done"


# -- refunds never above what was paid -------------------------------------------------------


def test_a_refund_above_what_remains_refundable_is_refused(dispute, make_order):
    # Paid 1000; the agreed refund of the claim took 1.00, so 999.00 remains.
    make_order(dispute, "refund_shipped", amount="600.00")
    count = AfterSaleOrder.objects.filter(dispute=dispute).count()
    with pytest.raises(ValidationFailed) as exc:
        make_order(dispute, "price_protection", amount="399.01")
    assert "amount" in exc.value.fields
    assert "399.00" in exc.value.fields["amount"]
    assert exc.value.extra["refundable"] == "399.00"
    assert AfterSaleOrder.objects.filter(dispute=dispute).count() == count
    make_order(dispute, "price_protection", amount="399.00")


def test_compensation_beyond_the_price_is_not_a_refund(dispute, make_order):
    # The law's extras (e.g. three times the price) are compensation, not capped by it.
    order = make_order(dispute, "compensation", amount="3000.00", compensation_form="money")
    assert order.state == "awaiting_finance"


# -- an exchange to a dearer item ------------------------------------------------------------


@pytest.fixture
def dearer_exchange(dispute, make_order):
    return make_order(dispute, "exchange", customer_pays="120.00", replacement="升级款 X2")


def test_the_customer_pays_the_difference_before_anything_ships(dearer_exchange, finance):
    assert dearer_exchange.state == "awaiting_customer_payment"
    payment = customer_payment_record(
        order=dearer_exchange,
        amount="120.00",
        reference="ZFB-88",
        idempotency_key="c1",
        actor=finance,
    )
    order = fresh(dearer_exchange)
    assert payment.direction == Payout.Direction.FROM_CUSTOMER
    assert payment.amount == Decimal("120.00")
    assert order.state == "awaiting_return_address"
    assert order.customer_paid_at is not None
    assert order.paid_amount == Decimal("0.00")  # nothing was paid to the customer
    (event,) = moves(dearer_exchange, "collect_payment")
    assert event["customer_paid"] == "120.00"
    # Retried: the same payment, nothing more.
    again = customer_payment_record(
        order=dearer_exchange,
        amount="120.00",
        reference="ZFB-88",
        idempotency_key="c1",
        actor=finance,
    )
    assert again.pk == payment.pk
    assert len(moves(dearer_exchange, "collect_payment")) == 1


@pytest.mark.parametrize("amount", ["-120.00", "100.00", "0"])
def test_an_exchange_difference_that_is_not_what_is_owed_is_refused(
    dearer_exchange, finance, amount
):
    before = snapshot(dearer_exchange)
    with pytest.raises(ValidationFailed) as exc:
        customer_payment_record(
            order=dearer_exchange,
            amount=amount,
            reference="ZFB-88",
            idempotency_key="c1",
            actor=finance,
        )
    assert "amount" in exc.value.fields
    assert snapshot(dearer_exchange) == before


def test_a_negative_exchange_difference_is_refused_at_creation(dispute, make_order):
    with pytest.raises(ValidationFailed) as exc:
        make_order(dispute, "exchange", customer_pays="-5.00")
    assert "customer_pays" in exc.value.fields


# -- the money arrived -----------------------------------------------------------------------


def test_the_customer_confirms_the_refund_arrived_once(dispute, refund, finance):
    payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    customer = customer_actor(dispute.customer)
    later = timezone.now() + dt.timedelta(days=2)
    arrival_confirm(order=refund, actor=customer, at=later)
    order = fresh(refund)
    assert order.arrival_confirmed_at == later
    assert order.arrival_confirmed_by == customer.label
    event = Event.objects.get(kind="refund_arrival_confirmed", payload__aftersale_order=refund.pk)
    assert event.payload["subject"] == f"aftersale:{refund.pk}"
    assert event.payload["amount"] == "300.00"

    with pytest.raises(Conflict) as exc:
        arrival_confirm(order=refund, actor=SYSTEM)
    assert exc.value.code == "already_confirmed"
    assert fresh(refund).arrival_confirmed_at == later


def test_staff_or_the_follow_up_may_confirm_too(refund, finance, agent):
    payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    arrival_confirm(order=refund, actor=SYSTEM)
    assert fresh(refund).arrival_confirmed_by == "system"


def test_an_unpaid_refund_cannot_have_arrived(refund):
    with pytest.raises(Conflict) as exc:
        arrival_confirm(order=refund, actor=SYSTEM)
    assert exc.value.code == "not_paid"
    assert fresh(refund).arrival_confirmed_at is None


def test_another_customer_cannot_confirm(refund, finance):
    from tests.factories import CustomerFactory

    payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    with pytest.raises(Forbidden):
        arrival_confirm(order=refund, actor=customer_actor(CustomerFactory()))


def test_a_bounce_clears_the_confirmation(refund, finance):
    payout_record(order=refund, reference="LS1", idempotency_key="k1", actor=finance)
    arrival_confirm(order=refund, actor=SYSTEM)
    payout_bounce(order=refund, reason="账户异常被退回", actor=finance)
    assert fresh(refund).arrival_confirmed_at is None
