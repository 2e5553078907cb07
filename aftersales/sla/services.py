"""Writes of the SLA app: timers starting, stopping and pausing as timeline events
arrive, and admin changes to the policy (each one a new version).

Timers starting and stopping are not timeline events (too noisy); pausing is one (the
pause is shown), and so are the crossings the scan finds (`scan.py`)."""

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.fastinsert import insert_many
from aftersales.disputes.lifecycle import TERMINAL
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.permissions import can_create as can_handle_cases

from .calendar import (
    SHANGHAI,
    Unit,
    WorkCalendar,
    default_calendar,
    provisional_reason,
    to_shanghai,
)
from .models import CompanyDay, CompanyYear, PolicyLimit, PolicyVersion, Timer, TimerKind
from .policy import PAUSE_SIGNAL, RESUME_SIGNAL, Facts, KindRule, LimitRule, Policy
from .signals import signals_of, task_signals

DEFAULT_AT_RISK_RATIO = Decimal("0.8")


def at_risk_ratio() -> Decimal:
    """settings.SLA_AT_RISK_RATIO (default 0.8): the share of the limit used at which a
    timer is at risk. Read when a timer starts; the timer stores its risk_at."""
    ratio = Decimal(str(getattr(settings, "SLA_AT_RISK_RATIO", DEFAULT_AT_RISK_RATIO)))
    if not Decimal(0) < ratio <= Decimal(1):
        raise ValueError(f"SLA_AT_RISK_RATIO 必须在 (0, 1] 之间：{ratio}")
    return ratio


# -- policy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentPolicy:
    version_id: int
    policy: Policy


def current_policy() -> CurrentPolicy | None:
    """The newest policy version: one indexed read of a small row."""
    row = PolicyVersion.objects.order_by("-number").values("id", "number", "snapshot").first()
    if row is None:
        return None
    return CurrentPolicy(row["id"], Policy.from_snapshot(row["number"], row["snapshot"]))


_policy_by_key: dict[tuple, CurrentPolicy] = {}


def current_policy_at(key: tuple | None) -> CurrentPolicy | None:
    """The policy version named by `key` = (id, created_at), which intake reads with its
    other facts: parsed once per process, since a version never changes (created_at
    tells a version from one that reused its id after a rollback)."""
    if key is None:
        return None
    cached = _policy_by_key.get(key)
    if cached is None:
        row = PolicyVersion.objects.filter(pk=key[0]).values("id", "number", "snapshot").first()
        if row is None:  # published and gone between the two reads
            return current_policy()
        cached = CurrentPolicy(row["id"], Policy.from_snapshot(row["number"], row["snapshot"]))
        _policy_by_key.clear()
        _policy_by_key[key] = cached
    return cached


def policy_snapshot() -> Policy:
    """The policy as the admin tables hold it now (not yet a version)."""
    kinds = tuple(
        KindRule(
            code=k.code,
            name=k.name,
            start=k.start_signal,
            stops=tuple(k.stop_signals),
            limit=k.limit,
            unit=Unit(k.unit),
            pausable=k.pausable,
            active=k.is_active,
            categories=frozenset(k.categories),
            severities=frozenset(k.severities),
            channels=frozenset(k.channels),
            id=k.pk,
        )
        for k in TimerKind.objects.order_by("position", "id")
    )
    limits = tuple(
        LimitRule(
            kind=r.kind.code,
            limit=r.limit,
            unit=Unit(r.unit),
            category=r.category,
            severity=r.severity,
            channel=r.channel,
        )
        for r in PolicyLimit.objects.select_related("kind").order_by("id")
    )
    return Policy(version=0, kinds=kinds, limits=limits)


def _checked(obj: TimerKind | PolicyLimit) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        fields = {name: "；".join(msgs) for name, msgs in exc.message_dict.items()}
        raise ValidationFailed(
            _("时限策略有误：%(p)s") % {"p": "；".join(fields.values())}, fields=fields
        ) from None


def _can_edit_policy(actor) -> bool:
    return actor is None or actor.is_superuser or actor.has_perm("sla.change_timerkind")


