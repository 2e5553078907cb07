"""When a refund is expected to arrive, by payment channel (SPEC §7). Pure: no ORM.

Platform balance: at once. Bank card quick-pay: 3 days. Credit card: 3–7 days. The
customer is told the range; the expected date we hold ourselves to is its late end, so
the daily check calls a refund late only once the whole range has passed. Days are
calendar days (the banks' range, not our working calendar).
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ArrivalRange:
    min_days: int
    max_days: int
    rule: str  # what a person reads on the execution: the rule that set the date


# Codes as in parties.Order.PaymentChannel.
ARRIVAL_BY_CHANNEL: dict[str, ArrivalRange] = {
    "platform_balance": ArrivalRange(0, 0, "平台余额：即时到账"),
    "bank_quickpay": ArrivalRange(3, 3, "银行卡快捷支付：3 天内到账"),
    "credit_card": ArrivalRange(3, 7, "信用卡：3–7 天到账"),
    # Wallets refund to where the money came from: their balance at once, or the bank
    # card behind them; we cannot tell which, so the card's 3 days.
    "alipay": ArrivalRange(0, 3, "支付宝：原路退回，余额即时、银行卡 3 天内"),
    "wechat_pay": ArrivalRange(0, 3, "微信支付：原路退回，零钱即时、银行卡 3 天内"),
}


@dataclass(frozen=True)
class RefundArrival:
    earliest: dt.datetime
    expected_by: dt.datetime  # the late end of the range
    rule: str


class NoArrivalRule(ValueError):
    """The channel has no standard arrival time (cash, cash on delivery, unknown): a
    person must give the expected date."""


def refund_arrival(*, channel: str, paid_at: dt.datetime) -> RefundArrival:
    """The expected arrival of a refund sent through `channel` at `paid_at` (aware)."""
    if paid_at.tzinfo is None:
        raise ValueError("paid_at must be timezone-aware")
    found = ARRIVAL_BY_CHANNEL.get(channel)
    if found is None:
        raise NoArrivalRule(channel)
    return RefundArrival(
        earliest=paid_at + dt.timedelta(days=found.min_days),
        expected_by=paid_at + dt.timedelta(days=found.max_days),
        rule=found.rule,
    )
