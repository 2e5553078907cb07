"""The Chinese working calendar and due-time arithmetic behind every SLA timer (SPEC §4).

Pure: no ORM. Statutory holidays and adjusted working days (调休) come from the
`chinese-calendar` package; company closed/working days and business hours are passed in.
All day boundaries are in Asia/Shanghai; every result is whole seconds, in Asia/Shanghai.

A year neither the package nor the company knows is guessed (weekends rest, weekdays
work, company days still count) rather than refused: a deadline must exist on 28
December too. A due time whose window touches a guessed year is provisional (`Due`).
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
DEFAULT_OPENS = time(9, 0)
DEFAULT_CLOSES = time(18, 30)

Number = Decimal | int | float


class CalendarError(ValueError):
    """A due time cannot be computed; the message is for people (Chinese)."""


class UnknownYear(CalendarError):
    """No statutory arrangement for this year. The calendar itself no longer raises it
    (unknown years are guessed, see `WorkCalendar.guessed_years`); kept for callers that
    want to refuse a guessed year."""

    def __init__(self, year: int, known: frozenset[int], source: str) -> None:
        self.year = year
        span = f"{min(known)}–{max(known)} 年" if known else "任何年份"
        super().__init__(
            f"工作日历不认识 {year} 年：{source} 只含 {span}的法定节假日与调休安排。"
            f"请升级 chinesecalendar 包（国务院一般在上一年年底公布次年安排），"
            f"或在公司日历中录入 {year} 年的全部放假与调休日期并标记该年已录入。"
        )


class InvalidLimit(CalendarError):
    """A limit that is negative, not a number, or not whole where it must be."""


class Unit(enum.StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    WORKING_DAYS = "working_days"
    BUSINESS_HOURS = "business_hours"

    @property
    def label(self) -> str:
        return _UNIT_LABELS[self]


_UNIT_LABELS = {
    Unit.MINUTES: "分钟（自然时间）",
    Unit.HOURS: "小时（自然时间）",
    Unit.WORKING_DAYS: "个工作日",
    Unit.BUSINESS_HOURS: "个工作小时",
}


@dataclass(frozen=True)
class StatutoryCalendar:
    """The State Council's arrangements as one package release knows them."""

    holidays: frozenset[date]
    adjusted_working_days: frozenset[date]  # 调休上班的周末
    years: frozenset[int]
    source: str


@cache
def statutory_calendar() -> StatutoryCalendar:
    import chinese_calendar

    holidays = frozenset(chinese_calendar.holidays)
    return StatutoryCalendar(
        holidays=holidays,
        adjusted_working_days=frozenset(chinese_calendar.workdays),
        years=frozenset(d.year for d in holidays),
        source=f"chinesecalendar {chinese_calendar.__version__}",
    )


def provisional_reason(years: frozenset[int] | set[int]) -> str:
    """Why a due time is provisional, for the timer and the API (Chinese)."""
    if not years:
        return ""
    named = "、".join(str(y) for y in sorted(years))
    return f"{named} 年的法定节假日尚未录入，按周末推算，录入后自动重算"


