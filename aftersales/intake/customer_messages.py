"""Messages with the customer on a dispute, both ways (SPEC §3, §8; issue 14 item 4).

Inbound: the customer writes from the portal or their link (`customer_message_post`): a
`customer_message` event on the timeline, and the handler (the team lead when nobody
holds the case) is told in their inbox. On a dispute closed less than REOPEN_DAYS ago
the message also asks to reopen it: a `reopen_requested` event and a notice to the team
lead, who decides: the lifecycle's reopen action, or `reopen_request_decline` (the
customer is told why); later the customer is told to file a new complaint. Rejected and
withdrawn disputes take no messages.

Outbound: a handler replies (`staff_reply`), typed or from a reply template
(`reply_templates`): an OutboundMessage on the customer's channel, delivered by the
worker, and a `staff_reply` event. `conversation` reads both directions in time order.

The customer's words and ours are kept in the event payload ("message", "body"), never
in `reason`, so that the personal-data erasure (aftersales.privacy.erase) replaces them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from aftersales.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales.common.text import clean_line, clean_text
from aftersales.disputes import handlers, lifecycle
from aftersales.disputes.lifecycle import Action, Status
from aftersales.disputes.models import Dispute, Event, Evidence
from aftersales.disputes.permissions import can_act, can_record_contact
from aftersales.disputes.selectors import reopen_asked
from aftersales.disputes.timeline import record
from aftersales.disputes.timeline_registry import event_kinds
from aftersales.notifications.models import Notification, OutboundMessage
from aftersales.notifications.services import ack_channel, messages_deliver_later, notify_staff
from aftersales.parties.actors import customer_actor
from aftersales.parties.models import Team

from . import reply_templates

TEXT_MAX = 2000
ATTACHMENTS_MAX = 9
VIA_MAX = 20
# A closed dispute takes a message asking to reopen it for this many days after closing.
REOPEN_DAYS = 30
OUTBOUND_TEMPLATE = "staff_reply"  # OutboundMessage.template of a staff reply
# The inbox kinds of a customer's message and of their request to reopen.
NOTE_CUSTOMER_MESSAGE = Notification.Kind.CUSTOMER_MESSAGE
NOTE_REOPEN_REQUESTED = Notification.Kind.REOPEN_REQUESTED


@event_kinds
class MessageKind(TextChoices):
    CUSTOMER_MESSAGE = "customer_message", pgettext_lazy("timeline event", "顾客留言")
    STAFF_REPLY = "staff_reply", pgettext_lazy("timeline event", "回复顾客")
    REOPEN_REQUESTED = (
        lifecycle.REOPEN_REQUESTED,
        pgettext_lazy("timeline event", "顾客申请重新打开"),
    )
    REOPEN_DECLINED = lifecycle.REOPEN_DECLINED, pgettext_lazy("timeline event", "不予重新打开")


def _text(value, field: str, message: str) -> str:
    text = clean_text(value if isinstance(value, str) else "")
    if not text:
        raise ValidationFailed(message, fields={field: _("必须填写")})
    if len(text) > TEXT_MAX:
        raise ValidationFailed(
            message, fields={field: _("不能超过 %(max)d 个字符") % {"max": TEXT_MAX}}
        )
    return text


def _attachments(dispute: Dispute, attachments: Iterable) -> list[int]:
    """Evidence already uploaded to this dispute (rows or ids), at most ATTACHMENTS_MAX."""
    ids: list[int] = []
    for item in attachments or ():
        pk = item.pk if isinstance(item, Evidence) else item
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ValidationFailed(_("留言有误"), fields={"attachments": _("附件须为证据编号")})
        if pk not in ids:
            ids.append(pk)
    if len(ids) > ATTACHMENTS_MAX:
        raise ValidationFailed(
            _("留言有误"),
            fields={"attachments": _("最多附 %(max)d 个文件") % {"max": ATTACHMENTS_MAX}},
        )
    found = set(Evidence.objects.filter(dispute=dispute, pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise ValidationFailed(
            _("留言有误"), fields={"attachments": _("附件须是本投诉已上传的证据")}
        )
    return ids


def team_lead_id(dispute: Dispute) -> int | None:
    """The dispute's team lead; the default team's for a dispute without a team."""
    team = dispute.team if dispute.team_id else Team.objects.filter(is_default=True).first()
    return team.lead_id if team else None


def _note(recipient_id: int | None, dispute: Dispute, *, kind: str, title: str, body: str, at):
    if recipient_id is None:
        return []
    note = Notification(recipient_id=recipient_id, dispute=dispute, kind=kind, created_at=at)
    note.title, note.body = title[:200], body
    return notify_staff([note])


def _refusal(dispute: Dispute, now: dt.datetime) -> Conflict | None:
    """Why a message may not be posted on this dispute, or None."""
    if dispute.status == Status.WITHDRAWN:
        return Conflict(
            _("投诉 %(number)s 已由您撤回，不能再留言；如有新问题，请提交新的投诉。")
            % {"number": dispute.number},
            code="dispute_withdrawn",
        )
    if dispute.status == Status.REJECTED:
        return Conflict(
            _("投诉 %(number)s 未予受理，不能再留言；如有新问题，请提交新的投诉。")
            % {"number": dispute.number},
            code="dispute_rejected",
        )
    if dispute.status == Status.CLOSED:
        closed_at = dispute.closed_at or dispute.updated_at
        if now - closed_at > dt.timedelta(days=REOPEN_DAYS):
            return Conflict(
                _(
                    "投诉 %(number)s 已结案超过 %(days)d 天，不能再留言或申请重新处理；"
                    "如问题仍未解决，请提交新的投诉。"
                )
                % {"number": dispute.number, "days": REOPEN_DAYS},
                code="closed_too_long",
            )
    return None


def reopen_request_pending(dispute: Dispute, *, timeline: list[Event] | None = None) -> bool:
    """Whether the customer asked to reopen the dispute since it was last closed, it is
    still closed and nobody declined: the team lead has a decision to make. `timeline`:
    the dispute's events when already read."""
    if timeline is None:
        return reopen_asked(dispute)
    if dispute.status != Status.CLOSED:
        return False
    answers = [(e.kind, e.at) for e in sorted(timeline, key=lambda e: (e.at, e.pk))]
    return lifecycle.reopen_requested(answers, dispute.closed_at)


