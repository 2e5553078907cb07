"""Admin writes of the SLA app: the policy (every change to a timer kind or a limit is
published as a new version) and the company calendar (closed and working days, fully
entered years; provisional deadlines touching the year are counted again).

The timers themselves are started, stopped and paused in `timers.py`."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Event
from aftersales.disputes.permissions import can_configure
from aftersales.parties.actors import user_of
from aftersales.sla.timeline import SlaKind

from .calendar import SHANGHAI
from .models import CompanyDay, CompanyYear, PolicyLimit, PolicyVersion, Timer, TimerKind
from .policy_versions import policy_snapshot
from .timers import extend_for_pause, mark_provisional, refresh_due, risk_time
from .working_calendar import calendar

# -- policy -----------------------------------------------------------------------------


def _checked(obj: TimerKind | PolicyLimit) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        fields = {name: "；".join(msgs) for name, msgs in exc.message_dict.items()}
        raise ValidationFailed(
            _("时限策略有误：%(p)s") % {"p": "；".join(fields.values())}, fields=fields
        ) from None


def _can_edit_policy(actor) -> bool:
    return can_configure(actor)


def _publish(*, actor, note: str) -> PolicyVersion:
    """Inside the caller's transaction: snapshot the tables as the next version."""
    latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    snapshot = policy_snapshot().to_snapshot()
    return PolicyVersion.objects.create(
        number=number,
        snapshot=snapshot,
        note=note[:200],
        created_by=user_of(actor),
        created_at=timezone.now(),
    )


def timer_kind_save(*, kind: TimerKind, actor, note: str = "") -> PolicyVersion:
    """Save a timer kind (new or changed) and publish the policy as a new version.
    A negative limit or no stop event is refused (422, Chinese message per field)."""
    if not _can_edit_policy(actor):
        raise Forbidden(_("您没有修改时限策略的权限"))
    _checked(kind)
    with transaction.atomic():
        kind.save()
        return _publish(actor=actor, note=note or f"计时类型 {kind.code}")


def policy_limit_save(*, limit: PolicyLimit, actor, note: str = "") -> PolicyVersion:
    if not _can_edit_policy(actor):
        raise Forbidden(_("您没有修改时限策略的权限"))
    _checked(limit)
    with transaction.atomic():
        try:
            with transaction.atomic():
                limit.save()
        except IntegrityError:
            raise Conflict(
                _("该计时类型在同一分类、严重程度和渠道下已有时限"), code="duplicate_limit"
            ) from None
        return _publish(actor=actor, note=note or f"时限覆盖 {limit}")


def policy_limit_delete(*, limit: PolicyLimit, actor, note: str = "") -> PolicyVersion:
    if not _can_edit_policy(actor):
        raise Forbidden(_("您没有修改时限策略的权限"))
    with transaction.atomic():
        label = str(limit)
        limit.delete()
        return _publish(actor=actor, note=note or f"删除时限覆盖 {label}")


# -- the company calendar ---------------------------------------------------------


def _can_edit_calendar(actor) -> bool:
    return can_configure(actor)


def company_day_save(*, day: CompanyDay | CompanyYear, actor) -> CompanyDay | CompanyYear:
    """Add or change a company closed/working day (or a fully entered year). New timers
    use it at once in this process, within CALENDAR_TTL_SECONDS elsewhere; running
    timers keep the due time they were given, except provisional ones touching that
    year, which are counted again (`recompute_provisional`)."""
    if not _can_edit_calendar(actor):
        raise Forbidden(_("您没有修改公司日历的权限"))
    try:
        day.full_clean()
    except ValidationError as exc:
        fields = {name: "；".join(msgs) for name, msgs in exc.message_dict.items()}
        raise ValidationFailed(
            _("公司日历有误：%(p)s") % {"p": "；".join(fields.values())}, fields=fields
        ) from None
    if day.pk is None:
        day.created_by = user_of(actor)
    with transaction.atomic():
        day.save()
        recompute_provisional(years={_year_of(day)})
    return day


def company_day_delete(*, day: CompanyDay | CompanyYear, actor) -> None:
    if not _can_edit_calendar(actor):
        raise Forbidden(_("您没有修改公司日历的权限"))
    with transaction.atomic():
        day.delete()
        recompute_provisional(years={_year_of(day)})


def _year_of(day: CompanyDay | CompanyYear) -> int:
    return day.year if isinstance(day, CompanyYear) else day.day.year


@transaction.atomic
def recompute_provisional(*, years: Iterable[int] | None = None) -> int:
    """Provisional timers still counting (running or paused) whose window touches one of
    `years` (None: all of them), counted again on today's calendar: due and at-risk
    times from the start, pauses replayed from the timeline. Each stays provisional only
    while its window still runs through a guessed year. One read of the timers, one of
    their pauses, one bulk UPDATE, one UPDATE of the disputes' due times. Returns how
    many timers were counted again."""
    timers = Timer.objects.filter(
        provisional=True, state__in=(Timer.State.RUNNING, Timer.State.PAUSED)
    )
    if years is not None:
        touches = Q(pk__in=[])
        for year in set(years):
            first = dt.datetime(year, 1, 1, tzinfo=SHANGHAI)
            touches |= Q(started_at__lt=first.replace(year=year + 1), due_at__gte=first)
        timers = timers.filter(touches)
    timers = list(timers.order_by("id"))
    if not timers:
        return 0
    cal, pauses = calendar(), _pauses_of(timers)
    for timer in timers:
        due = cal.due(timer.started_at, timer.limit, timer.unit)
        timer.due_at, timer.risk_at = due.at, risk_time(cal, due.start, due.at, due.unit)
        for since, until in pauses.get(timer.pk, ()):
            if since <= timer.due_at:  # as _unpause: a deadline missed stays missed
                extend_for_pause(cal, timer, since, until)
        mark_provisional(cal, timer)
    Timer.objects.bulk_update(timers, ["due_at", "risk_at", "provisional", "provisional_reason"])
    refresh_due({t.dispute_id for t in timers})
    return len(timers)


def _pauses_of(timers: list[Timer]) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """The finished pauses (paused at, resumed at) of each timer that was ever paused,
    from the dispute's timeline; a pause still running is extended on resume."""
    paused = [t for t in timers if t.paused_seconds or t.state == Timer.State.PAUSED]
    if not paused:
        return {}
    events: dict[int, list[tuple[str, dt.datetime]]] = {}
    for dispute_id, kind, at in (
        Event.objects.filter(
            dispute_id__in={t.dispute_id for t in paused},
            kind__in=[SlaKind.SLA_PAUSED, SlaKind.SLA_RESUMED],
        )
        .order_by("at", "id")
        .values_list("dispute_id", "kind", "at")
    ):
        events.setdefault(dispute_id, []).append((kind, at))
    result: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for timer in paused:
        since = None
        for kind, at in events.get(timer.dispute_id, ()):
            if at < timer.started_at:
                continue
            if kind == SlaKind.SLA_PAUSED and since is None:
                since = at
            elif kind == SlaKind.SLA_RESUMED and since is not None:
                result.setdefault(timer.pk, []).append((since, at))
                since = None
    return result
