"""The remedy catalogue of SPEC §5 (常见纠纷及一般解决办法): every remedy a mediation
proposal (调解方案) may offer, which ones are usual for each dispute category, the standard
one a new proposal starts from, and what one line holds (`RemedyItem`). Parsing a
request's lines is `remedy_lines`'.

The category is a machine's guess: it never blocks a remedy. A remedy unusual for the
category is accepted with a warning asking to check the classification.

Pure Python, no ORM. The money of the lines (what counts toward authority, refund caps,
bundles, what the customer owes) is `money`'s."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import pgettext_lazy

from aftersales.disputes.taxonomy import Category

# Who pays (shipping, a difference): the entitlement engine's word, one enum for both.
from .entitlements.facts import Payer as Payer

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000.00")
MAX_DEADLINE_DAYS = 365
NOTE_MAX = 500


class RemedyCode(TextChoices):
    # 退款（全额或部分，顾客不退货）
    REFUND = "refund", pgettext_lazy("remedy", "退款")
    RETURN_REFUND = "return_refund", pgettext_lazy("remedy", "退货退款")
    EXCHANGE = "exchange", pgettext_lazy("remedy", "换货")
    RESHIP = "reship", pgettext_lazy("remedy", "补发")
    REPAIR = "repair", pgettext_lazy("remedy", "维修")
    # 退差价
    PRICE_DIFFERENCE = "price_difference", pgettext_lazy("remedy", "退还差价")
    COUPON = "coupon", pgettext_lazy("remedy", "优惠券")
    GIFT = "gift", pgettext_lazy("remedy", "赠品")
    DISCOUNT = "discount", pgettext_lazy("remedy", "下次购物折扣")
    # 退货运费补偿
    SHIPPING_COMPENSATION = "shipping_compensation", pgettext_lazy("remedy", "运费补偿")
    COMPENSATION = "compensation", pgettext_lazy("remedy", "赔偿金")
    # 道歉
    APOLOGY = "apology", pgettext_lazy("remedy", "赔礼道歉")
    GUIDANCE = "guidance", pgettext_lazy("remedy", "使用指导")
    # Major quality incidents (重大质量事故, SPEC §6): always a management application.
    # 整机（整车）更换
    WHOLE_EXCHANGE = "whole_exchange", pgettext_lazy("remedy", "整机更换（重大质量事故）")
    # 退机（退车）
    TAKE_BACK = "take_back", pgettext_lazy("remedy", "退机退款（重大质量事故）")
    # 人身或财产损失附带赔偿
    INCIDENT_COMPENSATION = (
        "incident_compensation",
        pgettext_lazy("remedy", "人身或财产损失附带赔偿（重大质量事故）"),
    )


class AmountRule(StrEnum):
    REQUIRED = "required"  # money or its value: more than zero
    OPTIONAL = "optional"  # e.g. an exchange's price difference paid to the customer
    NONE = "none"  # an apology has no amount


@dataclass(frozen=True)
class RemedySpec:
    code: RemedyCode
    amount: AmountRule
    # Money (or its value) the company gives up without goods coming back: what the
    # authority ceilings cap. A refund against returned goods is restitution, not this
    # (up to what was paid for them: `money` decides, this flag only documents it).
    counts_toward_authority: bool
    major_incident: bool = False
    goods_move: bool = False  # a return, exchange or repair: someone pays the shipping
    default_deadline_days: int | None = None


SPECS: dict[RemedyCode, RemedySpec] = {
    s.code: s
    for s in (
        RemedySpec(RemedyCode.REFUND, AmountRule.REQUIRED, True, default_deadline_days=7),
        RemedySpec(
            RemedyCode.RETURN_REFUND,
            AmountRule.REQUIRED,
            False,
            goods_move=True,
            default_deadline_days=7,
        ),
        RemedySpec(
            RemedyCode.EXCHANGE, AmountRule.OPTIONAL, True, goods_move=True, default_deadline_days=7
        ),
        RemedySpec(RemedyCode.RESHIP, AmountRule.NONE, False, default_deadline_days=2),
        RemedySpec(
            RemedyCode.REPAIR, AmountRule.NONE, False, goods_move=True, default_deadline_days=30
        ),
        RemedySpec(RemedyCode.PRICE_DIFFERENCE, AmountRule.REQUIRED, True, default_deadline_days=3),
        RemedySpec(RemedyCode.COUPON, AmountRule.REQUIRED, True, default_deadline_days=1),
        RemedySpec(RemedyCode.GIFT, AmountRule.REQUIRED, True, default_deadline_days=3),
        RemedySpec(RemedyCode.DISCOUNT, AmountRule.REQUIRED, True, default_deadline_days=30),
        RemedySpec(
            RemedyCode.SHIPPING_COMPENSATION, AmountRule.REQUIRED, True, default_deadline_days=3
        ),
        RemedySpec(RemedyCode.COMPENSATION, AmountRule.REQUIRED, True, default_deadline_days=3),
        RemedySpec(RemedyCode.APOLOGY, AmountRule.NONE, False),
        RemedySpec(RemedyCode.GUIDANCE, AmountRule.NONE, False, default_deadline_days=1),
        RemedySpec(
            RemedyCode.WHOLE_EXCHANGE,
            AmountRule.OPTIONAL,
            True,
            major_incident=True,
            goods_move=True,
            default_deadline_days=15,
        ),
        RemedySpec(
            RemedyCode.TAKE_BACK,
            AmountRule.REQUIRED,
            False,
            major_incident=True,
            goods_move=True,
            default_deadline_days=7,
        ),
        RemedySpec(
            RemedyCode.INCIDENT_COMPENSATION,
            AmountRule.REQUIRED,
            True,
            major_incident=True,
            default_deadline_days=7,
        ),
    )
}

R = RemedyCode
_GOODWILL = (R.APOLOGY, R.COUPON, R.GIFT, R.DISCOUNT, R.COMPENSATION)
_MAJOR = (R.WHOLE_EXCHANGE, R.TAKE_BACK, R.INCIDENT_COMPENSATION)

# SPEC §5, column "first-line remedy", widened with what a real after-sales department
# offers next for the category; the statutory routes (return, exchange, repair) wherever
# the goods themselves can be at fault. Usual, not required: any other remedy is allowed
# with a warning (the category may be wrong, the case unusual).
USUAL: dict[Category, tuple[RemedyCode, ...]] = {
    Category.QUALITY: (
        R.RETURN_REFUND,
        R.EXCHANGE,
        R.REPAIR,
        R.REFUND,
        R.RESHIP,
        R.SHIPPING_COMPENSATION,
        R.GUIDANCE,
        *_GOODWILL,
        *_MAJOR,
    ),
    Category.NOT_AS_DESCRIBED: (
        R.RETURN_REFUND,
        R.EXCHANGE,
        R.REFUND,
        R.SHIPPING_COMPENSATION,
        *_GOODWILL,
    ),
    Category.COUNTERFEIT: (R.RETURN_REFUND, R.REFUND, R.EXCHANGE, *_GOODWILL, *_MAJOR),
    Category.PRICE_PROMOTION: (R.PRICE_DIFFERENCE, R.REFUND, R.RETURN_REFUND, *_GOODWILL),
    Category.WRONG_OR_MISSING: (
        R.RESHIP,
        R.EXCHANGE,
        R.RETURN_REFUND,
        R.REFUND,
        R.SHIPPING_COMPENSATION,
        *_GOODWILL,
    ),
    Category.SHIPPING_DELAY: (R.REFUND, *_GOODWILL),
    Category.LOGISTICS: (
        R.RESHIP,
        R.RETURN_REFUND,
        R.EXCHANGE,
        R.REFUND,
        R.SHIPPING_COMPENSATION,
        *_GOODWILL,
    ),
    Category.OUT_OF_STOCK: (R.REFUND, R.EXCHANGE, *_GOODWILL),
    Category.SERVICE: (R.GUIDANCE, *_GOODWILL),
    Category.RETURN_REFUND: (
        R.RETURN_REFUND,
        R.REFUND,
        R.EXCHANGE,
        R.SHIPPING_COMPENSATION,
        *_GOODWILL,
    ),
    Category.REPAIR_INSTALLATION: (
        R.REPAIR,
        R.EXCHANGE,
        R.RETURN_REFUND,
        R.REFUND,
        R.SHIPPING_COMPENSATION,
        R.GUIDANCE,
        *_GOODWILL,
        *_MAJOR,
    ),
    # Customer-side causes and vague complaints: listen, calm, a small coupon or gift.
    Category.OTHER: (R.APOLOGY, R.GUIDANCE, R.COUPON, R.GIFT),
}

# The standard remedy a new proposal is pre-filled with (SPEC §5's first line).
STANDARD: dict[Category, tuple[RemedyCode, ...]] = {
    Category.QUALITY: (R.RETURN_REFUND,),
    Category.NOT_AS_DESCRIBED: (R.APOLOGY, R.GIFT),
    Category.COUNTERFEIT: (R.RETURN_REFUND, R.COMPENSATION),
    Category.PRICE_PROMOTION: (R.PRICE_DIFFERENCE,),
    Category.WRONG_OR_MISSING: (R.RESHIP,),
    Category.SHIPPING_DELAY: (R.APOLOGY, R.GIFT),
    Category.LOGISTICS: (R.RESHIP,),
    Category.OUT_OF_STOCK: (R.REFUND,),
    Category.SERVICE: (R.APOLOGY,),
    Category.RETURN_REFUND: (R.RETURN_REFUND,),
    Category.REPAIR_INSTALLATION: (R.REPAIR,),
    Category.OTHER: (R.APOLOGY,),
}

# Amounts the standard remedies start from: the price where the goods go back or the
# order is refunded; a small token where SPEC says "small gift"; else the agent fills it.
SMALL_GIFT = Decimal("10.00")
FRAUD_MINIMUM = Decimal("500.00")


ALLOWED = USUAL  # the name before issue 10, when the category blocked the others


def usual(category: str) -> tuple[RemedyCode, ...]:
    """The remedies usual for a category; any other is allowed with a warning."""
    return USUAL[Category(category)]


allowed = usual  # the name before issue 10

# Who may pay instead of receive (买家应补): the difference of an exchange to a dearer
# item, a paid repair outside the warranty.
CUSTOMER_PAYS_CODES = frozenset({R.EXCHANGE, R.WHOLE_EXCHANGE, R.REPAIR})
# A bundle partial return names the components kept: only on a return with refund.
KEPT_CODES = frozenset({R.RETURN_REFUND})
# "The refund waits for the return unless the proposal says otherwise" (SPEC §7): a line
# that returns goods for money may say the refund is paid first (`refund_first`).
REFUND_FIRST_CODES = frozenset({R.RETURN_REFUND, R.TAKE_BACK})
# An exchange may ship the replacement once the return parcel moves (`ship_first`).
SHIP_FIRST_CODES = frozenset({R.EXCHANGE, R.WHOLE_EXCHANGE})
KEPT_MAX = 20
KEPT_NAME_MAX = 200


@dataclass(frozen=True)
class RemedyItem:
    """One line of a proposal. Amounts in yuan, quantised to fen."""

    code: RemedyCode
    amount: Decimal | None = None
    deadline_days: int | None = None  # counted from the day the agreement is reached
    shipping_paid_by: Payer | None = None  # for returns, exchanges and repairs
    note: str = ""
    # What the customer pays instead (买家应补), e.g. the difference of an exchange to a
    # dearer item: owed by the customer, never toward the author's authority.
    customer_pays: Decimal | None = None
    # A bundle (套餐) partial return: the names of the components the customer keeps.
    kept: tuple[str, ...] = ()
    # A return line: the refund is paid before the goods come back (先退款后退货).
    refund_first: bool = False
    # An exchange line: the replacement ships once the return parcel moves (先发后退).
    ship_first: bool = False

    @property
    def spec(self) -> RemedySpec:
        return SPECS[self.code]

    def as_dict(self) -> dict[str, Any]:
        data = {
            "code": self.code.value,
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "deadline_days": self.deadline_days,
            "shipping_paid_by": None if self.shipping_paid_by is None else self.shipping_paid_by,
            "note": self.note,
            "customer_pays": None if self.customer_pays is None else f"{self.customer_pays:.2f}",
            "kept": list(self.kept),
        }
        # The flags only when set, so the lines stored before them read the same.
        if self.refund_first:
            data["refund_first"] = True
        if self.ship_first:
            data["ship_first"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RemedyItem:
        """Back from `as_dict` (stored revisions); trusts its input."""
        amount = data.get("amount")
        payer = data.get("shipping_paid_by")
        return cls(
            code=RemedyCode(data["code"]),
            amount=None if amount is None else Decimal(amount),
            deadline_days=data.get("deadline_days"),
            shipping_paid_by=None if payer is None else Payer(payer),
            note=data.get("note", ""),
            customer_pays=(
                None if data.get("customer_pays") is None else Decimal(data["customer_pays"])
            ),
            kept=tuple(data.get("kept") or ()),
            refund_first=bool(data.get("refund_first")),
            ship_first=bool(data.get("ship_first")),
        )


def standard_items(category: str, price: Decimal | None) -> list[RemedyItem]:
    """The pre-filled lines for a new proposal on a dispute of this category. An amount
    only the agent can know (a price difference) is left empty for them to fill."""
    items = []
    for code in STANDARD[Category(category)]:
        spec = SPECS[code]
        amount: Decimal | None = None
        if code in (R.RETURN_REFUND, R.REFUND, R.TAKE_BACK) and price is not None:
            amount = price.quantize(FEN)
        elif code == R.GIFT:
            amount = SMALL_GIFT
        elif code == R.COMPENSATION and category == Category.COUNTERFEIT and price is not None:
            # Fraud: three times the price, at least 500 yuan (CPL Art. 55(1)).
            amount = max(price * 3, FRAUD_MINIMUM).quantize(FEN)
        items.append(
            RemedyItem(
                code=code,
                amount=amount,
                deadline_days=spec.default_deadline_days,
                shipping_paid_by=Payer.MERCHANT if spec.goods_move else None,
            )
        )
    return items


# Parsing moved to `remedy_lines` (issue 10); the old names still answer here.
_MOVED = frozenset({"Problem", "ProposalWarning", "parse_items", "category_warnings", "_amount"})


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from . import remedy_lines

        return getattr(remedy_lines, name)
    raise AttributeError(name)


def total_amount(items: Sequence[RemedyItem]) -> Decimal:
    """What the customer receives in money or its value (`money.total_amount`)."""
    from . import money

    return money.total_amount(items)


def authority_amount(items: Sequence[RemedyItem], order: Any = None) -> Decimal:
    """The part the authority ceilings cap (`money.authority_amount`); without the
    order's money (`money.OrderMoney`) every refund counts, as the order's amount is
    not known."""
    from . import money

    return money.authority_amount(items, order)


def is_major_incident(items: Sequence[RemedyItem]) -> bool:
    """A 重大质量事故处理申请表: a whole-product exchange, a take-back or additional
    compensation for injury or property loss."""
    return any(i.spec.major_incident for i in items)