def to_shanghai(moment: datetime) -> datetime:
    """The same instant in Asia/Shanghai, microseconds dropped; naive input is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(f"时间 {moment.isoformat()} 没有时区（需要如 +08:00 的偏移量）")
    return moment.astimezone(SHANGHAI).replace(microsecond=0)


def parse_limit(value: str | Number, unit: Unit) -> Decimal:
    """A limit as a finite, non-negative Decimal; working days must be whole."""
    try:
        limit = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidLimit(f"时限 {value!r} 不是数字") from None
    if not limit.is_finite():
        raise InvalidLimit(f"时限 {value!r} 不是有限的数字")
    if limit < 0:
        raise InvalidLimit(f"时限不能为负数：{value}")
    if unit is Unit.WORKING_DAYS and limit != limit.to_integral_value():
        raise InvalidLimit(f"工作日时限必须是整数：{value}")
    return limit


def _whole_seconds(amount: Number, seconds_per_unit: int) -> int:
    # To the nearest second, so that Decimal(1) / 3 hours is 1200 s, not 1199.
    limit = parse_limit(amount, Unit.MINUTES)
    return int((limit * seconds_per_unit).to_integral_value(rounding=ROUND_HALF_UP))


def _local(moment: datetime) -> datetime:
    # Asia/Shanghai has had no DST since 1991, so naive local arithmetic is elapsed time.
    return to_shanghai(moment).replace(tzinfo=None)


def _aware(local: datetime) -> datetime:
    return local.replace(tzinfo=SHANGHAI)


@dataclass(frozen=True)
class _Year:
    days: tuple[date, ...]  # the working days, sorted
    members: frozenset[date]


@dataclass(frozen=True)
class WorkCalendar:
    """Statutory arrangements + company closed/working days + daily business hours.

    `company_years` are years whose arrangement the company has entered in full
    (weekdays work unless closed); they count as known even when the package does not.
    Other years the package does not know are counted the same way but guessed.
    """

    closed_days: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    company_years: frozenset[int] = frozenset()
    opens: time = DEFAULT_OPENS
    closes: time = DEFAULT_CLOSES
    statutory: StatutoryCalendar = field(default_factory=statutory_calendar, repr=False)
    _years: dict[int, _Year] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        for name in ("closed_days", "working_days", "company_years"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        hours = (self.opens, self.closes)
        if any(t.tzinfo or t.microsecond for t in hours) or not self.opens < self.closes:
            raise CalendarError(
                f"营业时间无效：{self.opens}–{self.closes}（须在同一天内、整秒、开始早于结束）"
            )
        both = self.closed_days & self.working_days
        if both:
            raise CalendarError(f"这些日期既是公司休息日又是公司工作日：{sorted(both)}")

    @property
    def known_years(self) -> frozenset[int]:
        return self.statutory.years | self.company_years

    @property
    def business_seconds_per_day(self) -> int:
        day = date(2000, 1, 1)
        span = datetime.combine(day, self.closes) - datetime.combine(day, self.opens)
        return int(span.total_seconds())

    # -- days -----------------------------------------------------------------

    def guessed_years(self, first: date, last: date) -> frozenset[int]:
        """The years from `first` to `last` (either order) this calendar guesses: no
        statutory arrangement and not entered by the company."""
        lo, hi = sorted((first.year, last.year))
        return frozenset(y for y in range(lo, hi + 1) if y not in self.known_years)

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        # An unknown year has no statutory days in the sets below: weekends only.
        holidays, adjusted = self.statutory.holidays, self.statutory.adjusted_working_days
        days = []
        day = date(year, 1, 1)
        while day.year == year:
            statutory = day in adjusted or (day.weekday() < 5 and day not in holidays)
            if day in self.working_days or (statutory and day not in self.closed_days):
                days.append(day)
            day += timedelta(days=1)
        cached = _Year(tuple(days), frozenset(days))
        self._years[year] = cached
        return cached

    def is_working_day(self, day: date) -> bool:
        return day in self._year(day.year).members

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.working_day_after(day, 1)

    def working_day_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after `day` (n = 0 gives `day` itself)."""
        if n == 0:
            return day
        y = day.year
        days = self._year(y).days
        i = bisect_right(days, day)
        while i + n > len(days):
            n -= len(days) - i
            y += 1
            days, i = self._year(y).days, 0
        return days[i + n - 1]

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days d with first < d <= last."""
        count = 0
        for y in range(first.year, last.year + 1):
            days = self._year(y).days
            lo = bisect_right(days, first) if y == first.year else 0
            hi = bisect_right(days, last) if y == last.year else len(days)
            count += hi - lo
        return count

    # -- instants -------------------------------------------------------------

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """23:59:59 of the n-th working day after the start's date; the start day is not counted.

        n = 0 gives 23:59:59 of the start's own date (working day or not).
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidLimit(f"工作日数必须是非负整数：{n!r}")
        day = self.working_day_after(_local(start).date(), n)
        return _aware(datetime.combine(day, END_OF_DAY))

    def add_business_seconds(self, start: datetime, seconds: int) -> datetime:
        """The earliest instant by which `seconds` of business time have passed since `start`.

        A start outside business hours counts from the next opening; a limit used up exactly
        at closing time is due at closing time, not at the next opening. 0 gives the start.
        """
        if seconds < 0:
            raise InvalidLimit(f"时限不能为负数：{seconds} 秒")
        now = _local(start)
        day = now.date()
        if seconds == 0:
            return _aware(now)
        if self.is_working_day(day):
            opening = max(now, datetime.combine(day, self.opens))
            closing = datetime.combine(day, self.closes)
            if opening < closing:
                available = int((closing - opening).total_seconds())
                if seconds <= available:
                    return _aware(opening + timedelta(seconds=seconds))
                seconds -= available
        # Whole days are jumped at once: the last day takes 1..per_day seconds.
        whole_days, rest = divmod(seconds - 1, self.business_seconds_per_day)
        last = self.working_day_after(day, whole_days + 1)
        return _aware(datetime.combine(last, self.opens) + timedelta(seconds=rest + 1))

    def add_business_hours(self, start: datetime, hours: Number) -> datetime:
        return self.add_business_seconds(start, _whole_seconds(hours, 3600))

    def business_seconds_between(self, a: datetime, b: datetime) -> int:
        """Business seconds from a to b (negative when b is before a): remaining time, pauses."""
        x, y = _local(a), _local(b)
        if y < x:
            return -self.business_seconds_between(b, a)
        if x.date() == y.date():
            return self._business_seconds_on(x.date(), x, y)
        midnight = datetime.combine(x.date() + timedelta(days=1), time())
        between = self.working_days_between(x.date(), y.date() - timedelta(days=1))
        return (
            self._business_seconds_on(x.date(), x, midnight)
            + between * self.business_seconds_per_day
            + self._business_seconds_on(y.date(), datetime.combine(y.date(), time()), y)
        )

    def _business_seconds_on(self, day: date, a: datetime, b: datetime) -> int:
        if not self.is_working_day(day):
            return 0
        lo = max(a, datetime.combine(day, self.opens))
        hi = min(b, datetime.combine(day, self.closes))
        return max(0, int((hi - lo).total_seconds()))

    def add_wall_clock(self, start: datetime, minutes: Number) -> datetime:
        """Wall-clock time; needs no calendar, so any year is fine."""
        seconds = _whole_seconds(minutes, 60)
        try:
            due = to_shanghai(start).astimezone(UTC) + timedelta(seconds=seconds)
        except OverflowError:
            raise InvalidLimit("时限太大，截止时间超出可表示的范围") from None
        return due.astimezone(SHANGHAI)

    # -- one entry point for timers and the CLI -----------------------------------

    def due(self, start: datetime, limit: Number | str, unit: Unit | str) -> Due:
        try:
            unit = Unit(unit)
        except ValueError:
            choices = "、".join(u.value for u in Unit)
            raise CalendarError(f"未知的时限单位 {unit!r}（可选：{choices}）") from None
        amount = parse_limit(limit, unit)
        if unit is Unit.MINUTES:
            at = self.add_wall_clock(start, amount)
        elif unit is Unit.HOURS:
            at = self.add_wall_clock(start, amount * 60)
        elif unit is Unit.WORKING_DAYS:
            at = self.add_working_days(start, int(amount))
        else:
            at = self.add_business_hours(start, amount)
        rule = f"{amount} {unit.label}"
        guessed: frozenset[int] = frozenset()
        if unit in (Unit.WORKING_DAYS, Unit.BUSINESS_HOURS):
            rule += f"；{self.statutory.source}，营业时间 {self.opens:%H:%M}–{self.closes:%H:%M}"
            guessed = self.guessed_years(_local(start).date(), _local(at).date())
        return Due(
            start=to_shanghai(start), limit=amount, unit=unit, at=at, rule=rule, guessed=guessed
        )


@dataclass(frozen=True)
class Due:
    """A computed due time and the rule that produced it."""

    start: datetime
    limit: Decimal
    unit: Unit
    at: datetime
    rule: str
    guessed: frozenset[int] = frozenset()  # years counted with weekends only

    @property
    def provisional(self) -> bool:
        return bool(self.guessed)

    @property
    def provisional_reason(self) -> str:
        return provisional_reason(self.guessed)

    def isoformat(self) -> str:
        return self.at.isoformat(timespec="seconds")


@cache
def default_calendar() -> WorkCalendar:
    """The package's statutory calendar, no company days, 09:00–18:30."""
    return WorkCalendar()
