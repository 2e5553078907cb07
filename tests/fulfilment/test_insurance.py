"""运费险 (return-shipping insurance, SPEC §7): a return of an order bought with it is
insured, an exchange never is; once the return's refund is paid the insurer's payout is
expected within 72 hours (an SLA clock of the order), and finance records what the
insurer paid by its own tariff, once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Event
from aftersales.fulfilment.aftersale_orders import aftersale_step
from aftersales.fulfilment.insurance import insurance_payout_record
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.fulfilment.payouts import payout_bounce, payout_record
from aftersales.sla.models import Timer

pytestmark = pytest.mark.django_db

CLAIM = {"amount_paid": "1.00"}  # the agreed refund of the claim leaves room for ours
PAID_AT = dt.datetime(2026, 10, 8, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def insured(executing_dispute):
    return executing_dispute(
        intake=CLAIM, amount_paid=Decimal("800.00"), return_shipping_insurance=True
    )


def fresh(order) -> AfterSaleOrder:
    return AfterSaleOrder.objects.get(pk=order.pk)


def paid_return(dispute, make_order, finance, *, at=PAID_AT) -> AfterSaleOrder:
    """A return refunded before the goods come back (refund_first), the refund paid."""
    order = make_order(dispute, "return_refund", amount="200.00", variant="refund_first")
    aftersale_step(order=order, action="finance_approve", actor=finance)
    payout_record(
        order=order, reference="LS-R1", idempotency_key=f"r{order.pk}", actor=finance, at=at
    )
    return fresh(order)


def test_the_orders_api_flag_makes_returns_insured_but_never_exchanges(insured, make_order):
    assert insured.order.return_shipping_insurance
    agreed = AfterSaleOrder.objects.filter(dispute=insured, type="return_refund")
    assert all(o.shipping_insurance for o in agreed)  # the accepted proposal's return
    assert make_order(insured, "return_refund", amount="10.00").shipping_insurance
    assert not make_order(insured, "exchange").shipping_insurance
    assert not make_order(insured, "refund_shipped", amount="10.00").shipping_insurance
    assert not make_order(insured, "repair").shipping_insurance


def test_an_order_without_insurance_has_no_insured_return(executing_dispute, make_order):
    dispute = executing_dispute(intake=CLAIM, amount_paid=Decimal("800.00"))
    assert not make_order(dispute, "return_refund", amount="10.00").shipping_insurance


def test_the_insurers_payout_is_expected_72_hours_after_the_refund(insured, make_order, finance):
    order = paid_return(insured, make_order, finance)
    assert order.insurance_expected_by == PAID_AT + dt.timedelta(hours=72)
    event = Event.objects.get(kind="shipping_insurance_expected", payload__aftersale_order=order.pk)
    assert event.payload["subject"] == f"aftersale:{order.pk}"
    assert event.payload["expected_by"] == (PAID_AT + dt.timedelta(hours=72)).isoformat()


def test_the_insurers_clock_runs_until_the_payout_is_recorded(insured, make_order, finance):
    order = paid_return(insured, make_order, finance, at=None)
    timers = Timer.objects.filter(
        dispute=insured, subject=f"aftersale:{order.pk}", kind__code="shipping_insurance"
    )
    assert timers.get().state == Timer.State.RUNNING
    insurance_payout_record(order=order, amount="12.00", reference="PA-1", actor=finance)
    assert timers.get().state != Timer.State.RUNNING


def test_the_hours_are_configurable(insured, make_order, finance):
    with override_settings(SHIPPING_INSURANCE_PAYOUT_HOURS=48):
        order = paid_return(insured, make_order, finance)
    assert order.insurance_expected_by == PAID_AT + dt.timedelta(hours=48)


def test_no_insurance_is_expected_for_a_refund_that_is_not_a_return(insured, make_order, finance):
    order = make_order(insured, "refund_shipped", amount="50.00")
    aftersale_step(order=order, action="finance_approve", actor=finance)
    payout_record(order=order, reference="LS-1", idempotency_key="k", actor=finance)
    assert fresh(order).insurance_expected_by is None
    assert not Event.objects.filter(kind="shipping_insurance_expected").exists()


def test_a_refund_paid_again_after_a_bounce_keeps_the_first_due_date(insured, make_order, finance):
    order = paid_return(insured, make_order, finance)
    payout_bounce(order=order, reason="银行卡号错误", actor=finance)
    aftersale_step(order=order, action="finance_approve", actor=finance)
    payout_record(
        order=order,
        reference="LS-R2",
        idempotency_key="again",
        actor=finance,
        at=PAID_AT + dt.timedelta(days=1),
    )
    assert fresh(order).insurance_expected_by == PAID_AT + dt.timedelta(hours=72)
    assert (
        Event.objects.filter(
            kind="shipping_insurance_expected", payload__aftersale_order=order.pk
        ).count()
        == 1
    )


def test_finance_records_the_insurers_payout_once(insured, make_order, finance):
    order = paid_return(insured, make_order, finance)
    when = PAID_AT + dt.timedelta(hours=30)
    insurance_payout_record(
        order=order, amount="12.00", reference="PA-2026-1", actor=finance, at=when
    )
    order = fresh(order)
    # The insurer's tariff, whatever the parcel cost the customer.
    assert order.insurance_amount == Decimal("12.00")
    assert order.insurance_paid_at == when
    assert order.insurance_reference == "PA-2026-1"
    event = Event.objects.get(kind="shipping_insurance_paid", payload__aftersale_order=order.pk)
    assert event.payload["amount"] == "12.00"
    assert event.payload["subject"] == f"aftersale:{order.pk}"
    assert event.payload["late"] is False

    with pytest.raises(Conflict) as exc:
        insurance_payout_record(order=order, amount="12.00", reference="PA-2026-2", actor=finance)
    assert exc.value.code == "insurance_already_paid"
    assert fresh(order).insurance_reference == "PA-2026-1"


def test_an_order_without_insurance_has_nothing_to_record(insured, make_order, finance):
    paid_return(insured, make_order, finance)  # finance works on the dispute
    order = make_order(insured, "exchange")
    with pytest.raises(Conflict) as exc:
        insurance_payout_record(order=order, amount="12.00", reference="PA-1", actor=finance)
    assert exc.value.code == "no_shipping_insurance"


@pytest.mark.parametrize(
    ("amount", "reference", "field"),
    [("0", "PA-1", "amount"), ("-1", "PA-1", "amount"), ("12.00", " ", "reference")],
)
def test_bad_insurance_input_is_refused(insured, make_order, finance, amount, reference, field):
    order = paid_return(insured, make_order, finance)
    with pytest.raises(ValidationFailed) as exc:
        insurance_payout_record(order=order, amount=amount, reference=reference, actor=finance)
    assert field in exc.value.fields
    assert fresh(order).insurance_paid_at is None


def test_only_finance_records_the_insurers_payout(insured, make_order, finance, agent):
    order = paid_return(insured, make_order, finance)
    with pytest.raises(Forbidden):
        insurance_payout_record(order=order, amount="12.00", reference="PA-1", actor=agent)


# -- the orders API takes the flag -------------------------------------------------------

ORDER_BODY = {
    "store": "暖家电器旗舰店",
    "platform": "tmall",
    "lines": [{"product": "空气炸锅", "sku": "AF-55", "quantity": 1, "unit_price": "329.00"}],
}


def test_the_order_body_says_whether_it_has_return_shipping_insurance():
    from aftersales.parties.order_input import read_order

    insured, errors = read_order({**ORDER_BODY, "return_shipping_insurance": True}, order_no="T1")
    assert not errors and insured.return_shipping_insurance
    plain, errors = read_order(ORDER_BODY, order_no="T2")
    assert not errors and not plain.return_shipping_insurance
    refused, errors = read_order({**ORDER_BODY, "return_shipping_insurance": "是"}, order_no="T3")
    assert refused is None and "return_shipping_insurance" in errors
