"""Where a time limit comes from (时限来源), and the clock the queue shows for each row.

Source: 平台 (platform) — the platform's rules for merchants (seller response, platform
review, the 运费险 insurer's payout); 法定 (statutory) — deadlines set by law or
regulation (legal.md: the market regulator's 7 working days to accept a complaint and
60 days to mediate, 投诉举报处理暂行办法 / 消费者权益保护法实施条例 §46; the 30-day
repair limit of 三包, 部分商品修理更换退货责任规定 §12); 内部 (internal) — everything
else: our own service levels (first contact, QC report, investigation, proposal, …).
A kind added later is internal until it is listed here."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from aftersales.disputes.models import Dispute

from .models import Timer


class Source(TextChoices):
    INTERNAL = "internal", pgettext_lazy("time limit source", "内部")
    PLATFORM = "platform", pgettext_lazy("time limit source", "平台")
    STATUTORY = "statutory", pgettext_lazy("time limit source", "法定")


SOURCE_OF_KIND: dict[str, Source] = {
    "seller_response": Source.PLATFORM,
    "platform_review": Source.PLATFORM,
    "shipping_insurance": Source.PLATFORM,
    "regulator_acceptance": Source.STATUTORY,
    "regulator_mediation": Source.STATUTORY,
    "repair": Source.STATUTORY,
}


def source_of(kind_code: str) -> Source:
    """The source of a timer kind's limit (pure)."""
    return SOURCE_OF_KIND.get(kind_code, Source.INTERNAL)


@dataclass(frozen=True)
class Clock:
    """The most urgent live clock of a dispute, as the queue shows it."""

    kind: str
    name: str
    state: str  # running | paused | breached
    due_at: dt.datetime
    risk_at: dt.datetime
    source_code: str
    source: str  # 内部 / 平台 / 法定 in the reader's language
    breached: bool
    at_risk: bool
    risk_minutes: int  # minutes before due_at when the clock turns at risk
    left: str  # "剩 2 小时 5 分" / "超时 10 分" (the live countdown replaces it)

    @property
    def css(self) -> str:
        return "breached" if self.breached else "at-risk" if self.at_risk else ""


def _span(seconds: int) -> str:
    minutes = max(0, seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d 天 %(h)d 小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d 小时 %(m)d 分") % {"h": hours, "m": mins}
    return _("%(m)d 分") % {"m": mins}


def _urgency(timer: Timer) -> tuple:
    # Counting clocks before paused ones (a paused clock waits on the customer), then
    # the earliest due.
    return (timer.state == Timer.State.PAUSED, timer.due_at, timer.pk)


def clock_of(timer: Timer, now: dt.datetime) -> Clock:
    source = source_of(timer.kind.code)
    paused = timer.state == Timer.State.PAUSED
    breached = not paused and (timer.state == Timer.State.BREACHED or timer.due_at <= now)
    at_risk = not paused and not breached and timer.risk_at <= now
    seconds = int((timer.due_at - now).total_seconds())
    return Clock(
        kind=timer.kind.code,
        name=timer.kind.name,
        state=timer.state,
        due_at=timer.due_at,
        risk_at=timer.risk_at,
        source_code=source.value,
        source=str(source.label),
        breached=breached,
        at_risk=at_risk,
        risk_minutes=max(1, int((timer.due_at - timer.risk_at).total_seconds() // 60)),
        left=(
            _("已暂停")
            if paused
            else _("超时 %(span)s") % {"span": _span(-seconds)}
            if breached
            else _("剩 %(span)s") % {"span": _span(seconds)}
        ),
    )


def queue_rows(disputes: list[Dispute], now: dt.datetime) -> list[Dispute]:
    """Set `.clock` (the most urgent running, breached or paused clock, or None) on each
    dispute of a queue page, in one query whatever the page's size; returns the list.
    `.confidence` and `.needs_review` are the dispute's own columns."""
    by_dispute: dict[int, Timer] = {}
    if disputes:
        timers = (
            Timer.objects.filter(dispute_id__in=[d.pk for d in disputes], state__in=Timer.LIVE)
            .select_related("kind")
            .only("dispute_id", "state", "due_at", "risk_at", "kind__code", "kind__name")
        )
        for timer in timers:
            best = by_dispute.get(timer.dispute_id)
            if best is None or _urgency(timer) < _urgency(best):
                by_dispute[timer.dispute_id] = timer
    for dispute in disputes:
        timer = by_dispute.get(dispute.pk)
        dispute.clock = clock_of(timer, now) if timer is not None else None
    return disputes
