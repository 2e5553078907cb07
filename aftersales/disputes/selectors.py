"""Reads of disputes, always through the permission scope."""

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.common.text import search_form

from .models import Dispute, Event
from .permissions import scope_disputes

QUEUE_ORDER = (
    F("is_open").desc(),
    F("severity_rank").desc(),
    F("due_at").asc(nulls_last=True),
    F("received_at").asc(),
    F("id").asc(),
)


def disputes_visible_to(user) -> QuerySet[Dispute]:
    return scope_disputes(user, Dispute.objects.all())


def dispute_queue(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    channel: str | None = None,
    assignee: str | None = None,
    q: str | None = None,
) -> QuerySet[Dispute]:
    """The disputes a user may see, filtered, most urgent first: open before ended, then
    severity, then the nearest due time, then the oldest."""
    qs = disputes_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if severity:
        qs = qs.filter(severity=severity)
    if channel:
        qs = qs.filter(channel=channel)
    if assignee:
        if assignee == "me":
            qs = qs.filter(assignee=user)
        elif assignee == "none":
            qs = qs.filter(assignee__isnull=True)
        else:
            qs = qs.filter(assignee__username=assignee)
    if q and q.strip():
        qs = qs.filter(search_text__contains=search_form(q.strip()))
    return qs.select_related("customer", "assignee", "team").order_by(*QUEUE_ORDER)


def dispute_get(*, number: str, user) -> Dispute:
    if "\x00" in number:  # no number has one, and PostgreSQL refuses to compare it
        raise NotFound(_("找不到投诉 %(number)s") % {"number": number.replace("\x00", "")})
    dispute = (
        disputes_visible_to(user)
        .select_related("customer", "order", "order__store", "assignee", "team", "duplicate_of")
        .filter(number=number)
        .first()
    )
    if dispute is None:
        raise NotFound(_("找不到投诉 %(number)s") % {"number": number})
    return dispute


def dispute_timeline(dispute: Dispute) -> QuerySet[Event]:
    return dispute.events.select_related("actor").order_by("at", "id")


def dispute_for_creator(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_related(
        "customer", "order", "assignee", "team", "duplicate_of"
    ).get(pk=dispute.pk)
