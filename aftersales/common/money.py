"""Money in yuan: exact decimals quantised to fen (0.01), never floats.

`parse_yuan` is the one parser for an amount a person or a client sends. It refuses
what is not plainly money (floats, NaN, Infinity, exponents such as "1e309", more than
two decimals, amounts over the ceiling) with a typed error and a stable code, and never
lets decimal.InvalidOperation escape: quantising "1e309" to fen overflows Decimal's
precision, which used to end as a 500."""

import re
from decimal import ROUND_HALF_UP, Context, Decimal

from django.utils.translation import gettext as _

from .errors import ValidationFailed

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")

# Plain decimal notation: digits (thousands may be grouped by commas), an optional
# fraction. No exponent, no underscores, no non-ASCII digits (Decimal accepts all three).
_FULL_WIDTH = {
    ord(c): c2 for c, c2 in zip("０１２３４５６７８９．，＋－￥", "0123456789.,+-¥", strict=True)
}
_PLAIN = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+", re.ASCII)
# Quantising a bounded amount never needs more digits than this.
_QUANTISE = Context(prec=40, rounding=ROUND_HALF_UP)

# Old short reasons, still read by callers written before the codes (intake, orders).
_REASONS = {
    "amount_not_decimal": "not_a_number",
    "amount_negative": "negative",
    "amount_zero": "zero",
    "amount_too_precise": "too_precise",
    "amount_too_large": "too_large",
}


class InvalidAmount(ValidationFailed, ValueError):
    """An amount that is not money. A ValidationFailed (422) naming its field, so a caller
    that does not catch it still answers the client properly."""

    def __init__(self, code: str, *, field: str = "amount", ceiling: Decimal = MAX_AMOUNT):
        self.amount_code = code
        self.reason = _REASONS[code]
        self.field = field
        self.ceiling = ceiling
        message = amount_message(code, ceiling=ceiling)
        super().__init__(message, fields={field: message})


def amount_message(code: str, *, ceiling: Decimal = MAX_AMOUNT) -> str:
    return {
        "amount_negative": _("金额不能为负数"),
        "amount_zero": _("金额必须大于 0"),
        "amount_too_precise": _("金额最多保留两位小数（精确到分）"),
        "amount_too_large": _("金额不能超过 %(max)s 元") % {"max": ceiling},
    }.get(code, _('金额应为以元为单位的数字字符串，如 "199.00"'))


def _decimal_places(value: Decimal) -> int:
    """Significant decimal places, read from the digits (no context, so no overflow):
    1.100 has 1, 1E+5 has 0."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    places = -exponent
    index = len(digits) - 1
    while places > 0 and index >= 0 and digits[index] == 0:
        places -= 1
        index -= 1
    return max(places, 0)


def _to_decimal(raw: object) -> Decimal | None:
    if isinstance(raw, bool | float):  # floats have already lost their fen
        return None
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if isinstance(raw, int):
        return Decimal(raw)  # exact at any size, no str() (Python caps int→str digits)
    if not isinstance(raw, str):
        return None
    # Full-width as a Chinese input method types it ("３００．００", "￥２０"); no other
    # look-alike (a superscript ² is not a 2).
    text = raw.translate(_FULL_WIDTH).strip().removeprefix("¥").strip()
    if len(text) > 64 or not _PLAIN.fullmatch(text):
        return None
    return Decimal(text.replace(",", ""))


def parse_yuan(
    raw: object,
    *,
    field: str = "amount",
    allow_zero: bool = True,
    ceiling: Decimal = MAX_AMOUNT,
) -> Decimal:
    """An amount in yuan, quantised to fen, from a decimal string ("199.00", "1,999",
    "¥20"), an int or a Decimal. Raises InvalidAmount (code amount_not_decimal,
    amount_negative, amount_zero, amount_too_precise or amount_too_large) and nothing else.
    More than two decimals is refused rather than silently rounded."""

    def refuse(code: str) -> InvalidAmount:
        return InvalidAmount(code, field=field, ceiling=ceiling)

    value = _to_decimal(raw)
    if value is None:
        raise refuse("amount_not_decimal")
    if value < 0:
        raise refuse("amount_negative")
    if _decimal_places(value) > 2:
        raise refuse("amount_too_precise")
    if value > ceiling:
        raise refuse("amount_too_large")
    if value == 0:
        if not allow_zero:
            raise refuse("amount_zero")
        return Decimal("0.00")  # not "-0.00"
    return value.quantize(FEN, context=_QUANTISE)


def format_yuan(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(FEN)}"


def bundle_partial_refund(bundle_paid: Decimal, kept_prices) -> Decimal:
    """A partial return of a bundle (套餐), as the platforms compute it: the paid bundle
    price minus the listed prices of the components the customer keeps, never negative.
    Mediation checks a proposal's line with it, fulfilment the after-sale order's."""
    kept = sum((Decimal(p) for p in kept_prices), Decimal("0.00"))
    return max(Decimal(bundle_paid) - kept, Decimal("0.00")).quantize(FEN)
