"""/api/v1/group-complaints and /api/v1/notifications: group-complaint candidates for
team leads, and each user's inbox."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from aftersales.common.errors import NotFound
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notification_mark_read
from aftersales.triage import selectors
from aftersales.triage.corrections import group_complaint_decide

from .schemas import ErrorOut, GroupComplaintOut, GroupDecisionIn, NotificationOut

groups = Router()
inbox = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@groups.get("", response={200: list[GroupComplaintOut], **ERRORS}, summary="集体投诉候选")
def list_group_complaints(request: HttpRequest, state: str | None = None):
    qs = selectors.group_complaints_visible_to(request.auth)
    if state:
        qs = qs.filter(state=state)
    return list(qs.prefetch_related("disputes")[:200])


@groups.post(
    "/{group_id}/decision",
    response={200: GroupComplaintOut, **ERRORS},
    summary="确认或排除集体投诉",
)
def decide_group_complaint(request: HttpRequest, group_id: int, payload: GroupDecisionIn):
    group = selectors.group_complaints_visible_to(request.auth).filter(pk=group_id).first()
    if group is None:
        raise NotFound(_("找不到集体投诉 %(id)s") % {"id": group_id})
    return group_complaint_decide(
        group=group, actor=request.auth, confirm=payload.confirm, reason=payload.reason or ""
    )


@inbox.get("", response={200: list[NotificationOut], **ERRORS}, summary="我的站内通知")
def my_notifications(request: HttpRequest, unread: bool = False):
    qs = Notification.objects.filter(recipient=request.auth).select_related("dispute")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.order_by("-created_at", "-id")[:200])


@inbox.post(
    "/{notification_id}/read", response={200: NotificationOut, **ERRORS}, summary="标为已读"
)
def mark_read(request: HttpRequest, notification_id: int):
    return notification_mark_read(user=request.auth, notification_id=notification_id)
