"""Expected refund arrival by payment channel (SPEC §7): pure, no database."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.fulfilment.rules import ARRIVAL_BY_CHANNEL, NoArrivalRule, refund_arrival
from aftersales.parties.models import Order

SH = ZoneInfo("Asia/Shanghai")
PAID = dt.datetime(2026, 9, 30, 16, 45, tzinfo=SH)


@pytest.mark.parametrize(
    ("channel", "earliest_days", "latest_days"),
    [
        ("platform_balance", 0, 0),  # at once
        ("bank_quickpay", 0, 3),
        ("credit_card", 3, 7),  # the customer hears 3–7 days; we hold ourselves to 7
        ("alipay", 0, 3),
        ("wechat_pay", 0, 3),
    ],
)
def test_expected_by_is_the_late_end_of_the_channels_range(channel, earliest_days, latest_days):
    arrival = refund_arrival(channel=channel, paid_at=PAID)
    assert arrival.earliest == PAID + dt.timedelta(days=earliest_days)
    assert arrival.expected_by == PAID + dt.timedelta(days=latest_days)
    assert arrival.rule  # says which rule set the date


def test_calendar_days_run_through_holidays():
    # National Day: a credit-card refund paid on 9-30 is expected by 10-07, holiday or not.
    assert refund_arrival(channel="credit_card", paid_at=PAID).expected_by.date() == dt.date(
        2026, 10, 7
    )


@pytest.mark.parametrize("channel", ["cash", "cash_on_delivery", "", "bitcoin"])
def test_channels_without_a_standard_time_need_a_person_to_give_the_date(channel):
    with pytest.raises(NoArrivalRule):
        refund_arrival(channel=channel, paid_at=PAID)


def test_every_rule_is_for_a_payment_channel_the_orders_know():
    assert set(ARRIVAL_BY_CHANNEL) <= set(Order.PaymentChannel.values)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        refund_arrival(channel="bank_quickpay", paid_at=PAID.replace(tzinfo=None))
