"""Timers starting, stopping and pausing as timeline events, department tasks and
other signals arrive; Dispute.due_at kept as the most urgent running timer's due time.

Timers starting and stopping are not timeline events (too noisy); pausing is one (the
pause is shown), and so are the crossings the scan finds (`scan.py`)."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.fastinsert import insert_many
from aftersales.disputes.lifecycle import TERMINAL
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.permissions import can_pause_timers

from .calendar import Unit, WorkCalendar, provisional_reason, to_shanghai
from .models import Timer
from .policy import PAUSE_SIGNAL, RESUME_SIGNAL, Facts, KindRule, Policy
from .policy_versions import CurrentPolicy, current_policy
from .signals import signals_of, subject_of, task_signals
from .timeline import pause_event
from .working_calendar import calendar

DEFAULT_AT_RISK_RATIO = Decimal("0.8")
SUBJECT_MAX = 40  # Timer.subject

# What the timers hear at one instant: the signals, when, the dispute status entered
# ("" when none) and the subject ("" = the dispute; the demo may leave it out).
Batch = tuple[list[str], dt.datetime, str, str] | tuple[list[str], dt.datetime, str]


def at_risk_ratio() -> Decimal:
    """settings.SLA_AT_RISK_RATIO (default 0.8): the share of the limit used at which a
    timer is at risk. Read when a timer starts; the timer stores its risk_at."""
    ratio = Decimal(str(getattr(settings, "SLA_AT_RISK_RATIO", DEFAULT_AT_RISK_RATIO)))
    if not Decimal(0) < ratio <= Decimal(1):
        raise ValueError(f"SLA_AT_RISK_RATIO 必须在 (0, 1] 之间：{ratio}")
    return ratio


def mark_provisional(cal: WorkCalendar, timer: Timer) -> None:
    """Provisional when the timer's window runs through a year the calendar guesses."""
    guessed: frozenset[int] = frozenset()
    if Unit(timer.unit) in (Unit.WORKING_DAYS, Unit.BUSINESS_HOURS):
        first = to_shanghai(timer.started_at).date()
        guessed = cal.guessed_years(first, to_shanghai(timer.due_at).date())
    timer.provisional, timer.provisional_reason = bool(guessed), provisional_reason(guessed)


def risk_time(cal: WorkCalendar, start: dt.datetime, due: dt.datetime, unit: Unit) -> dt.datetime:
    ratio = at_risk_ratio()
    if unit is Unit.BUSINESS_HOURS:
        used = cal.business_seconds_between(start, due)
        return cal.add_business_seconds(start, int(used * ratio))
    # Wall clocks and working days: the share of elapsed time up to the due instant.
    span = (due - start).total_seconds()
    return start + dt.timedelta(seconds=int(Decimal(str(span)) * ratio))


def _start(
    dispute: Dispute,
    kind: KindRule,
    current: CurrentPolicy,
    at: dt.datetime,
    cal: WorkCalendar,
    subject: str = "",
) -> Timer:
    limit = current.policy.limit_for(kind.code, _facts(dispute))
    due = cal.due(at, limit.limit, limit.unit)
    return Timer(
        provisional=due.provisional,
        provisional_reason=due.provisional_reason,
        dispute=dispute,
        kind_id=kind.id,
        subject=subject,
        policy_version_id=current.version_id,
        limit=limit.limit,
        unit=limit.unit.value,
        rule=f"{limit.rule}：{due.rule}"[:300],
        state=Timer.State.RUNNING,
        started_at=at,
        due_at=due.at,
        risk_at=risk_time(cal, due.start, due.at, limit.unit),
    )


def _facts(dispute: Dispute) -> Facts:
    return Facts(category=dispute.category, severity=dispute.severity, channel=dispute.channel)


def extend_for_pause(
    cal: WorkCalendar, timer: Timer, since: dt.datetime, until: dt.datetime
) -> None:
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
    mark_provisional(cal, timer)  # a pause may push the due time into a guessed year


