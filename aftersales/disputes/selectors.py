"""Reads of disputes, always through the permission scope; and what intake reads."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound, ValidationFailed
from aftersales.parties.models import OrderLine, Team
from aftersales.parties.selectors import task_departments_of

from . import lifecycle
from .lifecycle import OPEN, Status
from .models import Channel, Dispute, Event, Task
from .permissions import scope_disputes
from .search import search
from .taxonomy import SEVERITY_RANK, Category, Severity

QUERY_MAX = 200


def is_storable(text: str) -> bool:
    """Whether a database may compare this text (no NUL, no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Most urgent first: open before ended, the most severe, the earliest due (none last),
# the oldest. Written as the expressions of the index `dispute_queue_order_idx`, so both
# databases read a page in index order instead of sorting every match ("due_at ASC NULLS
# LAST" is not how SQLite orders an index: it sorted all 100,000 rows for each page).
QUEUE_ORDER = (
    F("is_open").desc(),
    F("severity_rank").desc(),
    IsNull(F("due_at"), True).asc(),
    F("due_at").asc(),
    F("received_at").asc(),
    F("id").asc(),
)


def disputes_visible_to(user) -> QuerySet[Dispute]:
    return scope_disputes(user, Dispute.objects.all())


# 即将超时: a running clock due within this many minutes (the queue's countdown turns
# amber then: workbench.js, data-risk-minutes).
AT_RISK_MINUTES = 60
ASSIGNEE_KEYWORDS = ("me", "none")


def _check_choice(fields: dict, name: str, value, allowed, label: str) -> None:
    if value and value not in allowed:
        fields[name] = _("未知的%(label)s“%(value)s”（可选：%(choices)s）") % {
            "label": label,
            "value": str(value)[:40],
            "choices": "、".join(allowed),
        }


def _validate(user, *, status, category, severity, channel, team, assignee, q) -> None:
    fields: dict[str, str] = {}
    _check_choice(fields, "status", status, [s.value for s in Status], _("状态"))
    _check_choice(fields, "category", category, [c.value for c in Category], _("分类"))
    _check_choice(fields, "severity", severity, [s.value for s in Severity], _("严重程度"))
    _check_choice(fields, "channel", channel, list(Channel.values), _("渠道"))
    if team and not (is_storable(team) and Team.objects.filter(code=team).exists()):
        fields["team"] = _("小组 %(code)s 不存在") % {"code": str(team).replace("\x00", "")[:40]}
    if (
        assignee
        and assignee not in ASSIGNEE_KEYWORDS
        and not (
            is_storable(assignee) and get_user_model().objects.filter(username=assignee).exists()
        )
    ):
        fields["assignee"] = _("用户 %(name)s 不存在（可用 me、none 或用户名）") % {
            "name": str(assignee).replace("\x00", "")[:40]
        }
    if q and len(q) > QUERY_MAX:
        fields["q"] = _("搜索词不能超过 %(max)d 个字符") % {"max": QUERY_MAX}
    if fields:
        raise ValidationFailed(_("查询条件有误"), fields=fields)


def dispute_queue(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    channel: str | None = None,
    team: str | None = None,
    assignee: str | None = None,
    breaching: bool = False,
    at_risk: bool = False,
    escalation_risk: bool = False,
    needs_review: bool = False,
    my_department: bool = False,
    open_only: bool = False,
    q: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Dispute]:
    """The disputes a user may see, filtered, most urgent first: open before ended, then
    severity, then the nearest due time, then the oldest.

    team: a team code; assignee: "me", "none" or a username; breaching: a running clock
    past due (Dispute.due_at is the earliest due time of the running clocks); at_risk: a
    running clock due within AT_RISK_MINUTES; needs_review: 待复核 (classification
    confidence below NEEDS_REVIEW_BELOW, not yet confirmed by a person); my_department:
    an open department task for one of the user's departments; q: search
    (aftersales.disputes.search). An unknown value raises ValidationFailed naming it."""
    _validate(
        user,
        status=status,
        category=category,
        severity=severity,
        channel=channel,
        team=team,
        assignee=assignee,
        q=q,
    )
    now = now or timezone.now()
    qs = disputes_visible_to(user)
    # A status decides is_open and a severity its rank (the services write them
    # together). Saying them too puts equalities on the leading columns of the queue's
    # order, so an index is read in order from the first matching row (otherwise
    # PostgreSQL walked past every more severe dispute and SQLite sorted every match).
    if status:
        qs = qs.filter(status=status, is_open=status in OPEN)
    if open_only:
        qs = qs.filter(is_open=True)
    if category:
        qs = qs.filter(category=category)
    if severity:
        qs = qs.filter(severity=severity, severity_rank=SEVERITY_RANK[Severity(severity)])
    if channel:
        qs = qs.filter(channel=channel)
    if team:
        qs = qs.filter(team__code=team)
    if assignee:
        if assignee == "me":
            qs = qs.filter(assignee=user)
        elif assignee == "none":
            qs = qs.filter(assignee__isnull=True)
        else:
            qs = qs.filter(assignee__username=assignee)
    if breaching:
        qs = qs.filter(is_open=True, due_at__lt=now)
    if at_risk:
        qs = qs.filter(
            is_open=True, due_at__gte=now, due_at__lt=now + dt.timedelta(minutes=AT_RISK_MINUTES)
        )
    if escalation_risk:
        qs = qs.filter(escalation_risk=True)
    if needs_review:
        qs = qs.filter(needs_review=True)
    if my_department:
        departments = sorted(task_departments_of(user))
        open_tasks = Task.objects.filter(
            dispute=OuterRef("pk"), department__in=departments, state=Task.State.OPEN
        )
        qs = qs.filter(Exists(open_tasks)) if departments else qs.none()
    qs = search(qs, q)
    return qs.select_related("customer", "assignee", "team").order_by(*QUEUE_ORDER)


def dispute_get(*, number: str, user) -> Dispute:
    if "\x00" in number:  # no number has one, and PostgreSQL refuses to compare it
        raise NotFound(_("找不到投诉 %(number)s") % {"number": number.replace("\x00", "")})
    # No ORDER BY (a number is unique) and the original's number as a scalar subquery,
    # not a self-join of every column: on PostgreSQL, which plans every execution (custom
    # plans), planning this statement took 12 ms with both, under 5 without (issue 13).
    original = Dispute.objects.filter(pk=OuterRef("duplicate_of_id")).values("number")[:1]
    found = (
        disputes_visible_to(user)
        .select_related("customer", "order", "order__store", "product", "assignee", "team")
        .annotate(duplicate_number=Subquery(original))
        .filter(number=number)[:1]
    )
    dispute = next(iter(found), None)
    if dispute is None:
        raise NotFound(_("找不到投诉 %(number)s") % {"number": number})
    return dispute


def reopen_asked(dispute: Dispute) -> bool:
    """Whether the customer's request to reopen the closed dispute waits for the team
    lead (`lifecycle.reopen_requested`)."""
    if dispute.status != Status.CLOSED:
        return False
    kinds = (lifecycle.REOPEN_REQUESTED, lifecycle.REOPEN_DECLINED)
    answers = (
        Event.objects.filter(dispute=dispute, kind__in=kinds)
        .order_by("at", "id")
        .values_list("kind", "at")
    )
    return lifecycle.reopen_requested(answers, dispute.closed_at)


def dispute_timeline(dispute: Dispute) -> QuerySet[Event]:
    return dispute.events.select_related("actor").order_by("at", "id")


def dispute_for_creator(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_related(
        "customer", "order", "assignee", "team", "duplicate_of"
    ).get(pk=dispute.pk)


def order_line_named(order_id: int, product_name: str) -> tuple[int, Decimal] | None:
    """The line of a several-line order that a complaint names by its product: (product
    id, what was paid for it), when exactly one line's product has that name (or the
    name is a part of exactly one line's product name, or contains it). The law counts
    the price paid for the goods complained of, not the order's total (legal.md R06)."""
    name = (product_name or "").strip().casefold()
    if not name:
        return None
    lines = list(
        OrderLine.objects.filter(order_id=order_id).values_list(
            "product_id", "product__name", "paid", "unit_price", "quantity"
        )
    )

    def paid_of(row) -> Decimal:
        return row[2] if row[2] is not None else row[3] * row[4]

    exact = [r for r in lines if r[1].strip().casefold() == name]
    if len(exact) != 1:
        exact = [r for r in lines if name in r[1].casefold() or r[1].casefold() in name]
    if len({r[0] for r in exact}) != 1:
        return None
    return exact[0][0], sum((paid_of(r) for r in exact), Decimal("0.00"))