def reopen_request_decline(
    *, dispute: Dispute, actor, reason: str, at: dt.datetime | None = None
) -> OutboundMessage:
    """The team lead keeps the dispute closed: a `reopen_declined` event with the reason,
    and the customer is told why (a staff reply). Reopening is the lifecycle's `reopen`.
    Those who may reopen may decline; Conflict when no request is waiting."""
    if not can_act(actor, dispute, Action.REOPEN):
        raise Forbidden(_("您没有权限处理重新打开的申请"))
    why = _text(reason, "reason", _("请填写不予重新打开的理由"))
    if not reopen_request_pending(dispute):
        raise Conflict(_("该投诉没有待处理的重新打开申请"), code="no_reopen_request")
    now = at or timezone.now()
    record(MessageKind.REOPEN_DECLINED, dispute=dispute, actor=actor, reason=why, at=now)
    text = _(
        "您好，您关于投诉 %(number)s 重新处理的申请经核实不予受理，原因：%(reason)s。"
        "如有新的问题，请提交新的投诉。"
    ) % {"number": dispute.number, "reason": why}
    return staff_reply(dispute=dispute, actor=actor, text=text[:TEXT_MAX], at=now)


@transaction.atomic
def customer_message_post(
    *,
    dispute: Dispute,
    customer,
    text: str,
    attachments: Iterable = (),
    via: str = "portal",
    at: dt.datetime | None = None,
) -> Event:
    """The customer's message on their own dispute (`customer`: a parties.Customer); the
    `customer_message` event. Another customer's dispute answers NotFound; text of 1 to
    TEXT_MAX characters (else ValidationFailed on `text`); `attachments`: evidence of
    this dispute (rows or ids). Refused (Conflict) on a rejected or withdrawn dispute and
    on one closed more than REOPEN_DAYS ago; within them a closed dispute also gets a
    reopen request for the team lead (once per closing)."""
    now = at or timezone.now()
    if customer is None or dispute.customer_id != customer.pk:
        raise NotFound(_("找不到投诉 %(number)s") % {"number": dispute.number})
    body = _text(text, "text", _("留言有误"))
    files = _attachments(dispute, attachments)
    locked = (
        Dispute.objects.select_for_update(of=("self",)).select_related("team").get(pk=dispute.pk)
    )
    refusal = _refusal(locked, now)
    if refusal is not None:
        raise refusal
    actor = customer_actor(customer)
    payload = {"message": body, "via": clean_line(str(via or ""))[:VIA_MAX]}
    if files:
        payload["attachments"] = files
    event = record(
        MessageKind.CUSTOMER_MESSAGE, dispute=locked, actor=actor, payload=payload, at=now
    )
    handlers.tell(handlers.EventRecorded(dispute=locked, event=event, at=now))
    excerpt = body if len(body) <= 120 else body[:119] + "…"
    if locked.status == Status.CLOSED:
        _ask_to_reopen(locked, event, actor, excerpt, now)
        return event
    _note(
        locked.assignee_id or team_lead_id(locked),
        locked,
        kind=NOTE_CUSTOMER_MESSAGE,
        title=_("%(number)s 顾客留言") % {"number": locked.number},
        body=excerpt,
        at=now,
    )
    return event


