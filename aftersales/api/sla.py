"""/api/v1/disputes/{number}/timers: a dispute's SLA timers, and pausing them while the
dispute waits on the customer."""

from django.http import HttpRequest
from ninja import Router, Schema

from aftersales.disputes import selectors as dispute_selectors
from aftersales.sla import selectors, timers
from aftersales.sla.selectors import TimerView  # the response shape, one definition

from .schemas import ErrorOut

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class PauseIn(Schema):
    reason: str = ""


@router.get(
    "/{number}/timers", response={200: list[TimerView], **ERRORS}, summary="时限计时 / SLA timers"
)
def list_timers(request: HttpRequest, number: str):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    return selectors.timer_views(dispute)


@router.post(
    "/{number}/timers/pause",
    response={200: list[TimerView], 400: ErrorOut, **ERRORS},
    summary="等待顾客，暂停计时 / Pause while waiting on the customer",
)
def pause_timers(request: HttpRequest, number: str, payload: PauseIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    timers.timers_pause(dispute=dispute, actor=request.auth, reason=payload.reason)
    return selectors.timer_views(dispute)


@router.post(
    "/{number}/timers/resume",
    response={200: list[TimerView], 400: ErrorOut, **ERRORS},
    summary="恢复计时 / Resume",
)
def resume_timers(request: HttpRequest, number: str, payload: PauseIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    timers.timers_resume(dispute=dispute, actor=request.auth, reason=payload.reason)
    return selectors.timer_views(dispute)
