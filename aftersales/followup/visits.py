"""The follow-up visit (回访, SPEC §8), written here only.

- When a dispute's execution is complete (lifecycle `complete`, executing → follow_up) a
  visit is due within 24 hours: the SLA's `follow_up` timer's deadline (`visit_open`).
- `followup_record` records one call: not reached, it is an attempt and the visit stays
  due; reached, the answers (resolved? refund arrived? satisfaction 1–5, comment) close
  the dispute when the customer is satisfied — resolved, satisfaction 3 or more, the
  refund arrived or there was none — and reopen it otherwise, with the reason built
  from the answers (the reopen count rises; the SLA restarts its timers).
- A visit still due when the dispute leaves follow-up another way (the customer's
  confirmation, a withdrawal, staff reopening it) is cancelled (`visits_cancel`).

Who records it: the dispute's handlers (agents, team leads) and admins — the people who
talk to the customer (Op.RECORD_FOLLOW_UP), who may also close and reopen it. A
supervisor's call-backs are spot checks of closed cases, not this visit."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales.common.text import clean_text
from aftersales.disputes.lifecycle import Action, Status
from aftersales.disputes.models import Dispute
from aftersales.disputes.permissions import Op, may
from aftersales.disputes.services import dispute_apply
from aftersales.disputes.timeline import record
from aftersales.fulfilment import flows
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.parties.actors import SYSTEM, customer_actor, user_of
from aftersales.sla.models import Timer

from .models import FollowUpVisit, VisitChannel, VisitResult, VisitState
from .timeline import SATISFIED, UNSATISFIED, FollowUpKind

DUE_AFTER = dt.timedelta(hours=24)  # SPEC §4, when the SLA has no follow_up timer
FOLLOW_UP_TIMER = "follow_up"
COMMENT_MAX = 2000
SATISFIED_FROM = 3  # 3 to 5 is satisfied (the lifecycle's closing guard agrees)


def can_record_follow_up(actor, dispute: Dispute | None = None) -> bool:
    """The people who talk to the customer: the dispute's handlers and admins."""
    return may(actor, Op.RECORD_FOLLOW_UP, dispute)


def refund_expected(dispute_id: int, orders: list[AfterSaleOrder] | None = None) -> bool:
    """Whether the dispute has money to arrive with the customer: an after-sale order
    that pays out (refund, compensation in money, price difference, …) and was not
    cancelled or failed, or any order that paid something already. `orders`: the
    dispute's after-sale orders when already read."""
    if orders is None:
        orders = list(
            AfterSaleOrder.objects.filter(dispute_id=dispute_id).only(
                "state", "type", "compensation_form", "paid_amount"
            )
        )
    ended = (flows.State.CANCELLED, flows.State.FAILED)
    return any((o.paid_amount or 0) > 0 for o in orders) or any(
        flows.pays_out(o.type, o.compensation_form) for o in orders if o.state not in ended
    )


def _due_at(dispute: Dispute, at: dt.datetime) -> dt.datetime:
    """The SLA's follow-up deadline when it runs one (it started on the same action,
    before this), else 24 hours."""
    due = (
        Timer.objects.filter(
            dispute=dispute, kind__code=FOLLOW_UP_TIMER, subject="", state__in=Timer.LIVE
        )
        .values_list("due_at", flat=True)
        .first()
    )
    return due or at + DUE_AFTER


def visit_open(dispute: Dispute, *, at: dt.datetime) -> FollowUpVisit | None:
    """A visit due for a dispute whose execution is complete (none if one is due)."""
    if FollowUpVisit.objects.filter(dispute=dispute, state=VisitState.DUE).exists():
        return None
    visit = FollowUpVisit.objects.create(
        dispute=dispute, due_at=_due_at(dispute, at), created_at=at
    )
    record(
        FollowUpKind.FOLLOW_UP_DUE,
        dispute_id=dispute.pk,
        actor_label="system",
        payload={"visit": visit.pk, "due_at": visit.due_at.isoformat()},
        at=at,
    )
    return visit


def visits_cancel(dispute: Dispute, *, action: str, at: dt.datetime) -> int:
    """Cancel the visit still due of a dispute that left follow-up by `action`."""
    cancelled = 0
    for visit in FollowUpVisit.objects.filter(dispute=dispute, state=VisitState.DUE):
        visit.state = VisitState.CANCELLED
        visit.cancel_reason = action
        visit.save(update_fields=["state", "cancel_reason"])
        record(
            FollowUpKind.FOLLOW_UP_CANCELLED,
            dispute_id=dispute.pk,
            actor_label="system",
            payload={"visit": visit.pk, "action": action},
            at=at,
        )
        cancelled += 1
    return cancelled


