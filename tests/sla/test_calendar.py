"""The working calendar and due times: statutory holidays and 调休 of 2025 and 2026,
company days, unknown years, business hours at their edges. Pure: no database.

Sources of the dates asserted here, each also checked against the package's data below:
- 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）.
  春节 1月28日至2月4日放假调休共8天，1月26日（周日）、2月8日（周六）上班；
  劳动节 5月1日至5日，4月27日（周日）上班；
  国庆节、中秋节 10月1日至8日放假调休共8天，9月28日（周日）、10月11日（周六）上班。
- 2026: 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）.
  元旦 1月1日至3日，1月4日（周日）上班；
  春节 2月15日至23日放假调休共9天，2月14日（周六）、2月28日（周六）上班；
  中秋节 9月25日至27日；
  国庆节 10月1日至7日放假调休共7天，9月20日（周日）、10月10日（周六）上班。
"""

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import chinese_calendar
import pytest

from aftersales.sla.calendar import (
    SHANGHAI,
    CalendarError,
    InvalidLimit,
    Unit,
    WorkCalendar,
    default_calendar,
)

CAL = default_calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def sh(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# (date, is a working day) straight from the two notices above.
OFFICIAL = [
    # 2025 春节
    (date(2025, 1, 26), True),  # Sunday, 调休上班
    (date(2025, 1, 27), True),
    *[(date(2025, 1, 28) + timedelta(days=i), False) for i in range(8)],  # 1-28 … 2-4
    (date(2025, 2, 5), True),
    (date(2025, 2, 8), True),  # Saturday, 调休上班
    (date(2025, 2, 9), False),
    # 2025 劳动节
    (date(2025, 4, 27), True),
    *[(date(2025, 5, 1) + timedelta(days=i), False) for i in range(5)],
    # 2025 国庆节、中秋节
    (date(2025, 9, 28), True),  # Sunday, 调休上班
    *[(date(2025, 10, 1) + timedelta(days=i), False) for i in range(8)],  # 10-1 … 10-8
    (date(2025, 10, 9), True),
    (date(2025, 10, 11), True),  # Saturday, 调休上班
    (date(2025, 10, 12), False),
    # 2026 元旦
    *[(date(2026, 1, 1) + timedelta(days=i), False) for i in range(3)],
    (date(2026, 1, 4), True),  # Sunday, 调休上班
    # 2026 春节
    (date(2026, 2, 13), True),
    (date(2026, 2, 14), True),  # Saturday, 调休上班
    *[(date(2026, 2, 15) + timedelta(days=i), False) for i in range(9)],  # 2-15 … 2-23
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),  # Saturday, 调休上班
    (date(2026, 3, 1), False),
    # 2026 中秋节、国庆节
    (date(2026, 9, 20), True),  # Sunday, 调休上班
    *[(date(2026, 9, 25) + timedelta(days=i), False) for i in range(3)],
    (date(2026, 9, 30), True),
    *[(date(2026, 10, 1) + timedelta(days=i), False) for i in range(7)],  # 10-1 … 10-7
    (date(2026, 10, 8), True),
    (date(2026, 10, 10), True),  # Saturday, 调休上班
    (date(2026, 10, 11), False),
]


@pytest.mark.parametrize(("day", "working"), OFFICIAL, ids=lambda v: str(v))
def test_official_arrangements_as_the_package_and_the_calendar_know_them(day, working):
    assert chinese_calendar.is_workday(day) is working  # the package agrees with the notice
    assert CAL.is_working_day(day) is working


