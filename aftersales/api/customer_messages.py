"""Messages with the customer, both ways (aftersales.intake.customer_messages):

- GET  /api/v1/disputes/{number}/messages: the conversation, for staff who see the dispute;
- GET  /api/v1/disputes/{number}/messages/templates: the reply templates filled in;
- POST /api/v1/disputes/{number}/messages: a staff reply {text, template?} (201);
- GET  /api/v1/disputes/{number}/customer/messages and
  POST /api/v1/disputes/{number}/customer/messages: the customer's side, through their
  link (`X-Customer-Token`, rate limited per client IP as every customer door).

Another dispute's number on a customer link answers 404; bad input is a 422 naming the
field; a message the dispute can no longer take (rejected, withdrawn, closed too long
ago) a 409 saying what to do instead."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Reply

from aftersales.common.errors import NotFound
from aftersales.disputes import selectors
from aftersales.intake import customer_messages as messages
from aftersales.intake import reply_templates
from aftersales.intake.conversation import Entry
from aftersales.intake.conversation import conversation as conversation_of
from aftersales.mediation.models import CustomerAccess

from .customer import LIMITED, CustomerToken
from .schemas import ErrorOut
from .throttling import CUSTOMER_THROTTLES

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class MessageOut(Schema):
    direction: str = Field(..., description="in 顾客留言；out 我方发给顾客的消息")
    at: datetime
    text: str
    author: str
    kind: str = Field(
        ...,
        description="customer_message、proposal_countered（顾客还价），或我方消息的模板"
        "（staff_reply 等）",
    )
    subject: str = ""
    channel: str = ""
    channel_label: str = ""
    state: str = Field("", description="我方消息的发送状态")
    state_label: str = ""
    attachments: list[int] = []


class ReplyIn(Schema):
    text: str | None = Field(None, description=f"回复内容（最多 {messages.TEXT_MAX} 字）")
    template: str | None = Field(
        None,
        description="回复模板编码；text 为空时按模板生成内容",
        json_schema_extra={"enum": [t.code for t in reply_templates.TEMPLATES]},
    )


class CustomerMessageIn(Schema):
    text: str | None = Field(None, description=f"留言内容（必填，最多 {messages.TEXT_MAX} 字）")
    attachments: list[int] = Field([], description="已上传到本投诉的证据编号")


class ReplyTemplateOut(Schema):
    code: str
    label: str
    text: str = Field(..., description="已按本投诉填好的内容")


def _out(entry: Entry, *, for_customer: bool = False) -> dict:
    return {
        "direction": entry.direction,
        "at": entry.at,
        "text": entry.text,
        # The customer reads "客服", never a staff member's name.
        "author": _("客服") if for_customer and entry.direction == "out" else entry.author,
        "kind": entry.kind,
        "subject": entry.subject,
        "channel": entry.channel,
        "channel_label": entry.channel_label,
        "state": entry.state,
        "state_label": entry.state_label,
        "attachments": list(entry.attachments),
    }


def _one(dispute, *, message_id: int | None = None, event_id: int | None = None, **kw) -> dict:
    for entry in conversation_of(dispute):
        if (message_id and entry.message_id == message_id) or (
            event_id and entry.event_id == event_id
        ):
            return _out(entry, **kw)
    raise NotFound(_("找不到该消息"))


@router.get(
    "/{number}/messages",
    response={200: list[MessageOut], **ERRORS},
    summary="与顾客的消息 / The conversation with the customer",
)
def conversation(request: HttpRequest, number: str):
    dispute = selectors.dispute_get(number=number, user=request.auth)
    return [_out(e) for e in conversation_of(dispute)]


@router.get(
    "/{number}/messages/templates",
    response={200: list[ReplyTemplateOut], **ERRORS},
    summary="回复模板 / Reply templates, filled in for this dispute",
)
def templates(request: HttpRequest, number: str):
    dispute = selectors.dispute_get(number=number, user=request.auth)
    return [
        {"code": t["code"], "label": t["label"], "text": messages.template_text(dispute, t["code"])}
        for t in reply_templates.template_choices()
    ]


@router.post(
    "/{number}/messages",
    response={201: MessageOut, **ERRORS},
    summary="回复顾客 / Reply to the customer",
)
def reply(request: HttpRequest, number: str, payload: ReplyIn):
    """Typed text, or a reply template filled in when the text is blank; sent on the
    customer's channel by the worker and written on the timeline (`staff_reply`)."""
    dispute = selectors.dispute_get(number=number, user=request.auth)
    message = messages.staff_reply(
        dispute=dispute,
        actor=request.auth,
        text=payload.text or "",
        template=payload.template or "",
    )
    return Reply(201, _one(dispute, message_id=message.pk))


def _customer_dispute(request: HttpRequest, number: str):
    access = request.auth
    assert isinstance(access, CustomerAccess)
    if access.dispute.number != number:
        raise NotFound(_("找不到投诉 %(number)s") % {"number": number})
    return access.dispute


@router.get(
    "/{number}/customer/messages",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={200: list[MessageOut], **ERRORS, **LIMITED},
    summary="顾客查看消息 / The customer's messages, both ways (X-Customer-Token)",
)
def customer_conversation(request: HttpRequest, number: str):
    dispute = _customer_dispute(request, number)
    return [_out(e, for_customer=True) for e in conversation_of(dispute)]


@router.post(
    "/{number}/customer/messages",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={201: MessageOut, **ERRORS, **LIMITED},
    summary="顾客留言 / The customer writes a message (X-Customer-Token)",
)
def customer_message(request: HttpRequest, number: str, payload: CustomerMessageIn):
    """On a dispute closed less than 30 days ago the message also asks the team lead to
    reopen it; later, or on a rejected or withdrawn dispute, 409 (file a new one)."""
    dispute = _customer_dispute(request, number)
    event = messages.customer_message_post(
        dispute=dispute,
        customer=dispute.customer,
        text=payload.text or "",
        attachments=payload.attachments,
        via="link",
    )
    return Reply(201, _one(dispute, event_id=event.pk, for_customer=True))