def _satisfaction_problem(satisfaction: Any) -> str | None:
    if satisfaction is None:
        return None
    if isinstance(satisfaction, bool) or not isinstance(satisfaction, int):
        return _("满意度必须是 1 到 5 的整数")
    if not 1 <= satisfaction <= 5:
        return _("满意度必须是 1 到 5 的整数")
    return None


def _problems(
    *,
    reached: Any,
    resolved: Any,
    refund_arrived: Any,
    satisfaction: Any,
    channel: Any,
    comment: str,
) -> dict[str, str]:
    """What is wrong with a record, field by field (refund_arrived is judged later,
    against the dispute's orders)."""
    fields: dict[str, str] = {}
    if channel not in VisitChannel.values:
        fields["channel"] = _("未知的回访方式，可选：%(choices)s") % {
            "choices": "、".join(VisitChannel.values)
        }
    if not isinstance(reached, bool):
        fields["reached"] = _("请说明是否联系上顾客（true 或 false）")
        return fields
    problem = _satisfaction_problem(satisfaction)
    if problem:
        fields["satisfaction"] = problem
    if len(comment) > COMMENT_MAX:
        fields["comment"] = _("不能超过 %(max)s 个字符") % {"max": COMMENT_MAX}
    if not reached:
        answered = _("未联系上顾客时不能记录顾客的回答")
        for name, value in (
            ("resolved", resolved),
            ("refund_arrived", refund_arrived),
            ("satisfaction", satisfaction),
        ):
            if value is not None and name not in fields:
                fields[name] = answered
        return fields
    if not isinstance(resolved, bool):
        fields["resolved"] = _("请记录问题是否已解决（true 或 false）")
    if satisfaction is None:
        fields["satisfaction"] = _("请记录顾客的满意度（1 到 5 的整数）")
    if refund_arrived is not None and not isinstance(refund_arrived, bool):
        fields["refund_arrived"] = _("应为 true 或 false")
    return fields


def _visit_due(dispute: Dispute) -> tuple[Dispute, FollowUpVisit | None]:
    """The dispute and its visit due, both locked (in this order, as everywhere); no
    visit when none is due or the dispute is no longer at follow-up."""
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    visit = (
        FollowUpVisit.objects.select_for_update()
        .filter(dispute=locked, state=VisitState.DUE)
        .first()
    )
    return locked, (visit if locked.status == Status.FOLLOW_UP else None)


