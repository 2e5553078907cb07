"""Company closed and working days (admin: 公司日历日) move the due times of new timers;
a fully entered year (公司日历年份) makes a year the package does not know usable."""

import datetime as dt

import pytest
from django.test import Client

from aftersales.common.errors import ValidationFailed
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from aftersales.sla import services, working_calendar
from aftersales.sla.models import CompanyDay, CompanyYear, PolicyLimit, Timer, TimerKind
from tests.factories import make_dispute, make_staff, step

from .conftest import at

pytestmark = pytest.mark.django_db

SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The per-process copy would otherwise outlive a test's rollback.
    working_calendar.forget_calendar()
    yield
    working_calendar.forget_calendar()


def apply(dispute, action, when, **payload):
    """One lifecycle action at `when`, through its own door (`tests.factories.step`)."""
    return step(dispute, action, at=when, **payload)


def escalated_to_platform(when: str, phone: str):
    """A major dispute escalated to the platform at `when`: its review has 3 working days."""
    d = make_dispute(
        description=SHOCK,
        received_at="2026-03-02T10:00:00+08:00",
        customer={"name": "张三", "phone": phone},
    )
    d = apply(d, "triage", at("2026-03-02 10:20"))
    d = apply(d, "investigate", at("2026-03-02 10:40"))
    d = apply(d, "escalate", at(when), route="platform", reason="顾客申请平台介入")
    return Timer.objects.get(dispute=d, kind__code="platform_review")


def add_day(day: str, kind: str, note: str = "", actor=SYSTEM) -> CompanyDay:
    return services.company_day_save(
        day=CompanyDay(day=dt.date.fromisoformat(day), kind=kind, note=note), actor=actor
    )


def test_a_company_closed_day_moves_a_working_days_due_time(default_team):
    # Tuesday 2026-03-03 + 3 working days = Friday 03-06 (statutory calendar).
    before = escalated_to_platform("2026-03-03 09:00", "13900000011")
    assert before.due_at == at("2026-03-06 23:59:59")

    # The annual stocktake closes the company on Thursday: the third day is Monday.
    add_day("2026-03-05", CompanyDay.Kind.CLOSED, "年度盘点")
    after = escalated_to_platform("2026-03-03 09:00", "13900000012")
    assert after.due_at == at("2026-03-09 23:59:59")
    # A running timer keeps the due time it was given.
    before.refresh_from_db()
    assert before.due_at == at("2026-03-06 23:59:59")

    # Deleting the day gives new timers the statutory calendar back at once.
    services.company_day_delete(day=CompanyDay.objects.get(), actor=SYSTEM)
    again = escalated_to_platform("2026-03-03 09:00", "13900000013")
    assert again.due_at == at("2026-03-06 23:59:59")


def test_a_company_working_saturday_counts(default_team):
    # Wednesday 2026-03-04 + 3 working days: Thursday, Friday, then Monday 03-09 ...
    assert escalated_to_platform("2026-03-04 09:00", "13900000021").due_at == at(
        "2026-03-09 23:59:59"
    )
    # ... unless the company works Saturday 03-07 (a sales festival).
    add_day("2026-03-07", CompanyDay.Kind.WORKING, "大促加班")
    assert escalated_to_platform("2026-03-04 09:00", "13900000022").due_at == at(
        "2026-03-07 23:59:59"
    )


def test_a_working_saturday_opens_business_hours(default_team):
    kind = TimerKind.objects.get(code="first_contact")
    services.policy_limit_save(
        limit=PolicyLimit(kind=kind, severity="major", limit=2, unit="business_hours"), actor=SYSTEM
    )
    add_day("2026-03-07", CompanyDay.Kind.WORKING, "大促加班")
    # Friday 17:30: one business hour on Friday, the second on Saturday 09:00–10:00.
    d = make_dispute(description=SHOCK, received_at="2026-03-06T17:30:00+08:00")
    timer = Timer.objects.get(dispute=d, kind=kind)
    assert timer.due_at == at("2026-03-07 10:00")


def test_a_company_day_wins_over_a_statutory_holiday():
    # 2026-10-05 is in the National Day holiday; the company opens its hotline that day.
    assert not working_calendar.calendar().is_working_day(dt.date(2026, 10, 5))
    add_day("2026-10-05", CompanyDay.Kind.WORKING, "国庆值班")
    assert working_calendar.calendar().is_working_day(dt.date(2026, 10, 5))


def test_an_entered_year_is_authoritative_an_unentered_one_provisional():
    start = dt.datetime(2027, 3, 1, 10, 0, tzinfo=at("2026-01-01 00:00").tzinfo)
    guessed = working_calendar.calendar().due(start, 3, "working_days")
    assert guessed.provisional and "2027" in guessed.provisional_reason
    add_day("2027-03-03", CompanyDay.Kind.CLOSED)
    services.company_day_save(day=CompanyYear(year=2027, note="按公司安排录入"), actor=SYSTEM)
    # Monday 03-01 + 3 working days, Wednesday closed: Tuesday, Thursday, Friday.
    entered = working_calendar.calendar().due(start, 3, "working_days")
    assert entered.at == at("2027-03-05 23:59:59") and not entered.provisional


def test_one_entry_per_date():
    add_day("2026-03-05", CompanyDay.Kind.CLOSED)
    with pytest.raises(ValidationFailed) as refused:
        add_day("2026-03-05", CompanyDay.Kind.WORKING)
    assert "day" in refused.value.fields
    assert CompanyDay.objects.get().kind == "closed"


def test_admins_add_days_in_the_admin_and_are_recorded():
    admin = make_staff(Role.ADMIN)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/sla/companyday/add/")
    assert "公司日历日" in page.content.decode()
    response = client.post(
        "/admin/sla/companyday/add/", {"day": "2026-03-05", "kind": "closed", "note": "年度盘点"}
    )
    assert response.status_code == 302
    day = CompanyDay.objects.get()
    assert (day.kind, day.note, day.created_by) == ("closed", "年度盘点", admin)
    assert not working_calendar.calendar().is_working_day(dt.date(2026, 3, 5))
    listing = client.get("/admin/sla/companyday/").content.decode()
    assert "年度盘点" in listing and "公司休息日" in listing
    assert client.get("/admin/sla/companyyear/add/").status_code == 200