WORKING_DAYS = [
    # 2025 春节: from Friday 1-24, the 调休 Sunday counts, the eight holidays do not.
    ("2025-01-24T10:00:00+08:00", 1, "2025-01-26"),
    ("2025-01-24T10:00:00+08:00", 2, "2025-01-27"),
    ("2025-01-24T10:00:00+08:00", 3, "2025-02-05"),
    ("2025-01-24T10:00:00+08:00", 6, "2025-02-08"),
    ("2025-01-24T10:00:00+08:00", 7, "2025-02-10"),
    ("2025-01-27T17:00:00+08:00", 1, "2025-02-05"),  # last working day before the holiday
    ("2025-01-30T11:00:00+08:00", 3, "2025-02-07"),  # received during the holiday
    # 2025 国庆节: 9-28 (Sunday) and 10-11 (Saturday) are working days.
    ("2025-09-26T09:00:00+08:00", 1, "2025-09-28"),
    ("2025-09-26T09:00:00+08:00", 3, "2025-09-30"),
    ("2025-09-26T09:00:00+08:00", 4, "2025-10-09"),
    ("2025-09-26T09:00:00+08:00", 6, "2025-10-11"),
    ("2025-09-26T09:00:00+08:00", 7, "2025-10-13"),
    ("2025-09-30T23:59:59+08:00", 1, "2025-10-09"),
    # 2026 春节: 2-14 and 2-28 (Saturdays) work, 2-15 … 2-23 off.
    ("2026-02-13T12:00:00+08:00", 1, "2026-02-14"),
    ("2026-02-13T12:00:00+08:00", 2, "2026-02-24"),
    ("2026-02-13T12:00:00+08:00", 6, "2026-02-28"),
    ("2026-02-13T12:00:00+08:00", 7, "2026-03-02"),
    ("2026-02-14T12:00:00+08:00", 3, "2026-02-26"),  # received on the 调休 Saturday
    # 2026 中秋 + 国庆: 9-20 (Sunday) works; 9-25 … 9-27 and 10-1 … 10-7 off; 10-10 works.
    ("2026-09-18T15:00:00+08:00", 1, "2026-09-20"),
    ("2026-09-18T15:00:00+08:00", 5, "2026-09-24"),
    ("2026-09-18T15:00:00+08:00", 6, "2026-09-28"),
    ("2026-09-18T15:00:00+08:00", 9, "2026-10-08"),
    ("2026-09-18T15:00:00+08:00", 11, "2026-10-10"),
    ("2026-09-18T15:00:00+08:00", 12, "2026-10-12"),
    ("2026-09-30T15:00:00+08:00", 3, "2026-10-10"),  # SPEC: platform review, 3 working days
    ("2026-10-04T08:00:00+08:00", 1, "2026-10-08"),
    # Zero: the end of the start day itself, working day or not.
    ("2026-10-04T08:00:00+08:00", 0, "2026-10-04"),
]


@pytest.mark.parametrize(("start", "n", "due_day"), WORKING_DAYS)
def test_working_days_end_at_235959_of_the_nth_working_day_after_the_start_date(start, n, due_day):
    due = CAL.add_working_days(at(start), n)
    assert due.isoformat() == f"{due_day}T23:59:59+08:00"


def test_the_start_date_is_taken_in_shanghai_not_in_the_offset_given():
    # 2025-09-27 16:30 UTC is Sunday 2025-09-28 00:30 in Shanghai, a 调休 working day
    # that is the start day and so not counted: the first working day after it is 9-29.
    assert CAL.add_working_days(at("2025-09-27T16:30:00+00:00"), 1) == sh("2025-09-29T23:59:59")
    # 2026-02-13 11:00 in New York is already Saturday 2-14 00:00 in Shanghai.
    assert CAL.add_working_days(at("2026-02-13T11:00:00-05:00"), 1) == sh("2026-02-24T23:59:59")


def test_next_working_day_skips_holidays_and_lands_on_adjusted_weekends():
    assert CAL.next_working_day(date(2025, 1, 27)) == date(2025, 2, 5)
    assert CAL.next_working_day(date(2025, 2, 7)) == date(2025, 2, 8)
    assert CAL.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CAL.next_working_day(date(2025, 12, 31)) == date(2026, 1, 4)  # across the year


# -- unknown years --------------------------------------------------------------------


def test_a_year_the_package_does_not_know_is_guessed_with_weekends_only():
    # 2027-01-01 is New Year's Day, but no release knows 2027 yet: a weekday works.
    assert CAL.is_working_day(date(2027, 1, 1))
    assert not CAL.is_working_day(date(2027, 1, 2))  # Saturday
    assert CAL.guessed_years(date(2026, 12, 30), date(2027, 1, 4)) == {2027}
    assert CAL.guessed_years(date(2026, 1, 1), date(2026, 12, 31)) == frozenset()


