"""The contact log (联系记录) and internal notes (内部备注) of a dispute.

A contact is a call or message with the customer as the person who made or took it
records it: the channel, who started it, what was said and, if they like, the outcome.
It is one `customer_contacted` event on the timeline, and the first one stops the
first-contact clock (the SLA hears `event:customer_contacted`): first contact is a
recorded call or message, never a side effect of another action.

An internal note is staff talking among themselves on the case (`internal_note`); no
customer door shows it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from aftersales.common.errors import Forbidden, ValidationFailed
from aftersales.common.text import clean_text

from . import handlers
from .models import Dispute, Event
from .permissions import can_add_note, can_record_contact
from .timeline import DisputeKind, record

SUMMARY_MAX = 2000
OUTCOME_MAX = 500
NOTE_MAX = 2000
# A contact recorded a little ahead of the server's clock (a phone's time) is accepted.
CLOCK_SKEW = dt.timedelta(minutes=5)


class ContactChannel(TextChoices):
    PHONE = "phone", pgettext_lazy("contact channel", "电话")
    SMS = "sms", pgettext_lazy("contact channel", "短信")
    CHAT = "chat", pgettext_lazy("contact channel", "在线聊天")
    EMAIL = "email", pgettext_lazy("contact channel", "电子邮件")
    IN_PERSON = "in_person", pgettext_lazy("contact channel", "当面")
    OTHER = "other", pgettext_lazy("contact channel", "其他")


class ContactDirection(TextChoices):
    OUTBOUND = "outbound", pgettext_lazy("contact direction", "我方联系顾客")
    INBOUND = "inbound", pgettext_lazy("contact direction", "顾客联系我方")


def _text(value, field: str, limit: int, *, required: bool) -> str:
    text = clean_text(value if isinstance(value, str) else "")
    if required and not text:
        raise ValidationFailed(_("联系记录有误"), fields={field: _("必须填写")})
    if len(text) > limit:
        raise ValidationFailed(
            _("联系记录有误"), fields={field: _("不能超过 %(max)d 个字符") % {"max": limit}}
        )
    return text


def _choice(value, field: str, choices: type[TextChoices]) -> str:
    if value not in choices.values:
        raise ValidationFailed(
            _("联系记录有误"),
            fields={
                field: _("请选择：%(choices)s")
                % {
                    "choices": pgettext("list separator", "、").join(
                        str(label) for label in choices.labels
                    )
                }
            },
        )
    return str(value)


def _when(at: dt.datetime | None, dispute: Dispute, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationFailed(_("联系记录有误"), fields={"at": _("请给出带时区的时间")})
    if at > now + CLOCK_SKEW:
        raise ValidationFailed(_("联系记录有误"), fields={"at": _("联系时间不能晚于现在")})
    if at < dispute.received_at:
        raise ValidationFailed(_("联系记录有误"), fields={"at": _("联系时间不能早于受理时间")})
    return at


def contact_record(
    *,
    dispute: Dispute,
    actor,
    channel: str,
    direction: str,
    summary: str,
    outcome: str = "",
    at: dt.datetime | None = None,
) -> Event:
    """Record one call or message with the customer (`at`: when it happened, now when
    not given; not before intake, not in the future). One `customer_contacted` event,
    heard by the SLA timers in the same transaction."""
    if not can_record_contact(actor, dispute):
        raise Forbidden(_("您没有权限记录与顾客的联系"))
    now = timezone.now()
    fields: dict[str, str] = {}
    values: dict[str, str] = {}
    for name, check in (
        ("channel", lambda: _choice(channel, "channel", ContactChannel)),
        ("direction", lambda: _choice(direction, "direction", ContactDirection)),
        ("summary", lambda: _text(summary, "summary", SUMMARY_MAX, required=True)),
        ("outcome", lambda: _text(outcome, "outcome", OUTCOME_MAX, required=False)),
    ):
        try:
            values[name] = check()
        except ValidationFailed as error:
            fields.update(error.fields)
    try:
        when = _when(at, dispute, now)
    except ValidationFailed as error:
        fields.update(error.fields)
    if fields:
        raise ValidationFailed(_("联系记录有误"), fields=fields)
    payload = {"channel": values["channel"], "direction": values["direction"]}
    if values["outcome"]:
        payload["outcome"] = values["outcome"]
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        event = record(
            DisputeKind.CUSTOMER_CONTACTED,
            dispute=locked,
            actor=actor,
            reason=values["summary"],
            payload=payload,
            at=when,
        )
        # The apps that follow the dispute hear it: the SLA's first-contact clock stops
        # on event:customer_contacted.
        handlers.tell(handlers.EventRecorded(dispute=locked, event=event, at=when))
    return event


def note_add(*, dispute: Dispute, actor, text: str) -> Event:
    """An internal note on the case, for staff only (`internal_note`)."""
    if not can_add_note(actor, dispute):
        raise Forbidden(_("您没有权限添加内部备注"))
    body = clean_text(text if isinstance(text, str) else "")
    if not body:
        raise ValidationFailed(_("内部备注有误"), fields={"text": _("必须填写")})
    if len(body) > NOTE_MAX:
        raise ValidationFailed(
            _("内部备注有误"), fields={"text": _("不能超过 %(max)d 个字符") % {"max": NOTE_MAX}}
        )
    return record(
        DisputeKind.INTERNAL_NOTE, dispute=dispute, actor=actor, reason=body, at=timezone.now()
    )


def contact_label(payload: dict | None) -> str:
    """ "电话 · 我方联系顾客" for a contact event's payload, in the active language."""
    payload = payload or {}
    parts = []
    for key, choices in (("channel", ContactChannel), ("direction", ContactDirection)):
        code = payload.get(key)
        if code in choices.values:
            parts.append(str(choices(code).label))
    return " · ".join(parts)
