"""Business-hours arithmetic against a slow reference that steps minute by minute.

The reference asks chinese_calendar.is_workday directly (plus the company's days), so it
shares no code with aftersales.sla.calendar. Starts fall anywhere in 2025–2026 and, more
often, in the days around the Spring Festival, Labour Day and National Day holidays.
"""

from datetime import date, datetime, time, timedelta, timezone
from functools import cache

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.sla.calendar import SHANGHAI, WorkCalendar, default_calendar

MINUTE = timedelta(minutes=1)
PROPERTY = settings(max_examples=120, deadline=None)

# The first days of the holidays (and their adjusted working weekends) of both years.
HOLIDAY_ANCHORS = [
    date(2025, 1, 24),
    date(2025, 2, 3),
    date(2025, 4, 25),
    date(2025, 9, 26),
    date(2025, 10, 7),
    date(2025, 12, 30),
    date(2026, 2, 12),
    date(2026, 2, 22),
    date(2026, 4, 30),
    date(2026, 9, 18),
    date(2026, 9, 29),
    date(2026, 10, 9),
]
OFFSETS = [timezone(timedelta(hours=h)) for h in (8, 0, -5, 9)] + [
    timezone(timedelta(hours=5, minutes=30))
]


@cache  # the package scans its whole table on every call
def reference_is_working(day: date, closed=frozenset(), working=frozenset()) -> bool:
    if day in working:
        return True
    if day in closed:
        return False
    return chinese_calendar.is_workday(day)


def reference_open(moment: datetime, opens: time, closes: time, **days) -> bool:
    """Whether the minute starting at `moment` (Shanghai, naive) is a business minute."""
    return reference_is_working(moment.date(), **days) and opens <= moment.time() < closes


def reference_add(start: datetime, minutes: int, opens: time, closes: time, **days) -> datetime:
    moment = start
    while minutes:
        if reference_open(moment, opens, closes, **days):
            minutes -= 1
        moment += MINUTE
    return moment


def reference_between(a: datetime, b: datetime, opens: time, closes: time, **days) -> int:
    minutes, moment = 0, a
    while moment < b:
        minutes += reference_open(moment, opens, closes, **days)
        moment += MINUTE
    return minutes * 60


@st.composite
def local_starts(draw) -> datetime:
    """A whole-minute Shanghai wall time, often close to a holiday."""
    if draw(st.booleans()):
        day = draw(st.sampled_from(HOLIDAY_ANCHORS)) + timedelta(days=draw(st.integers(0, 6)))
    else:
        day = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 690)))
    return datetime.combine(day, time()) + draw(st.integers(0, 24 * 60 - 1)) * MINUTE


def as_instant(local: datetime, offset: timezone) -> datetime:
    return local.replace(tzinfo=SHANGHAI).astimezone(offset)


# Up to 60 business hours: past any holiday of the two years.
# Whole business days (570 minutes) too, which run out exactly at closing time.
limits = st.one_of(st.integers(0, 60 * 60), st.integers(1, 6).map(lambda d: d * 570))


@PROPERTY
@given(start=local_starts(), minutes=limits, offset=st.sampled_from(OFFSETS))
def test_adding_business_time_matches_the_reference(start, minutes, offset):
    cal = default_calendar()
    expected = reference_add(start, minutes, time(9, 0), time(18, 30))
    due = cal.add_business_seconds(as_instant(start, offset), minutes * 60)
    assert due.tzinfo is SHANGHAI
    assert due.replace(tzinfo=None) == expected
    if minutes % 15 == 0:  # whole quarter hours as Decimal hours give the same instant
        assert cal.add_business_hours(as_instant(start, offset), minutes / 60) == due


@PROPERTY
@given(start=local_starts(), minutes=limits)
def test_a_due_time_is_inside_business_hours_and_uses_up_exactly_the_limit(start, minutes):
    cal = default_calendar()
    due = cal.add_business_seconds(as_instant(start, SHANGHAI), minutes * 60)
    assert cal.business_seconds_between(as_instant(start, SHANGHAI), due) == minutes * 60
    if minutes:
        # Never the next opening when the limit ran out at closing time.
        assert cal.is_working_day(due.date())
        assert time(9, 0) < due.time() <= time(18, 30)


@PROPERTY
@given(a=local_starts(), span=st.integers(0, 20 * 24 * 60), offset=st.sampled_from(OFFSETS))
def test_business_seconds_between_matches_the_reference(a, span, offset):
    b = a + span * MINUTE
    cal = default_calendar()
    expected = reference_between(a, b, time(9, 0), time(18, 30))
    assert cal.business_seconds_between(as_instant(a, offset), as_instant(b, offset)) == expected
    assert cal.business_seconds_between(as_instant(b, SHANGHAI), as_instant(a, offset)) == (
        -expected
    )


@PROPERTY
@given(
    start=local_starts(),
    minutes=st.integers(0, 40 * 60),
    closed=st.sets(st.integers(0, 20), max_size=6),
    working=st.sets(st.integers(0, 20), max_size=4),
    opens=st.sampled_from([time(8, 0), time(8, 15), time(10, 0)]),
    closes=st.sampled_from([time(12, 0), time(17, 45), time(22, 0)]),
)
def test_company_days_and_other_hours_match_the_reference(
    start, minutes, closed, working, opens, closes
):
    closed_days = frozenset(start.date() + timedelta(days=i) for i in closed - working)
    working_days = frozenset(start.date() + timedelta(days=i) for i in working)
    cal = WorkCalendar(
        closed_days=closed_days, working_days=working_days, opens=opens, closes=closes
    )
    days = {"closed": closed_days, "working": working_days}
    expected = reference_add(start, minutes, opens, closes, **days)
    due = cal.add_business_seconds(as_instant(start, SHANGHAI), minutes * 60)
    assert due.replace(tzinfo=None) == expected
    assert cal.business_seconds_between(as_instant(start, SHANGHAI), due) == minutes * 60