def test_arithmetic_that_runs_into_an_unknown_year_is_provisional():
    start = at("2026-12-30T10:00:00+08:00")
    assert not CAL.due(start, 1, "working_days").provisional  # 12-31, all known
    due = CAL.due(start, 2, "working_days")
    assert due.at == sh("2027-01-01T23:59:59") and due.provisional
    assert "2027 年的法定节假日尚未录入" in due.provisional_reason
    hours = CAL.due(start, 30, "business_hours")
    assert hours.provisional and hours.at.year == 2027
    assert CAL.business_seconds_between(start, at("2027-01-05T10:00:00+08:00")) > 0
    assert CAL.due(at("2035-03-01T10:00:00+08:00"), 0, "business_hours").provisional


def test_wall_clock_needs_no_calendar():
    assert CAL.add_wall_clock(at("2035-03-01T10:00:00+08:00"), 90) == sh("2035-03-01T11:30:00")


def test_a_company_can_enter_a_year_the_package_does_not_know():
    cal = WorkCalendar(company_years={2027}, closed_days={date(2027, 1, 1)})
    # 2027-01-01 Friday closed, the weekend off, Monday 01-04 the first working day.
    assert cal.add_working_days(at("2026-12-31T10:00:00+08:00"), 1) == sh("2027-01-04T23:59:59")


# -- company days and business hours --------------------------------------------------


def test_company_closed_and_working_days_override_the_statutory_calendar():
    cal = WorkCalendar(
        closed_days={date(2026, 3, 6)},  # a Friday: company outing
        working_days={date(2026, 3, 7), date(2026, 10, 5)},  # a Saturday; a holiday
    )
    assert not cal.is_working_day(date(2026, 3, 6))
    assert cal.is_working_day(date(2026, 3, 7))
    assert cal.add_working_days(at("2026-03-05T10:00:00+08:00"), 1) == sh("2026-03-07T23:59:59")
    assert cal.add_working_days(at("2026-09-30T10:00:00+08:00"), 1) == sh("2026-10-05T23:59:59")
    assert CAL.add_working_days(at("2026-03-05T10:00:00+08:00"), 1) == sh("2026-03-06T23:59:59")


def test_a_day_both_closed_and_working_or_bad_hours_are_refused():
    with pytest.raises(CalendarError):
        WorkCalendar(closed_days={date(2026, 3, 6)}, working_days={date(2026, 3, 6)})
    with pytest.raises(CalendarError):
        WorkCalendar(opens=time(18, 0), closes=time(9, 0))


BUSINESS_HOURS = [
    # Inside hours, same day.
    ("2026-03-02T10:00:00+08:00", 2, "2026-03-02T12:00:00+08:00"),
    # Used up exactly at closing: due at 18:30 that day, not at the next opening.
    ("2026-09-30T09:00:00+08:00", Decimal("9.5"), "2026-09-30T18:30:00+08:00"),
    ("2026-03-02T17:30:00+08:00", 1, "2026-03-02T18:30:00+08:00"),
    ("2026-03-02T18:00:00+08:00", 10, "2026-03-03T18:30:00+08:00"),  # on a later day too
    # Over the night.
    ("2026-03-02T18:00:00+08:00", 1, "2026-03-03T09:30:00+08:00"),
    # Before opening, at closing, at night: counted from the next opening.
    ("2026-03-02T07:15:00+08:00", 1, "2026-03-02T10:00:00+08:00"),
    ("2026-03-02T18:30:00+08:00", 1, "2026-03-03T10:00:00+08:00"),
    ("2026-03-02T23:00:00+08:00", Decimal("1.5"), "2026-03-03T10:30:00+08:00"),
    # Over a weekend.
    ("2026-03-06T17:30:00+08:00", 2, "2026-03-09T10:00:00+08:00"),
    # 2025 春节: Friday evening → 调休 Sunday 1-26; Monday 1-27 evening → 2-5.
    ("2025-01-24T17:30:00+08:00", 2, "2025-01-26T10:00:00+08:00"),
    ("2025-01-27T18:00:00+08:00", 1, "2025-02-05T09:30:00+08:00"),
    # 2026 春节: the 调休 Saturday 2-14 counts in full, then nine days off.
    ("2026-02-14T12:00:00+08:00", 8, "2026-02-24T10:30:00+08:00"),
    # 2026 国庆: 9-30 1.5 h, 10-8 and 10-9 9.5 h each, the rest on the 调休 Saturday 10-10.
    ("2026-09-30T17:00:00+08:00", 24, "2026-10-10T12:30:00+08:00"),
    # A start in another offset is the same instant; the answer is in Shanghai.
    ("2026-03-02T02:00:00+00:00", 1, "2026-03-02T11:00:00+08:00"),
    # Fractions: 1.5 h, 0.1 h (= 6 min exactly, also as a float), 1/3 h (= 20 min).
    ("2026-03-02T10:00:00+08:00", Decimal("1.5"), "2026-03-02T11:30:00+08:00"),
    ("2026-03-02T10:00:00+08:00", 0.1, "2026-03-02T10:06:00+08:00"),
    ("2026-03-02T10:00:00+08:00", Decimal(1) / 3, "2026-03-02T10:20:00+08:00"),
    # Zero: the start itself, even at night.
    ("2026-03-02T22:00:00+08:00", 0, "2026-03-02T22:00:00+08:00"),
    # Microseconds of the start are dropped.
    ("2026-03-02T10:00:00.999999+08:00", 1, "2026-03-02T11:00:00+08:00"),
]


