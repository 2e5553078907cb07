"""When a refund is expected to arrive, by payment channel (SPEC §7), and when the
运费险 insurer is expected to pay. Pure apart from reading settings: no ORM.

Platform balance: at once. Bank card quick-pay: up to 3 days. Credit card: 3–7 days. The
customer is told the range; the expected date we hold ourselves to is its late end, so
the daily check calls a refund late only once the whole range has passed. Days are
calendar days (the banks' range, not our working calendar).

Configurable: settings.REFUND_ARRIVAL_DAYS maps a payment channel code to (min, max)
days and replaces that channel's default range (a channel mapped to None has no rule);
settings.SHIPPING_INSURANCE_PAYOUT_HOURS (default 72) is how long after the refund
succeeds the insurer's payout is due.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class ArrivalRange:
    min_days: int
    max_days: int
    rule: str  # what a person reads on the after-sale order: the rule that set the date


# Codes as in parties.Order.PaymentChannel. The defaults of SPEC §7.
ARRIVAL_BY_CHANNEL: dict[str, ArrivalRange] = {
    "platform_balance": ArrivalRange(0, 0, "平台余额：即时到账"),
    "bank_quickpay": ArrivalRange(0, 3, "银行卡快捷支付：3 天内到账"),
    "credit_card": ArrivalRange(3, 7, "信用卡：3–7 天到账"),
    # Wallets refund to where the money came from: their balance at once, or the bank
    # card behind them; we cannot tell which, so the card's 3 days.
    "alipay": ArrivalRange(0, 3, "支付宝：原路退回，余额即时、银行卡 3 天内"),
    "wechat_pay": ArrivalRange(0, 3, "微信支付：原路退回，零钱即时、银行卡 3 天内"),
}

CHANNEL_NAMES = {
    "platform_balance": "平台余额",
    "bank_quickpay": "银行卡快捷支付",
    "credit_card": "信用卡",
    "alipay": "支付宝",
    "wechat_pay": "微信支付",
    "cash_on_delivery": "货到付款",
    "cash": "现金",
}

SHIPPING_INSURANCE_PAYOUT_HOURS = 72


def _configured(channel: str, days) -> ArrivalRange | None:
    if days is None:
        return None
    low, high = (int(days), int(days)) if isinstance(days, int) else (int(d) for d in days)
    if low < 0 or high < low:
        raise ValueError(f"REFUND_ARRIVAL_DAYS[{channel!r}]: need 0 <= min <= max, got {days!r}")
    name = CHANNEL_NAMES.get(channel, channel)
    if high == 0:
        rule = f"{name}：即时到账"
    elif low == high or low == 0:
        rule = f"{name}：{high} 天内到账"
    else:
        rule = f"{name}：{low}–{high} 天到账"
    return ArrivalRange(low, high, rule)


def arrival_ranges() -> dict[str, ArrivalRange]:
    """The arrival range of every channel that has one: the defaults, with the channels
    settings.REFUND_ARRIVAL_DAYS names replaced (or removed, when None)."""
    ranges = dict(ARRIVAL_BY_CHANNEL)
    for channel, days in (getattr(settings, "REFUND_ARRIVAL_DAYS", None) or {}).items():
        found = _configured(channel, days)
        if found is None:
            ranges.pop(channel, None)
        else:
            ranges[channel] = found
    return ranges


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
    found = arrival_ranges().get(channel)
    if found is None:
        raise NoArrivalRule(channel)
    return RefundArrival(
        earliest=paid_at + dt.timedelta(days=found.min_days),
        expected_by=paid_at + dt.timedelta(days=found.max_days),
        rule=found.rule,
    )


def insurance_payout_due(*, refunded_at: dt.datetime) -> dt.datetime:
    """When the 运费险 insurer's payout is due: hours after the refund succeeded."""
    hours = getattr(settings, "SHIPPING_INSURANCE_PAYOUT_HOURS", SHIPPING_INSURANCE_PAYOUT_HOURS)
    return refunded_at + dt.timedelta(hours=float(hours))