def _publish(*, actor, note: str) -> PolicyVersion:
    """Inside the caller's transaction: snapshot the tables as the next version."""
    latest = PolicyVersion.objects.select_for_update().order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    snapshot = policy_snapshot().to_snapshot()
    return PolicyVersion.objects.create(
        number=number,
        snapshot=snapshot,
        note=note[:200],
        created_by=actor if actor is not None and actor.pk else None,
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


# -- timers -------------------------------------------------------------------------


# -- the working calendar ------------------------------------------------------------

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


def _can_edit_calendar(actor) -> bool:
    return actor is None or actor.is_superuser or actor.has_perm("sla.change_companyday")


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
    if day.pk is None and actor is not None and actor.pk:
        day.created_by = actor
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


def _mark(cal: WorkCalendar, timer: Timer) -> None:
    """Provisional when the timer's window runs through a year the calendar guesses."""
    guessed: frozenset[int] = frozenset()
    if Unit(timer.unit) in (Unit.WORKING_DAYS, Unit.BUSINESS_HOURS):
        first = to_shanghai(timer.started_at).date()
        guessed = cal.guessed_years(first, to_shanghai(timer.due_at).date())
    timer.provisional, timer.provisional_reason = bool(guessed), provisional_reason(guessed)


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
        timer.due_at, timer.risk_at = due.at, _risk_at(cal, due.start, due.at, due.unit)
        for since, until in pauses.get(timer.pk, ()):
            if since <= timer.due_at:  # as _unpause: a deadline missed stays missed
                _extend(cal, timer, since, until)
        _mark(cal, timer)
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
            kind__in=[Event.Kind.SLA_PAUSED, Event.Kind.SLA_RESUMED],
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
            if kind == Event.Kind.SLA_PAUSED and since is None:
                since = at
            elif kind == Event.Kind.SLA_RESUMED and since is not None:
                result.setdefault(timer.pk, []).append((since, at))
                since = None
    return result


def _risk_at(cal: WorkCalendar, start: dt.datetime, due: dt.datetime, unit: Unit) -> dt.datetime:
    ratio = at_risk_ratio()
    if unit is Unit.BUSINESS_HOURS:
        used = cal.business_seconds_between(start, due)
        return cal.add_business_seconds(start, int(used * ratio))
    # Wall clocks and working days: the share of elapsed time up to the due instant.
    span = (due - start).total_seconds()
    return start + dt.timedelta(seconds=int(Decimal(str(span)) * ratio))


def _start(
    dispute: Dispute, kind: KindRule, current: CurrentPolicy, at: dt.datetime, cal: WorkCalendar
) -> Timer:
    limit = current.policy.limit_for(kind.code, _facts(dispute))
    due = cal.due(at, limit.limit, limit.unit)
    return Timer(
        provisional=due.provisional,
        provisional_reason=due.provisional_reason,
        dispute=dispute,
        kind_id=kind.id,
        policy_version_id=current.version_id,
        limit=limit.limit,
        unit=limit.unit.value,
        rule=f"{limit.rule}：{due.rule}"[:300],
        state=Timer.State.RUNNING,
        started_at=at,
        due_at=due.at,
        risk_at=_risk_at(cal, due.start, due.at, limit.unit),
    )


def _facts(dispute: Dispute) -> Facts:
    return Facts(category=dispute.category, severity=dispute.severity, channel=dispute.channel)


def _extend(cal: WorkCalendar, timer: Timer, since: dt.datetime, until: dt.datetime) -> None:
    """Push due_at and risk_at back by the paused time, counted on the timer's clock."""
    unit = Unit(timer.unit)
    if unit is Unit.BUSINESS_HOURS:
        extra = cal.business_seconds_between(since, until)
        timer.due_at = cal.add_business_seconds(timer.due_at, extra)
        timer.risk_at = cal.add_business_seconds(timer.risk_at, extra)
    elif unit is Unit.WORKING_DAYS:
        days = cal.working_days_between(to_shanghai(since).date(), to_shanghai(until).date())
        due = cal.add_working_days(timer.due_at, days)
        timer.risk_at, timer.due_at = timer.risk_at + (due - timer.due_at), due
    else:
        timer.due_at = timer.due_at + (until - since)
        timer.risk_at = timer.risk_at + (until - since)
    _mark(cal, timer)  # a pause may push the due time into a guessed year


def timers_on_events(
    dispute: Dispute, events: Sequence[Event], at: dt.datetime | None = None, *, new: bool = False
) -> list[Timer]:
    """Start, stop, pause and resume the dispute's timers for these events, in order
    (each at its own `at`; `at` is for events without one). Idempotent: one live timer
    per dispute and kind, and a replayed start is ignored. Keeps Dispute.due_at = the
    most urgent running timer's due time. `new`: the dispute was just created (no timers
    to read). Call inside the transaction that wrote the events. Returns the timers
    touched."""
    current = current_policy()
    if current is None or not events:
        return []
    return _apply_signals(
        dispute,
        [(signals_of(e), e.at or at or timezone.now(), e.to_status) for e in events],
        current,
        new=new,
    )


def timers_on_tasks(dispute: Dispute, tasks: Iterable[Task], at: dt.datetime) -> list[Timer]:
    """Department tasks just created: task:<kind>:created signals."""
    kinds = [t.kind for t in tasks]
    current = current_policy()
    if current is None or not kinds:
        return []
    return _apply_signals(dispute, [(task_signals(kinds), at, "")], current)


def timers_at_intake(
    dispute: Dispute,
    *,
    events: Sequence[Event],
    task_kinds: Sequence[str],
    at: dt.datetime,
    current: CurrentPolicy | None,
) -> list[Timer]:
    """A dispute just taken in: the timers its department tasks and intake events start
    (tasks first, as intake creates them), in one INSERT, and Dispute.due_at from them
    without reading anything back."""
    if current is None:
        return []
    batches = [(task_signals(task_kinds), at, "")] if task_kinds else []
    batches += [(signals_of(e), e.at or at, e.to_status) for e in events]
    if not _listened(current.policy, batches):
        return []
    created, _changed = _run_batches(dispute, batches, current, {})
    insert_many(created)
    due = min((t.due_at for t in created if t.state in Timer.URGENT), default=None)
    if due != dispute.due_at:
        # A plain statement: intake runs this for every new dispute.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(Dispute._meta.db_table)} "
                "SET due_at = %s WHERE id = %s",
                [connection.ops.adapt_datetimefield_value(due), dispute.pk],
            )
        dispute.due_at = due
    return created