def _ask_to_reopen(dispute: Dispute, message: Event, actor, excerpt: str, now) -> None:
    if reopen_request_pending(dispute):
        # Asked already: the lead hears of the new message, not of a second request.
        _note(
            team_lead_id(dispute),
            dispute,
            kind=NOTE_CUSTOMER_MESSAGE,
            title=_("%(number)s（已结案）顾客再次留言") % {"number": dispute.number},
            body=excerpt,
            at=now,
        )
        return
    closed_at = dispute.closed_at or dispute.updated_at
    record(
        MessageKind.REOPEN_REQUESTED,
        dispute=dispute,
        actor=actor,
        payload={
            "message_event": message.pk,
            "closed_at": timezone.localtime(closed_at).isoformat(),
            "until": timezone.localtime(closed_at + dt.timedelta(days=REOPEN_DAYS)).isoformat(),
        },
        at=now,
    )
    _note(
        team_lead_id(dispute),
        dispute,
        kind=NOTE_REOPEN_REQUESTED,
        title=_("%(number)s 已结案，顾客留言申请重新处理，请决定是否重新打开")
        % {"number": dispute.number},
        body=excerpt,
        at=now,
    )


# -- outbound -----------------------------------------------------------------------------


def template_text(dispute: Dispute, code: str) -> str:
    """Reply template `code` filled in for this dispute (the page pre-fills the box with
    it); ValidationFailed on `template` for an unknown code."""
    if not reply_templates.is_template(code):
        raise ValidationFailed(
            _("回复有误"),
            fields={
                "template": _("未知的回复模板，可选：%(choices)s")
                % {"choices": ", ".join(t.code for t in reply_templates.TEMPLATES)}
            },
        )
    order = dispute.order
    return reply_templates.render(
        code,
        customer_name=dispute.customer.name,
        number=dispute.number,
        store=order.store.name if order is not None else "",
    )


@transaction.atomic
def staff_reply(
    *, dispute: Dispute, actor, text: str, template: str = "", at: dt.datetime | None = None
) -> OutboundMessage:
    """A handler's written reply to the customer: the typed `text`, or, when it is blank,
    the reply template `template` filled in. An OutboundMessage on the customer's channel
    (as the acknowledgement chooses it), delivered by the worker after commit, and a
    `staff_reply` event. Who may contact the customer may reply (Forbidden otherwise)."""
    if not can_record_contact(actor, dispute):
        raise Forbidden(_("您没有权限回复顾客"))
    now = at or timezone.now()
    code = clean_line(template if isinstance(template, str) else "")
    filled = template_text(dispute, code) if code else ""
    typed = clean_text(text if isinstance(text, str) else "")
    body = _text(typed or filled, "text", _("回复有误"))
    locked = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("customer", "order__store")
        .get(pk=dispute.pk)
    )
    customer = locked.customer
    message = OutboundMessage.objects.create(
        dispute=locked,
        customer=customer,
        channel=ack_channel(customer),
        template=OUTBOUND_TEMPLATE,
        subject=_("关于投诉 %(number)s 的回复") % {"number": locked.number},
        body=body,
        params={"reply_template": code} if code else {},
        created_at=now,
    )
    messages_deliver_later([message.pk])
    event = record(
        MessageKind.STAFF_REPLY,
        dispute=locked,
        actor=actor,
        payload={
            "message_id": message.pk,
            "channel": message.channel,
            "subject": message.subject,
            "body": message.body,
            "template": code,
        },
        at=now,
    )
    handlers.tell(handlers.EventRecorded(dispute=locked, event=event, at=now))
    return message
