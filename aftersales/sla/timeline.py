"""The SLA's timeline events: crossings the scan finds (at risk, breached) and pauses
while waiting on the customer. Timers starting and stopping are not events (too noisy)."""

import datetime as dt

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy, pgettext_lazy

from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import new_event
from aftersales.disputes.timeline_registry import event_kinds, reason_template

from .calendar import SHANGHAI


@event_kinds
class SlaKind(TextChoices):
    SLA_AT_RISK = "sla_at_risk", pgettext_lazy("timeline event", "时限预警")
    SLA_BREACHED = "sla_breached", pgettext_lazy("timeline event", "超时")
    SLA_PAUSED = "sla_paused", pgettext_lazy("timeline event", "等待顾客，计时暂停")
    SLA_RESUMED = "sla_resumed", pgettext_lazy("timeline event", "恢复计时")


# `name` is the timer kind's name as admins entered it; `due` is Asia/Shanghai time.
AT_RISK = reason_template("sla.at_risk", gettext_lazy("“%(name)s”即将超时：截止 %(due)s"))
BREACHED = reason_template(
    "sla.breached", gettext_lazy("“%(name)s”已超时：截止 %(due)s，已升级至组长")
)
BREACHED_MAJOR = reason_template(
    "sla.breached_major",
    gettext_lazy("“%(name)s”已超时：截止 %(due)s，已升级至组长并报告管理层"),
)


def crossing_event(
    *,
    dispute_id: int,
    crossing: str,
    timer,
    timer_kind: str,
    name: str,
    due_at: dt.datetime,
    major: bool,
    at: dt.datetime,
    subject: str = "",
) -> Event:
    """A timer found at risk (`crossing="at_risk"`) or breached: the scan's event, and
    the demo's for the crossings it replays. `timer` is its id (the demo gives the
    unsaved timer, replaced by its id once inserted); `subject` the timer's (an
    after-sale order's clock names it as "timer_subject"). The event's `reason` (the
    site's language) is also the inbox notification's title."""
    due = due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if crossing == "at_risk":
        kind, reason = SlaKind.SLA_AT_RISK, AT_RISK(name=name, due=due)
    else:
        template = BREACHED_MAJOR if major else BREACHED
        kind, reason = SlaKind.SLA_BREACHED, template(name=name, due=due)
    payload = {"timer": timer, "timer_kind": timer_kind, "due_at": due_at.isoformat()}
    if subject:
        payload["timer_subject"] = subject
    return new_event(
        kind, dispute_id=dispute_id, actor_label="system", reason=reason, payload=payload, at=at
    )


def pause_event(
    *, dispute: Dispute, paused: bool, actor, reason: str, at: dt.datetime, actor_label=None
) -> Event:
    """Waiting on the customer (`paused`), or the customer answered: `reason` as the
    handler wrote it."""
    return new_event(
        SlaKind.SLA_PAUSED if paused else SlaKind.SLA_RESUMED,
        dispute=dispute,
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        at=at,
    )
