"""What every part of the demo's text generator shares: intake codes as plain strings
(no Django needed), Traditional Chinese, and the shape of a product line."""

from dataclasses import dataclass
from functools import lru_cache

import opencc

# Expectation codes (models.Expectation), kept as strings so this module needs no Django.
REFUND = "refund"
RETURN_REFUND = "return_refund"
EXCHANGE = "exchange"
REPAIR = "repair"
RESHIP = "reship"
COMPENSATION = "compensation"
APOLOGY = "apology"
OTHER = "other"

# Escalation routes (lifecycle.EscalationRoute values).
PLATFORM = "platform"
CONSUMER_ASSOCIATION = "consumer_association"
REGULATOR = "regulator"
LAWSUIT = "lawsuit"

TRADITIONAL_SHARE = 0.06


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    return _s2t().convert(text) if text else text


# When the problem showed, and how many days after buying at the least (lines may give
# their own).
USED_WHEN: tuple[tuple[str, int], ...] = (
    ("刚到手", 0), ("才用了两次", 2), ("刚用了几天", 3), ("拿到手不到一周", 3),
    ("收到第三天", 4), ("用了半个月", 15), ("用了不到一个月", 20), ("用了一个多月", 35),
)  # fmt: skip


@dataclass(frozen=True)
class ProductLine:
    code: str
    noun: str  # how a customer names it: 手机, 热水器
    product_category: str  # 商品类目
    items: tuple[tuple[str, int, int], ...]  # (product name, lowest, highest price in yuan)
    faults: tuple[str, ...]  # quality problems in the line's own words
    mismatches: tuple[str, ...]  # not as described
    fakes: tuple[str, ...]  # counterfeit / false advertising
    parts: tuple[str, ...]  # what can be missing from the parcel
    gifts: tuple[str, ...]  # promised gifts
    variants: tuple[str, ...]  # colours, sizes, flavours: what can be sent wrong
    hazards: tuple[str, ...] = ()  # health or safety harm: always major
    used_when: tuple[tuple[str, int], ...] = USED_WHEN  # when the problem showed
    durable: bool = False  # repaired and installed, so repair_installation applies
    cheap_endings: bool = False  # prices like 39.90 rather than 1999.00
