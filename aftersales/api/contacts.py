"""The contact log (联系记录) and internal notes (内部备注) of a dispute:
POST /api/v1/disputes/{number}/contacts and /notes, each answering 201 with the event
written on the timeline. The services are `aftersales.disputes.contacts`'."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from aftersales.disputes import selectors
from aftersales.disputes.contacts import (
    NOTE_MAX,
    OUTCOME_MAX,
    SUMMARY_MAX,
    ContactChannel,
    ContactDirection,
    contact_record,
    note_add,
)

from .schemas import ErrorOut, EventOut

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ContactIn(Schema):
    channel: str = Field(
        ...,
        description="联系方式：phone 电话、sms 短信、chat 在线聊天、email 电子邮件、"
        "in_person 当面、other 其他",
        json_schema_extra={"enum": ContactChannel.values},
    )
    direction: str = Field(
        ...,
        description="outbound 我方联系顾客；inbound 顾客联系我方",
        json_schema_extra={"enum": ContactDirection.values},
    )
    summary: str = Field(..., description=f"谈了什么（必填，最多 {SUMMARY_MAX} 字）")
    outcome: str = Field("", description=f"结果，如“顾客同意寄回”（最多 {OUTCOME_MAX} 字）")
    at: datetime | None = Field(
        None, description="联系发生的时间（带时区，不早于受理、不晚于现在）；不填为现在"
    )


class NoteIn(Schema):
    text: str = Field(..., description=f"内部备注（仅员工可见，最多 {NOTE_MAX} 字）")


@router.post(
    "/{number}/contacts",
    response={201: EventOut, **ERRORS},
    summary="记录与顾客的联系 / Record a contact with the customer",
)
def record_contact(request: HttpRequest, number: str, payload: ContactIn):
    """One call or message with the customer on the timeline (`customer_contacted`);
    the first one stops the first-contact clock."""
    dispute = selectors.dispute_get(number=number, user=request.auth)
    event = contact_record(
        dispute=dispute,
        actor=request.auth,
        channel=payload.channel,
        direction=payload.direction,
        summary=payload.summary,
        outcome=payload.outcome,
        at=payload.at,
    )
    return Reply(201, event)


@router.post(
    "/{number}/notes",
    response={201: EventOut, **ERRORS},
    summary="添加内部备注 / Add an internal note",
)
def add_note(request: HttpRequest, number: str, payload: NoteIn):
    """A note for staff only (`internal_note`); no customer door shows it."""
    dispute = selectors.dispute_get(number=number, user=request.auth)
    return Reply(201, note_add(dispute=dispute, actor=request.auth, text=payload.text))
