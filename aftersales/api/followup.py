"""/api/v1/disputes/{number}/follow-up: the follow-up visit (回访, SPEC §8) after
execution — the visits due and done with every call made, and recording a call, whose
answers close the dispute (satisfied) or reopen it (unsatisfied, unresolved, refund not
arrived). The closure summary written when the dispute closed comes with it."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja import Status as Reply

from aftersales.disputes import selectors as dispute_selectors
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute
from aftersales.followup import selectors, visits
from aftersales.followup.models import VisitChannel, VisitResult, VisitState

from .schemas import ErrorOut

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
BODY_ERRORS = {400: ErrorOut, **ERRORS}  # 400: a body that is not JSON


class FollowUpIn(Schema):
    reached: bool = Field(..., description="是否联系上顾客；未联系上只记一次尝试，回访仍待完成")
    resolved: bool | None = Field(None, description="问题是否已解决（联系上时必填）")
    refund_arrived: bool | None = Field(
        None, description="退款/赔付是否到账（有退款时联系上必填；没有退款时不填）"
    )
    satisfaction: int | None = Field(None, description="满意度，1 到 5 的整数（联系上时必填）")
    comment: str = Field("", max_length=2000, description="顾客意见")
    channel: str = Field(
        ...,
        description="回访方式",
        json_schema_extra={"enum": list(VisitChannel.values)},
    )


class CallOut(Schema):
    at: dt.datetime
    reached: bool
    channel: str
    channel_label: str
    comment: str
    by: str


class VisitOut(Schema):
    id: int
    state: str
    state_label: str
    due_at: dt.datetime
    overdue: bool
    reached: bool
    resolved: bool | None
    refund_arrived: bool | None
    satisfaction: int | None
    comment: str
    channel: str
    result: str
    result_label: str
    attempts: int  # calls that did not reach the customer
    last_attempt_at: dt.datetime | None
    recorded_by: str | None
    recorded_at: dt.datetime | None
    created_at: dt.datetime
    calls: list[CallOut]


class FollowUpOut(Schema):
    number: str
    status: str
    status_label: str
    version: int
    reopen_count: int
    # Whether a refund or compensation is to arrive: the call then asks refund_arrived.
    refund_expected: bool
    visits: list[VisitOut]
    # The closure summary event's payload (outcome, money by after-sale type, days open,
    # deadlines missed) once the dispute closed; null before.
    closure_summary: dict | None


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value else ""


def _call(event) -> dict:
    payload = event.payload or {}
    return {
        "at": event.at,
        "reached": bool(payload.get("reached")),
        "channel": payload.get("channel", ""),
        "channel_label": _label(VisitChannel, payload.get("channel", "")),
        "comment": payload.get("comment", ""),
        "by": event.actor_label or (event.actor.get_username() if event.actor_id else ""),
    }


def _visit(visit, calls, now: dt.datetime) -> dict:
    return {
        "id": visit.pk,
        "state": visit.state,
        "state_label": _label(VisitState, visit.state),
        "due_at": visit.due_at,
        "overdue": visit.state == VisitState.DUE and visit.due_at < now,
        "reached": visit.reached,
        "resolved": visit.resolved,
        "refund_arrived": visit.refund_arrived,
        "satisfaction": visit.satisfaction,
        "comment": visit.comment,
        "channel": visit.channel,
        "result": visit.result,
        "result_label": _label(VisitResult, visit.result),
        "attempts": visit.attempts,
        "last_attempt_at": visit.last_attempt_at,
        "recorded_by": visit.recorded_by.get_username() if visit.recorded_by_id else None,
        "recorded_at": visit.recorded_at,
        "created_at": visit.created_at,
        "calls": [_call(e) for e in calls.get(visit.pk, [])],
    }


def _follow_up(dispute) -> dict:
    dispute = Dispute.objects.get(pk=dispute.pk)  # as it is now (a record may move it)
    found = selectors.dispute_follow_up(dispute)
    now = timezone.now()
    return {
        "number": dispute.number,
        "status": dispute.status,
        "status_label": str(Status(dispute.status).label),
        "version": dispute.version,
        "reopen_count": dispute.reopen_count,
        "refund_expected": found.refund_expected,
        "visits": [_visit(v, found.calls, now) for v in found.visits],
        "closure_summary": found.closure_summary.payload if found.closure_summary else None,
    }


@router.get(
    "/{number}/follow-up",
    response={200: FollowUpOut, **ERRORS},
    summary="回访 / Follow-up visits",
)
def get_follow_up(request: HttpRequest, number: str):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    return _follow_up(dispute)


@router.post(
    "/{number}/follow-up",
    response={201: FollowUpOut, **BODY_ERRORS},
    summary="登记回访 / Record a follow-up call",
)
def record_follow_up(request: HttpRequest, number: str, payload: FollowUpIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    visits.followup_record(
        dispute=dispute,
        actor=request.auth,
        reached=payload.reached,
        resolved=payload.resolved,
        refund_arrived=payload.refund_arrived,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
        channel=payload.channel,
    )
    return Reply(201, _follow_up(dispute))