def _listened(policy: Policy, batches: list[tuple[list[str], dt.datetime, str]]) -> bool:
    heard = {s for signals, _when, _to in batches for s in signals}
    return bool(
        any(to in TERMINAL for _s, _w, to in batches if to)
        or heard & {PAUSE_SIGNAL, RESUME_SIGNAL}
        or policy.stopping(heard)
        or any(k.start in heard for k in policy.kinds if k.active)
    )


def timers_on_signals(dispute: Dispute, signals: list[str], at: dt.datetime) -> list[Timer]:
    """Signals heard at `at`, which may differ from when they were recorded: an outside
    body's acceptance on a given day, a department task completed (task:<kind>:done)."""
    current = current_policy()
    if current is None or not signals:
        return []
    return _apply_signals(dispute, [(list(signals), at, "")], current)


def _apply_signals(
    dispute: Dispute,
    batches: list[tuple[list[str], dt.datetime, str]],
    current: CurrentPolicy,
    *,
    new: bool = False,
) -> list[Timer]:
    policy = current.policy
    if not _listened(policy, batches):
        return []  # nothing listens for these: no reads, no writes
    code_of = {k.id: k.code for k in policy.kinds}
    live: dict[str, Timer] = {}
    if not new:
        for timer in Timer.objects.filter(dispute=dispute, state__in=Timer.LIVE):
            live[code_of.get(timer.kind_id, str(timer.kind_id))] = timer
    created, changed = _run_batches(dispute, batches, current, live)
    for timer in changed:
        if timer.pk is not None:
            timer.save()
    if created:
        Timer.objects.bulk_create(created, ignore_conflicts=True)
    _refresh_due(dispute)
    return [*created, *(t for t in changed if t.pk is not None)]


def _run_batches(
    dispute: Dispute,
    batches: list[tuple[list[str], dt.datetime, str]],
    current: CurrentPolicy,
    live: dict[str, Timer],
) -> tuple[list[Timer], list[Timer]]:
    """The timers these signals start, and the live ones they change (in memory)."""
    policy, cal = current.policy, calendar()
    changed: dict[int, Timer] = {}
    created: list[Timer] = []
    for signals, when, to_status in batches:
        if PAUSE_SIGNAL in signals:
            for code, timer in live.items():
                if timer.state == Timer.State.RUNNING and policy.kind(code).pausable:
                    timer.state, timer.paused_at = Timer.State.PAUSED, when
                    changed[id(timer)] = timer
        if RESUME_SIGNAL in signals:
            for timer in live.values():
                if timer.state == Timer.State.PAUSED:
                    _unpause(cal, timer, when)
                    timer.state = Timer.State.RUNNING
                    changed[id(timer)] = timer
        for code in policy.stopping(signals):
            timer = live.pop(code, None)
            if timer is not None:
                _finish(timer, Timer.State.STOPPED, when, _first(signals, policy.kind(code).stops))
                changed[id(timer)] = timer
        if to_status and to_status in TERMINAL:
            # The dispute ended: clocks whose step never came are cancelled, not met.
            for timer in live.values():
                _finish(timer, Timer.State.CANCELLED, when, signals[0])
                changed[id(timer)] = timer
            live.clear()
            continue
        for kind in policy.starting(signals, _facts(dispute)):
            if kind.code not in live:
                timer = _start(dispute, kind, current, when, cal)
                live[kind.code] = timer
                created.append(timer)
    return created, list(changed.values())


