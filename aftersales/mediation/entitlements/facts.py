"""The engine's vocabulary: facts in, entitlements and notes out (frozen dataclasses)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

# One vocabulary with the product record (a pure module: the engine stays ORM-free).
from aftersales.parties.goods import GoodsKind as GoodsKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
FEN = Decimal("0.01")
MONEY_MAX = Decimal("1000000000000")  # 1e12 yuan: far above any order, inside Decimal's precision
DAYS_MAX = 36500  # a century of days: more is a typing error, not a warranty


class Channel(enum.StrEnum):
    ONLINE = "online"
    LIVE_STREAM = "live_stream"
    TV = "tv"
    PHONE = "phone"
    MAIL_ORDER = "mail_order"
    OFFLINE = "offline"


DISTANCE_SALES = frozenset({Channel.ONLINE, Channel.LIVE_STREAM, Channel.TV, Channel.PHONE,
                            Channel.MAIL_ORDER})  # fmt: skip
# SAIC 90 Art. 36 brings TV, phone and mail order under the online rules.
BROADCAST_SALES = frozenset({Channel.TV, Channel.PHONE, Channel.MAIL_ORDER})


class Defect(enum.StrEnum):
    NONE = "none"
    QUALITY = "quality"
    PERFORMANCE_FAULT = "performance_fault"


class Remedy(enum.StrEnum):
    """In the order the output lists them."""

    RETURN_NO_REASON = "return_no_reason"
    RETURN = "return"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    PUNITIVE_DAMAGES = "punitive_damages"
    FOOD_PUNITIVE_DAMAGES = "food_punitive_damages"
    HARM_PUNITIVE_DAMAGES = "harm_punitive_damages"
    LOSS_COMPENSATION = "loss_compensation"


class Payer(enum.StrEnum):
    CONSUMER = "consumer"
    MERCHANT = "merchant"


class Anchor(enum.StrEnum):
    """What a merchant deadline counts from."""

    RETURN_RECEIVED = "return_received"  # the merchant receives the returned goods
    HANDED_IN = "handed_in"  # the goods go in for repair


@dataclass(frozen=True)
class Facts:
    """The engine's inputs; field names and defaults are the CLI contract's."""

    channel: Channel
    price: Decimal
    received_on: date
    claim_on: date
    sold_on: date | None = None  # None: the day of signing (received_on)
    goods_kind: GoodsKind = GoodsKind.GENERAL
    digital_unsealed: bool = False
    excluded_confirmed: bool = False
    intact: bool = True
    defect: Defect = Defect.NONE
    three_guarantees: bool = False
    car: bool = False  # a household car under the car rule (家用汽车三包, 2021)
    warranty_days: int = 0
    failed_repairs: int = 0
    parts_wait_days: int = 0
    repair_delay_days: int = 0
    fraud: bool = False
    food: bool = False
    food_safety_violation: bool = False
    label_defect_only: bool = False
    known_defect_serious_harm: bool = False
    loss: Decimal = Decimal("0.00")

    @property
    def sale_date(self) -> date:
        return self.sold_on or self.received_on

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "sold_on":
                value = self.sale_date
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = f"{value:.2f}"
            elif isinstance(value, enum.Enum):
                value = value.value
            out[f.name] = value
        return out


@dataclass(frozen=True)
class Entitlement:
    remedy: Remedy
    basis: str
    amount: Decimal | None
    shipping_paid_by: Payer | None
    merchant_deadline_days: int | None
    rules: tuple[str, ...]  # legal.md §2 rule ids, e.g. ("R09",)
    deadline_anchor: Anchor | None = None

    def as_dict(self) -> dict[str, Any]:
        """The CLI contract's shape, exactly."""
        return {
            "remedy": self.remedy.value,
            "basis": self.basis,
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "shipping_paid_by": None
            if self.shipping_paid_by is None
            else self.shipping_paid_by.value,
            "merchant_deadline_days": self.merchant_deadline_days,
        }


@dataclass(frozen=True)
class Note:
    code: str
    ref: str  # the legal.md §8 id
    text: str

    def __str__(self) -> str:
        return f"{self.ref} {self.text}"


@dataclass(frozen=True)
class Window:
    """A period the consumer has, as the case's dates make it (for display)."""

    code: str
    label: str
    last_day: date
    basis: str


@dataclass(frozen=True)
class Result:
    facts: Facts
    entitlements: tuple[Entitlement, ...]
    notes: tuple[Note, ...]
    windows: tuple[Window, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "entitlements": [e.as_dict() for e in self.entitlements],
            "notes": [str(n) for n in self.notes],
        }


def money(value: Decimal) -> Decimal:
    """Quantised to fen, half up."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)
