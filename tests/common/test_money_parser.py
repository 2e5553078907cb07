"""The one money parser: every amount a client sends goes through parse_yuan, which says
what is wrong with a stable code and never lets anything else escape (a stray
decimal.InvalidOperation used to end as a 500)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.common.errors import ValidationFailed
from aftersales.common.money import MAX_AMOUNT, InvalidAmount, parse_yuan


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1e309", "amount_not_decimal"),
        ("1E+2", "amount_not_decimal"),
        ("NaN", "amount_not_decimal"),
        ("sNaN", "amount_not_decimal"),
        ("Infinity", "amount_not_decimal"),
        ("-inf", "amount_not_decimal"),
        (float("inf"), "amount_not_decimal"),
        (199.5, "amount_not_decimal"),
        (True, "amount_not_decimal"),
        (Decimal("NaN"), "amount_not_decimal"),
        ("1²", "amount_not_decimal"),  # a superscript is not a digit
        ("١٩٩", "amount_not_decimal"),  # nor are other scripts' digits (Decimal takes them)
        ("1_000", "amount_not_decimal"),
        ("1,5", "amount_not_decimal"),  # not a thousands group: never read as 15
        ("", "amount_not_decimal"),
        (["1"], "amount_not_decimal"),
        ("1.001", "amount_too_precise"),
        ("-0.01", "amount_negative"),
        ("100000000.00", "amount_too_large"),
        pytest.param(10**5000, "amount_too_large", id="huge-int"),  # str() of it raises
        ("9" * 60, "amount_too_large"),
    ],
)
def test_what_is_not_money_is_refused_with_a_stable_code(raw, code):
    with pytest.raises(InvalidAmount) as caught:
        parse_yuan(raw, field="lines.0.amount")
    assert caught.value.amount_code == code
    assert list(caught.value.fields) == ["lines.0.amount"]
    assert caught.value.status == 422


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("199", "199.00"),
        (" 199.5 ", "199.50"),
        ("1.100", "1.10"),
        ("¥1,999.00", "1999.00"),
        (329, "329.00"),
        (Decimal("1E+2"), "100.00"),
        ("-0", "0.00"),
        ("99999999.99", "99999999.99"),
        ("１９９", "199.00"),  # full-width, as a Chinese input method types it
        ("￥１，９９９．５０", "1999.50"),
    ],
)
def test_money_is_read_to_the_fen(raw, value):
    assert str(parse_yuan(raw)) == value


def test_zero_and_the_ceiling_are_the_callers_choice():
    with pytest.raises(InvalidAmount) as caught:
        parse_yuan("0.00", allow_zero=False)
    assert caught.value.amount_code == "amount_zero"
    with pytest.raises(InvalidAmount) as caught:
        parse_yuan("1000000.01", ceiling=Decimal("1000000.00"))
    assert caught.value.amount_code == "amount_too_large"
    assert "1000000.00" in caught.value.message


@given(
    st.one_of(
        st.text(max_size=40),
        st.text(alphabet="0123456789.,-+eE¥ _", max_size=40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.decimals(allow_nan=True, allow_infinity=True),
        st.none(),
        st.booleans(),
    )
)
def test_the_parser_raises_nothing_but_its_own_error(raw):
    try:
        value = parse_yuan(raw)
    except InvalidAmount as exc:
        assert isinstance(exc, ValidationFailed)
        assert exc.amount_code.startswith("amount_")
        return
    assert Decimal(0) <= value <= MAX_AMOUNT
    assert value.as_tuple().exponent == -2


@given(st.integers(min_value=0, max_value=int(MAX_AMOUNT * 100)))
def test_every_amount_in_fen_round_trips(fen):
    text = f"{fen // 100}.{fen % 100:02d}"
    assert str(parse_yuan(text)) == text
    assert parse_yuan(Decimal(text)) == Decimal(fen) / 100
