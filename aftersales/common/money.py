"""Money in yuan: exact decimals quantised to fen (0.01), never floats."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")


class InvalidAmount(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "not_a_number" | "negative" | "too_large" | "too_precise"


def parse_yuan(raw: object) -> Decimal:
    """Parse a decimal string (or Decimal/int) in yuan. Floats are refused: they are not
    exact. More than two decimal places is refused rather than silently rounded."""
    if isinstance(raw, bool) or isinstance(raw, float):
        raise InvalidAmount("not_a_number")
    text = str(raw).strip().replace(",", "").removeprefix("¥").removeprefix("￥")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise InvalidAmount("not_a_number") from None
    if not value.is_finite():
        raise InvalidAmount("not_a_number")
    if value < 0:
        raise InvalidAmount("negative")
    if value > MAX_AMOUNT:
        raise InvalidAmount("too_large")
    if value != value.quantize(FEN, rounding=ROUND_HALF_UP):
        raise InvalidAmount("too_precise")
    return value.quantize(FEN)


def format_yuan(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(FEN)}"
