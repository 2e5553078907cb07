"""Next year's holidays, asked of admins: from 1 December, once a day, every admin's
inbox says that next year is not in the working calendar yet, until the `chinesecalendar`
package or the company calendar knows it. Until then due times across the new year are
provisional (weekends only; see calendar.py)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff
from aftersales.parties.roles import Role

from .calendar import SHANGHAI
from .working_calendar import calendar

WARN_FROM_MONTH = 12  # the State Council publishes next year's arrangement in Nov–Dec


def next_year_unknown(now: dt.datetime) -> int | None:
    """Next year, when it is December and neither the package nor the company knows it."""
    local = now.astimezone(SHANGHAI)
    year = local.year + 1
    if local.month < WARN_FROM_MONTH or year in calendar().known_years:
        return None
    return year


def _title(year: int, day: dt.date) -> str:
    # The day is part of the title: it is the once-a-day key checked below.
    return _("请录入 %(year)d 年法定节假日（%(day)s）") % {
        "year": year,
        "day": day.isoformat(),
    }


@transaction.atomic
def calendar_year_warn(*, now: dt.datetime | None = None) -> list[Notification]:
    """One inbox notification per active admin when next year is unknown, once per
    Shanghai day: the admins' rows are locked, and an admin already told today (same
    title) is not told again."""
    now = now or timezone.now()
    year = next_year_unknown(now)
    if year is None:
        return []
    title = _title(year, now.astimezone(SHANGHAI).date())
    users = get_user_model().objects
    ids = users.filter(
        Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value), is_active=True
    ).values("pk")
    # Locked by primary key: PostgreSQL allows no FOR UPDATE with the DISTINCT the join needs.
    admins = list(
        users.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
    )
    told = set(
        Notification.objects.filter(
            recipient_id__in=admins, title=title, dispute__isnull=True
        ).values_list("recipient_id", flat=True)
    )
    body = _(
        "工作日历还不认识 %(year)d 年：chinesecalendar 包尚未收录该年的法定节假日与调休，"
        "公司日历也未录入。跨入 %(year)d 年的工作日、营业时间时限现按周末推算，标为“暂定”。"
        "请在管理后台“公司日历日”录入 %(year)d 年的放假与调休日期，再在“公司日历年份”"
        "中添加 %(year)d 年；或升级 chinesecalendar 包。录入后暂定的截止时间自动重算。"
    ) % {"year": year}
    notes = [
        Notification(
            recipient_id=pk,
            kind=Notification.Kind.CALENDAR_YEAR_MISSING,
            title=title[:200],
            body=body,
            created_at=now,
        )
        for pk in admins
        if pk not in told
    ]
    return notify_staff(notes)