@pytest.mark.parametrize(("start", "hours", "due"), BUSINESS_HOURS)
def test_business_hours(start, hours, due):
    assert CAL.add_business_hours(at(start), hours).isoformat() == due


def test_business_seconds_between_counts_only_open_hours_and_is_signed():
    a, b = at("2026-02-13T18:00:00+08:00"), at("2026-02-24T10:00:00+08:00")
    # Friday 0.5 h + the 调休 Saturday 9.5 h + Tuesday 1 h.
    assert CAL.business_seconds_between(a, b) == 11 * 3600
    assert CAL.business_seconds_between(b, a) == -11 * 3600
    assert CAL.business_seconds_between(a, a) == 0


def test_long_limits_jump_whole_days_and_stay_exact():
    cal = WorkCalendar(opens=time(8, 0), closes=time(17, 0))
    start = at("2004-03-01T12:34:56+08:00")
    due = cal.add_business_hours(start, 20_000)  # about nine years of working days
    assert due.year > 2012
    assert cal.business_seconds_between(start, due) == 20_000 * 3600
    assert time(8, 0) < due.time() <= time(17, 0)


# -- the one entry point, and its refusals --------------------------------------------


def test_due_carries_the_rule_that_produced_it():
    due = CAL.due(at("2026-09-30T15:00:00+08:00"), "3", "working_days")
    assert due.isoformat() == "2026-10-10T23:59:59+08:00"
    assert due.unit is Unit.WORKING_DAYS and due.limit == 3
    assert "3 个工作日" in due.rule and "chinesecalendar" in due.rule and "09:00–18:30" in due.rule
    assert CAL.due(at("2026-09-30T23:30:00+08:00"), 1, "hours").isoformat() == (
        "2026-10-01T00:30:00+08:00"
    )
    assert CAL.due(at("2026-09-30T23:30:00Z"), 45, Unit.MINUTES).isoformat() == (
        "2026-10-01T08:15:00+08:00"
    )


@pytest.mark.parametrize(
    ("limit", "unit"),
    [
        ("-1", "hours"),
        ("abc", "minutes"),
        ("NaN", "minutes"),
        ("inf", "hours"),
        ("1.5", "working_days"),
        ("", "hours"),
    ],
)
def test_bad_limits_are_refused(limit, unit):
    with pytest.raises(InvalidLimit):
        CAL.due(at("2026-03-02T10:00:00+08:00"), limit, unit)


def test_an_unknown_unit_or_a_start_without_offset_is_refused():
    with pytest.raises(CalendarError, match="未知的时限单位"):
        CAL.due(at("2026-03-02T10:00:00+08:00"), 1, "days")
    with pytest.raises(CalendarError, match="时区"):
        CAL.add_business_hours(datetime(2026, 3, 2, 10, 0), 1)
    with pytest.raises(CalendarError, match="时区"):
        CAL.add_wall_clock(datetime(2026, 3, 2, 10, 0), 1)
    with pytest.raises(InvalidLimit):
        CAL.add_working_days(at("2026-03-02T10:00:00+08:00"), -1)


def test_outputs_are_in_shanghai_whatever_the_input_offset():
    start = datetime(2026, 3, 2, 1, 0, tzinfo=timezone(timedelta(hours=-7)))
    due = CAL.add_wall_clock(start, 0)
    assert due.tzinfo is SHANGHAI and due.isoformat() == "2026-03-02T16:00:00+08:00"