def _first(signals: list[str], stops: Iterable[str]) -> str:
    return next((s for s in signals if s in set(stops)), signals[0])


def _unpause(cal: WorkCalendar, timer: Timer, when: dt.datetime) -> None:
    """A paused clock runs again, or finishes, at `when`: its due and at-risk times move
    back by the pause, so one paused with time left is not late for the wait. One paused
    already overdue keeps its due time: a deadline missed stays missed (figures)."""
    if timer.paused_at <= timer.due_at:
        _extend(cal, timer, timer.paused_at, when)
    timer.paused_seconds += max(0, int((when - timer.paused_at).total_seconds()))
    timer.paused_at = None


def _finish(timer: Timer, state: str, when: dt.datetime, signal: str) -> None:
    if timer.state == Timer.State.PAUSED and timer.paused_at is not None:
        _unpause(calendar(), timer, when)
    timer.state, timer.stopped_at, timer.stopped_by = state, when, signal


def refresh_due(dispute_ids: Iterable[int]) -> None:
    """Dispute.due_at = the earliest due time of its running (or overdue) timers, for
    every dispute given, in one UPDATE; paused timers wait on the customer and do not
    count."""
    earliest = (
        Timer.objects.filter(dispute=OuterRef("pk"), state__in=Timer.URGENT)
        .order_by()
        .values("dispute")
        .annotate(earliest=Min("due_at"))
        .values("earliest")
    )
    Dispute.objects.filter(pk__in=list(dispute_ids)).update(due_at=Subquery(earliest))


def _refresh_due(dispute: Dispute) -> None:
    refresh_due([dispute.pk])
    dispute.due_at = Dispute.objects.filter(pk=dispute.pk).values_list("due_at", flat=True).first()


def _pause_event(dispute: Dispute, kind: str, actor, reason: str, at: dt.datetime) -> Event:
    from aftersales.disputes.services import actor_label

    return Event.objects.create(
        dispute=dispute,
        kind=kind,
        actor=actor,
        actor_label=actor_label(actor),
        reason=reason,
        at=at,
    )


def timers_pause(*, dispute: Dispute, actor, reason: str, at: dt.datetime | None = None) -> Event:
    """The dispute waits on the customer (evidence, a reply): its pausable timers stop
    counting until `timers_resume`. One timeline event, so the pause is shown."""
    reason = (reason or "").strip()
    if actor is not None and not can_handle_cases(actor):
        raise Forbidden(_("您没有暂停计时的权限"))
    if not reason:
        raise ValidationFailed(_("暂停计时须写明在等待顾客什么"), fields={"reason": _("必填")})
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if not locked.is_open:
            raise Conflict(_("已结束的投诉不能暂停计时"), code="dispute_closed")
        if locked.timers.filter(state=Timer.State.PAUSED).exists():
            raise Conflict(_("计时已在暂停中"), code="already_paused")
        current = current_policy()
        pausable = [k.id for k in current.policy.kinds if k.pausable] if current else []
        if not locked.timers.filter(state=Timer.State.RUNNING, kind_id__in=pausable).exists():
            raise Conflict(
                _("没有可以暂停的计时（只有调查、回访等等待顾客时可暂停的时限）"),
                code="nothing_to_pause",
            )
        event = _pause_event(locked, Event.Kind.SLA_PAUSED, actor, reason, at or timezone.now())
        timers_on_events(locked, [event])
    return event


def timers_resume(
    *, dispute: Dispute, actor, reason: str = "", at: dt.datetime | None = None
) -> Event:
    """The customer answered: paused timers count again, due times pushed back by the
    pause (on each timer's own clock)."""
    if actor is not None and not can_handle_cases(actor):
        raise Forbidden(_("您没有恢复计时的权限"))
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if not locked.timers.filter(state=Timer.State.PAUSED).exists():
            raise Conflict(_("没有暂停中的计时"), code="not_paused")
        event = _pause_event(
            locked, Event.Kind.SLA_RESUMED, actor, (reason or "").strip(), at or timezone.now()
        )
        timers_on_events(locked, [event])
    return event