def timers_on_events(
    dispute: Dispute, events: Sequence[Event], at: dt.datetime | None = None, *, new: bool = False
) -> list[Timer]:
    """Start, stop, pause and resume the dispute's timers for these events, in order
    (each at its own `at`; `at` is for events without one). An event whose payload names
    a "subject" (an after-sale order) starts that subject's timers and stops only that
    subject's; one without stops a kind's timers of every subject. Idempotent: one live
    timer per dispute, kind and subject, and a replayed start is ignored. Keeps Dispute.due_at = the
    most urgent running timer's due time. `new`: the dispute was just created (no timers
    to read). Call inside the transaction that wrote the events. Returns the timers
    touched."""
    current = current_policy()
    if current is None or not events:
        return []
    return _apply_signals(
        dispute,
        [(signals_of(e), e.at or at or timezone.now(), e.to_status, subject_of(e)) for e in events],
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
    batches: list[Batch] = [(task_signals(task_kinds), at, "")] if task_kinds else []
    batches += [(signals_of(e), e.at or at, e.to_status, subject_of(e)) for e in events]
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


def _listened(policy: Policy, batches: list[Batch]) -> bool:
    heard = {s for batch in batches for s in batch[0]}
    return bool(
        any(batch[2] in TERMINAL for batch in batches if batch[2])
        or heard & {PAUSE_SIGNAL, RESUME_SIGNAL}
        or policy.stopping(heard)
        or any(k.start in heard for k in policy.kinds if k.active)
    )


def timers_on_signals(
    dispute: Dispute, signals: list[str], at: dt.datetime, *, subject: str = ""
) -> list[Timer]:
    """Signals heard at `at`, which may differ from when they were recorded: an outside
    body's acceptance on a given day, a department task completed (task:<kind>:done).
    `subject` as an event's (see `timers_on_events`)."""
    current = current_policy()
    if current is None or not signals:
        return []
    return _apply_signals(dispute, [(list(signals), at, "", subject)], current)


def _apply_signals(
    dispute: Dispute,
    batches: list[Batch],
    current: CurrentPolicy,
    *,
    new: bool = False,
) -> list[Timer]:
    policy = current.policy
    if not _listened(policy, batches):
        return []  # nothing listens for these: no reads, no writes
    code_of = {k.id: k.code for k in policy.kinds}
    live: dict[tuple[str, str], Timer] = {}
    if not new:
        for timer in Timer.objects.filter(dispute=dispute, state__in=Timer.LIVE):
            live[(code_of.get(timer.kind_id, str(timer.kind_id)), timer.subject)] = timer
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
    batches: list[Batch],
    current: CurrentPolicy,
    live: dict[tuple[str, str], Timer],
) -> tuple[list[Timer], list[Timer]]:
    """The timers these signals start, and the live ones they change (in memory).
    `live`: the dispute's live timers by (kind code, subject)."""
    policy, cal = current.policy, calendar()
    changed: dict[int, Timer] = {}
    created: list[Timer] = []
    for batch in batches:
        signals, when, to_status = batch[0], batch[1], batch[2]
        subject = (batch[3] if len(batch) > 3 else "")[:SUBJECT_MAX]
        if PAUSE_SIGNAL in signals:
            for (code, _subject), timer in live.items():
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
            # A subject's event stops that subject's clock; the dispute's, every subject's.
            keys = [(code, subject)] if subject else [k for k in live if k[0] == code]
            for key in keys:
                timer = live.pop(key, None)
                if timer is not None:
                    stop = _first(signals, policy.kind(code).stops)
                    _finish(timer, Timer.State.STOPPED, when, stop)
                    changed[id(timer)] = timer
        if to_status and to_status in TERMINAL:
            # The dispute ended: clocks whose step never came are cancelled, not met.
            for timer in live.values():
                _finish(timer, Timer.State.CANCELLED, when, signals[0])
                changed[id(timer)] = timer
            live.clear()
            continue
        for kind in policy.starting(signals, _facts(dispute)):
            if (kind.code, subject) not in live:
                timer = _start(dispute, kind, current, when, cal, subject)
                live[(kind.code, subject)] = timer
                created.append(timer)
    return created, list(changed.values())


def _first(signals: list[str], stops: Iterable[str]) -> str:
    return next((s for s in signals if s in set(stops)), signals[0])


def _unpause(cal: WorkCalendar, timer: Timer, when: dt.datetime) -> None:
    """A paused clock runs again, or finishes, at `when`: its due and at-risk times move
    back by the pause, so one paused with time left is not late for the wait. One paused
    already overdue keeps its due time: a deadline missed stays missed (figures)."""
    if timer.paused_at <= timer.due_at:
        extend_for_pause(cal, timer, timer.paused_at, when)
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


def timers_pause(*, dispute: Dispute, actor, reason: str, at: dt.datetime | None = None) -> Event:
    """The dispute waits on the customer (evidence, a reply): its pausable timers stop
    counting until `timers_resume`. One timeline event, so the pause is shown."""
    reason = (reason or "").strip()
    if not can_pause_timers(actor, dispute):
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
        event = pause_event(
            dispute=locked, paused=True, actor=actor, reason=reason, at=at or timezone.now()
        )
        event.save()
        timers_on_events(locked, [event])
    return event


def timers_resume(
    *, dispute: Dispute, actor, reason: str = "", at: dt.datetime | None = None
) -> Event:
    """The customer answered: paused timers count again, due times pushed back by the
    pause (on each timer's own clock)."""
    if not can_pause_timers(actor, dispute):
        raise Forbidden(_("您没有恢复计时的权限"))
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if not locked.timers.filter(state=Timer.State.PAUSED).exists():
            raise Conflict(_("没有暂停中的计时"), code="not_paused")
        event = pause_event(
            dispute=locked,
            paused=False,
            actor=actor,
            reason=(reason or "").strip(),
            at=at or timezone.now(),
        )
        event.save()
        timers_on_events(locked, [event])
    return event


# -- handlers registered with the disputes app (apps.SlaConfig.ready) -----------------


def on_action_applied(news) -> None:
    """A lifecycle action was applied: it starts, stops or cancels timers."""
    timers_on_events(news.dispute, [news.event], news.at)


def on_tasks_created(news) -> None:
    """Department tasks were added: task:<kind>:created signals."""
    timers_on_tasks(news.dispute, news.tasks, news.at)
