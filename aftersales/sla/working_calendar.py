"""The working calendar timers count on: statutory holidays and 调休 (chinesecalendar)
plus the company's own days (admin), kept per process for a short time."""

import time

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .calendar import WorkCalendar, default_calendar
from .models import CompanyDay, CompanyYear

CALENDAR_TTL_SECONDS = 30
_calendar_cache: tuple[float, WorkCalendar] | None = None


def calendar() -> WorkCalendar:
    """The calendar timers use: statutory holidays and 调休 (chinesecalendar), the
    company's closed and working days and fully entered years (admin), 09:00–18:30.
    Kept per process for CALENDAR_TTL_SECONDS: a change clears this process's copy at
    once (signal, and again on commit) and reaches other workers within that time."""
    global _calendar_cache
    now, cached = time.monotonic(), _calendar_cache
    if cached is None or now - cached[0] > CALENDAR_TTL_SECONDS:
        cached = (now, _load_calendar())
        _calendar_cache = cached
    return cached[1]


def forget_calendar(**_kwargs) -> None:
    global _calendar_cache
    _calendar_cache = None


def _forget_calendar_now_and_on_commit(**_kwargs) -> None:
    # Now, and once more after commit: a read between the save and the commit would
    # otherwise keep the old days for a whole TTL.
    forget_calendar()
    transaction.on_commit(forget_calendar)


for _model in (CompanyDay, CompanyYear):
    post_save.connect(_forget_calendar_now_and_on_commit, sender=_model, dispatch_uid="sla-cal")
    post_delete.connect(_forget_calendar_now_and_on_commit, sender=_model, dispatch_uid="sla-cal")


def _load_calendar() -> WorkCalendar:
    days = list(CompanyDay.objects.values_list("day", "kind"))
    years = list(CompanyYear.objects.values_list("year", flat=True))
    if not days and not years:
        return default_calendar()  # shares the year tables already worked out
    return WorkCalendar(
        closed_days=frozenset(d for d, kind in days if kind == CompanyDay.Kind.CLOSED),
        working_days=frozenset(d for d, kind in days if kind == CompanyDay.Kind.WORKING),
        company_years=frozenset(years),
    )
