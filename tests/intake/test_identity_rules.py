"""The pure rules of the portal identity (aftersales.parties.identity_rules): no database."""

import datetime as dt

import pytest

from aftersales.parties import identity_rules as rules

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("T20260001", "T20260001"),
        ("  t20260001 ", "T20260001"),
        ("\u3000Ｔ２０２６０００１\u3000", "T20260001"),
        ("tb-88a", "TB-88A"),
        ("", ""),
        (None, ""),
    ],
)
def test_order_key(typed, key):
    assert rules.order_key(typed) == key


@pytest.mark.parametrize(
    "typed",
    [
        "13912345678",
        "+86 139 1234 5678",
        "0086-139-1234-5678",
        "＋８６ １３９－１２３４－５６７８",
        "139—1234—5678",
        " 139 1234 5678 ",
    ],
)
def test_phone_key_accepts_the_ways_people_type_a_mobile(typed):
    assert rules.phone_key(typed) == "13912345678"


@pytest.mark.parametrize("typed", ["", None, "12345", "abc", "23912345678"])
def test_phone_key_refuses_what_is_no_phone(typed):
    assert rules.phone_key(typed) is None


def test_code_key_and_shape():
    assert rules.code_key(" １２３ ４５６ ") == "123456"
    assert rules.well_formed_code("123456")
    assert not rules.well_formed_code("12345")
    assert not rules.well_formed_code("１２３４５６")


def test_hashes_are_keyed_and_separated_by_purpose():
    assert rules.keyed_hash("s", "phone", "1") != rules.keyed_hash("s", "order", "1")
    assert rules.keyed_hash("s", "phone", "1") != rules.keyed_hash("t", "phone", "1")
    assert rules.code_hash("s", 1, "123456") != rules.code_hash("s", 2, "123456")
    assert rules.same_hash("ab", "ab") and not rules.same_hash("", "")


def times(*seconds):
    return [T0 + dt.timedelta(seconds=s) for s in seconds]


def test_retry_after_counts_a_sliding_window():
    limit = rules.Limit("order", 3, 100)
    now = T0 + dt.timedelta(seconds=50)
    assert rules.retry_after(times(0, 10), limit, now) is None
    assert rules.retry_after(times(0, 10, 20), limit, now) == 50
    assert rules.retry_after(times(-200, 10, 20), limit, now) is None
    assert rules.retry_after(times(20, 0, 10, 30), limit, now) == 60


def test_first_refusal_takes_the_longest_wait():
    pair, order = rules.Limit("pair", 1, 60), rules.Limit("order", 2, 3600)
    now = T0 + dt.timedelta(seconds=10)
    assert rules.first_refusal([(pair, []), (order, times(0))], now) is None
    assert rules.first_refusal([(pair, times(0)), (order, times(0, 5))], now) == (order, 3590)


def test_lock_after_the_fifth_failure_within_the_window():
    window = lock = dt.timedelta(minutes=15)
    state = rules.LockState()
    for minute in range(4):
        state = rules.after_failure(
            state, T0 + dt.timedelta(minutes=minute), attempts=5, window=window, lock=lock
        )
        assert not rules.is_locked(state, T0 + dt.timedelta(minutes=minute))
    fifth = T0 + dt.timedelta(minutes=4)
    state = rules.after_failure(state, fifth, attempts=5, window=window, lock=lock)
    assert state.locked_until == fifth + lock
    assert rules.is_locked(state, fifth + lock - dt.timedelta(seconds=1))
    assert not rules.is_locked(state, fifth + lock)
    assert rules.minutes_left(state.locked_until, fifth) == 15


def test_failures_outside_the_window_start_again():
    window = lock = dt.timedelta(minutes=15)
    state = rules.LockState()
    for minute in (0, 1, 2, 3, 20):
        state = rules.after_failure(
            state, T0 + dt.timedelta(minutes=minute), attempts=5, window=window, lock=lock
        )
    assert state.failures == 1 and state.locked_until is None