def _refuse(fields: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(
        _("回访记录有误：%(fields)s") % {"fields": "、".join(fields)}, fields=fields
    )


def followup_record(
    *,
    dispute: Dispute,
    actor,
    reached: bool,
    resolved: bool | None = None,
    refund_arrived: bool | None = None,
    satisfaction: int | None = None,
    comment: str = "",
    channel: str,
    at: dt.datetime | None = None,
) -> FollowUpVisit:
    """Record one follow-up call on the visit due (see the module). Refused, with nothing
    changed: 403 to who may not, 422 naming each wrong field, 409 `no_follow_up_due`
    when the dispute is not waiting for a visit; a close or reopen the lifecycle (or an
    app following it) refuses rolls the whole record back."""
    if not can_record_follow_up(actor, dispute):
        raise Forbidden(_("您没有登记回访的权限"))
    comment = clean_text(comment or "")
    fields = _problems(
        reached=reached,
        resolved=resolved,
        refund_arrived=refund_arrived,
        satisfaction=satisfaction,
        channel=channel,
        comment=comment,
    )
    if fields:
        raise _refuse(fields)
    now = at or timezone.now()
    with transaction.atomic():
        locked, visit = _visit_due(dispute)
        if visit is None:
            raise Conflict(
                _("投诉 %(number)s 当前没有待回访的记录（状态：%(status)s）")
                % {"number": locked.number, "status": locked.get_status_display()},
                code="no_follow_up_due",
            )
        with_refund = refund_expected(locked.pk)
        if reached and with_refund and refund_arrived is None:
            raise _refuse({"refund_arrived": _("本投诉有退款或赔付，请记录是否已到账")})
        if reached and not with_refund and refund_arrived is not None:
            raise _refuse({"refund_arrived": _("本投诉没有需要到账的退款或赔付")})
        if not reached:
            return _attempt(locked, visit, actor=actor, channel=channel, comment=comment, at=now)
        return _answered(
            locked,
            visit,
            actor=actor,
            resolved=resolved,
            refund_arrived=refund_arrived,
            satisfaction=satisfaction,
            comment=comment,
            channel=channel,
            at=now,
        )


def customer_rating(
    *,
    dispute: Dispute,
    customer,
    satisfaction: int,
    comment: str = "",
    at: dt.datetime | None = None,
) -> FollowUpVisit:
    """The customer's own answer to the follow-up, in the portal while the visit is due:
    a score of 1–5 and a comment. It is the visit's record (channel 顾客门户): satisfied
    (3 or more) closes the dispute, unsatisfied reopens it, as a call would; whether the
    money arrived is the customer's own confirmation on the after-sale order, not asked
    again here. Another customer's dispute: 404; nothing due: 409."""
    if dispute.customer_id != getattr(customer, "pk", None):
        raise NotFound(_("找不到该投诉"))
    comment = clean_text(comment or "")
    fields = {}
    if satisfaction is None:
        fields["satisfaction"] = _("请选择满意度（1 到 5 分）")
    elif (problem := _satisfaction_problem(satisfaction)) is not None:
        fields["satisfaction"] = problem
    if len(comment) > COMMENT_MAX:
        fields["comment"] = _("评价不能超过 %(n)d 个字") % {"n": COMMENT_MAX}
    if fields:
        raise _refuse(fields)
    now = at or timezone.now()
    actor = customer_actor(customer)
    with transaction.atomic():
        locked, visit = _visit_due(dispute)
        if visit is None:
            raise Conflict(
                _("这件投诉现在不需要评价（处理完成后我们会请您评价）"), code="no_follow_up_due"
            )
        return _answered(
            locked,
            visit,
            actor=actor,
            resolved=satisfaction >= SATISFIED_FROM,
            refund_arrived=None,
            satisfaction=satisfaction,
            comment=comment,
            channel=VisitChannel.PORTAL,
            at=now,
            mover=SYSTEM,
        )


def _attempt(
    dispute: Dispute, visit: FollowUpVisit, *, actor, channel: str, comment: str, at
) -> FollowUpVisit:
    visit.attempts += 1
    visit.last_attempt_at = at
    visit.save(update_fields=["attempts", "last_attempt_at"])
    record(
        FollowUpKind.FOLLOW_UP_RECORDED,
        dispute_id=dispute.pk,
        actor=actor,
        at=at,
        payload={
            "visit": visit.pk,
            "reached": False,
            "attempt": visit.attempts,
            "channel": channel,
            "comment": comment,
        },
    )
    return visit


def _answered(
    dispute: Dispute,
    visit: FollowUpVisit,
    *,
    actor,
    resolved: bool,
    refund_arrived: bool | None,
    satisfaction: int,
    comment: str,
    channel: str,
    at,
    mover=None,
) -> FollowUpVisit:
    """The visit answered; the dispute closed or reopened by `mover` (the recorder, or the
    system on a customer's own answer: customers apply no such step themselves)."""
    mover = actor if mover is None else mover
    problems = [
        code
        for code, found in (
            ("unresolved", not resolved),
            ("refund_not_arrived", refund_arrived is False),
            ("unsatisfied", satisfaction < SATISFIED_FROM),
        )
        if found
    ]
    visit.state = VisitState.DONE
    visit.reached = True
    visit.resolved = resolved
    visit.refund_arrived = refund_arrived
    visit.satisfaction = satisfaction
    visit.comment = comment
    visit.channel = channel
    visit.result = VisitResult.REOPENED if problems else VisitResult.CLOSED
    visit.recorded_by = user_of(actor)
    visit.recorded_at = at
    visit.save()
    answers = {
        "visit": visit.pk,
        "reached": True,
        "resolved": resolved,
        "refund_arrived": refund_arrived,
        "satisfaction": satisfaction,
        "channel": channel,
        "comment": comment,
        "attempts": visit.attempts + 1,
        "result": visit.result,
        "problems": problems,
    }
    record(
        FollowUpKind.FOLLOW_UP_RECORDED, dispute_id=dispute.pk, actor=actor, at=at, payload=answers
    )
    record_payload = {
        "follow_up": visit.pk,
        "satisfaction": satisfaction,
        "resolved": resolved,
        "refund_arrived": refund_arrived,
    }
    if problems:
        dispute_apply(
            dispute=dispute,
            action=Action.REOPEN,
            actor=mover,
            version=dispute.version,
            reason=UNSATISFIED(problems=",".join(problems), satisfaction=satisfaction),
            payload={**record_payload, "problems": problems},
            at=at,
        )
    else:
        dispute_apply(
            dispute=dispute,
            action=Action.CLOSE,
            actor=mover,
            version=dispute.version,
            reason=SATISFIED(satisfaction=satisfaction),
            payload=record_payload,
            at=at,
        )
    return visit
