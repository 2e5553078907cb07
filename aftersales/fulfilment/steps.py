"""The one applier of after-sale order moves (`flows.decide` judges them): lock the order,
check its version and the actor's permission, move it, write its `aftersale_state` event,
keep the departments' tasks in step, and when the order finishes carry the dispute on —
`complete` once every order of it is done or cancelled, `renegotiate` (back to
mediation) when one failed. Every service of this app that moves an order calls
`apply_move`; each is one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from aftersales.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales.disputes import handlers
from aftersales.disputes.grants import Op
from aftersales.disputes.lifecycle import Action as DisputeAction
from aftersales.disputes.lifecycle import Owner, Status
from aftersales.disputes.models import Dispute, Task
from aftersales.disputes.permissions import may
from aftersales.disputes.services import dispute_apply
from aftersales.parties.actors import SYSTEM, is_customer
from aftersales.sla.timers import timers_on_events

from . import flows, platform
from .flows import Action, State
from .models import AfterSaleOrder
from .timeline import aftersale_state_event

# Who may take each step (the customer's own steps are CUSTOMER_STEPS).
OP_OF_ACTION: dict[Action, Op] = {
    Action.FINANCE_APPROVE: Op.PAY_OUT,
    Action.RECORD_PAYOUT: Op.PAY_OUT,
    Action.BOUNCE: Op.PAY_OUT,
    Action.COLLECT_PAYMENT: Op.PAY_OUT,
    Action.SEND_RETURN_ADDRESS: Op.RECORD_EXECUTION,
    Action.RETURN_SHIP: Op.RECORD_EXECUTION,
    Action.RECEIVE: Op.TRACK_PARCEL,
    Action.INSPECT: Op.INSPECT_GOODS,
    Action.START_REPAIR: Op.INSPECT_GOODS,
    Action.RECORD_REPAIR: Op.INSPECT_GOODS,
    Action.SHIP: Op.TRACK_PARCEL,
    Action.CONFIRM_DELIVERY: Op.RECORD_EXECUTION,
    Action.ISSUE: Op.ISSUE_COUPON,
    Action.OUT_OF_STOCK: Op.TRACK_PARCEL,
    Action.CANCEL: Op.RECORD_EXECUTION,
}
# Steps the customer takes themselves (the portal, or the customer's API door).
CUSTOMER_STEPS: frozenset[Action] = frozenset({Action.RETURN_SHIP, Action.CONFIRM_DELIVERY})

TASK_KIND_PREFIX = "aftersale_"
TASK_TITLES = {
    "finance": "售后单待财务处理（审核、打款、补款）",
    "customer_service": "售后单待客服跟进（退货地址、催促寄回）",
    "logistics": "售后单待物流处理（收货、发货、签收）",
    "quality_control": "售后单待质检（验货、维修）",
    "operations": "售后单待运营发券",
}

STEP_MESSAGES = {
    "unknown_action": lambda p: _("未知的售后操作：%(action)s") % p,
    "reason_required": lambda p: _("请填写原因"),
    "order_finished": lambda p: _("该售后单已结束，不能再操作"),
    "step_not_allowed": lambda p: _not_allowed(p),
    "outcome_required": lambda p: _("请说明结果（通过/未通过，已修复/未修复）"),
    "return_not_moving": lambda p: _("顾客的退货包裹还没有物流轨迹，暂不能先行发出换货"),
}


def _not_allowed(params: dict) -> str:
    """The step refused in words: the order's state, the step, what it takes now."""
    words = {
        "state": State(params["state"]).label,
        "action": Action(params["action"]).label,
        "allowed": pgettext("list separator", "、").join(
            str(Action(a).label) for a in params["allowed"]
        )
        or _("无"),
    }
    return _("售后单当前为“%(state)s”，不能“%(action)s”；现在可以：%(allowed)s") % words


STEP_FIELDS = {"reason_required": "reason", "outcome_required": "outcome"}


def step_error(exc: flows.StepError) -> ValidationFailed | Conflict:
    message = STEP_MESSAGES.get(exc.code, lambda p: exc.code)(exc.params)
    if exc.code in STEP_FIELDS:
        field = STEP_FIELDS[exc.code]
        return ValidationFailed(message, code=exc.code, fields={field: message})
    return Conflict(message, code=exc.code, extra=exc.params or None)


def may_step(actor, order: AfterSaleOrder, action: Action) -> bool:
    if is_customer(actor):
        return action in CUSTOMER_STEPS and actor.customer_id == order.dispute.customer_id
    return may(actor, OP_OF_ACTION[action], order.dispute)


def lock_order(order: AfterSaleOrder | int, *, version: int | None = None) -> AfterSaleOrder:
    """The order locked for update (with its dispute read), checked against `version`
    when given: someone else's change in between is a 409, never lost."""
    pk = order if isinstance(order, int) else order.pk
    try:
        locked = (
            AfterSaleOrder.objects.select_for_update(of=("self",))
            .select_related("dispute")
            .get(pk=pk)
        )
    except AfterSaleOrder.DoesNotExist:
        raise NotFound(_("找不到该售后单")) from None
    if version is not None and locked.version != version:
        raise Conflict(
            _(
                "售后单 %(number)s 已被他人修改（当前版本 %(current)d，"
                "您提交的是 %(sent)d），请刷新后重试"
            )
            % {"number": locked.number, "current": locked.version, "sent": version},
            code="version_conflict",
            extra={"current_version": locked.version},
        )
    return locked


def apply_move(
    locked: AfterSaleOrder,
    action: Action | str,
    *,
    actor,
    at: dt.datetime | None = None,
    reason: str = "",
    outcome: bool | None = None,
    facts: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
) -> AfterSaleOrder:
    """Move a locked order (`lock_order`) by `action`: permission, the flow's judgement,
    the new state and department, `fields` set on the order, one timeline event with
    `data`, the departments' tasks, and the dispute carried on when the order finishes.
    Call inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("apply_move runs inside the transaction of its service")
    try:
        action = Action(action)
    except ValueError:
        raise step_error(flows.StepError("unknown_action", {"action": action})) from None
    if not may_step(actor, locked, action):
        raise Forbidden(_("您没有权限执行该售后操作"))
    if not locked.dispute.is_open:
        raise Conflict(_("已结束的投诉不能再操作售后单"), code="dispute_closed")
    try:
        move = flows.decide(
            locked.type,
            locked.variant,
            locked.compensation_form,
            locked.state,
            action,
            outcome=outcome,
            reason=reason,
            facts=facts,
        )
    except flows.StepError as exc:
        raise step_error(exc) from None
    now = at or timezone.now()
    source = locked.state
    locked.state = move.target
    locked.department = flows.DEPARTMENT_OF_STATE[move.target] or ""
    locked.platform_status = platform.platform_status(
        locked.type, move.target, from_platform=locked.dispute.channel == "platform"
    )
    locked.updated_at = now
    locked.version += 1
    if move.target == State.DONE:
        locked.completed_at = now
    elif move.target in (State.CANCELLED, State.FAILED):
        locked.cancel_reason = reason.strip()[:500]
    elif source == State.DONE:  # a bounce reopens it
        locked.completed_at = None
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
    locked.save()
    event = aftersale_state_event(
        locked,
        action=action.value,
        source=source,
        actor=actor,
        at=now,
        reason=reason.strip(),
        data=dict(data or {}),
    )
    event.save()
    timers_on_events(locked.dispute, [event], now)  # the order's own clocks (its subject)
    sync_tasks(locked.dispute, now)
    if move.target in flows.FINAL:
        refund = None
        if move.target in (State.CANCELLED, State.FAILED) and locked.customer_paid_at:
            from .aftersale_orders import paid_difference_refund  # it moves orders too

            refund = paid_difference_refund(locked, at=now)
        carry_dispute_on(locked, actor=actor, at=now, keep=refund)
    elif source in flows.FINAL:
        resume_dispute(locked, at=now, reason=reason.strip())
    return locked


def resume_dispute(order: AfterSaleOrder, *, at: dt.datetime, reason: str) -> None:
    """An order open again (a refund bounced) on a dispute already completed: the
    dispute is executed again (`resume`); its follow-up visit waits for the next
    completion."""
    dispute = Dispute.objects.get(pk=order.dispute_id)
    if dispute.status != Status.FOLLOW_UP:
        return
    dispute_apply(
        dispute=dispute,
        action=DisputeAction.RESUME,
        actor=SYSTEM,
        version=dispute.version,
        reason=_("售后单 %(number)s 重新打开：%(reason)s")
        % {"number": order.number, "reason": reason},
        payload={"aftersale_order": order.pk, "number": order.number},
        at=at,
        via=Owner.FULFILMENT,
    )


def sync_tasks(dispute: Dispute, at: dt.datetime) -> None:
    """One open task per department that must act on an open order of the dispute (its
    people see the dispute through it, SPEC §1); tasks no order needs any more are done."""
    needed = {
        d
        for d in AfterSaleOrder.objects.filter(
            dispute=dispute, state__in=[s.value for s in flows.OPEN]
        ).values_list("department", flat=True)
        if d
    }
    open_tasks = {
        t.department: t
        for t in Task.objects.filter(
            dispute=dispute, kind__startswith=TASK_KIND_PREFIX, state=Task.State.OPEN
        )
    }
    Task.objects.filter(pk__in=[t.pk for d, t in open_tasks.items() if d not in needed]).update(
        state=Task.State.DONE
    )
    added = [
        Task.objects.create(
            dispute=dispute,
            department=department,
            kind=f"{TASK_KIND_PREFIX}{department}",
            title=TASK_TITLES[department],
        )
        for department in sorted(needed - set(open_tasks))
    ]
    if added:
        handlers.tell(handlers.TasksCreated(dispute=dispute, tasks=tuple(added), at=at))


def carry_dispute_on(
    order: AfterSaleOrder, *, actor, at: dt.datetime, keep: AfterSaleOrder | None = None
) -> None:
    """An order finished. Failed: the dispute goes back to mediation (`renegotiate`), its
    other open orders of the same agreement cancelled with the reason (but `keep`: the
    refund of what the customer paid for it). Otherwise, once no order of the dispute is
    open, the dispute is complete (`complete`, the follow-up visit next)."""
    dispute = Dispute.objects.get(pk=order.dispute_id)
    if dispute.status != Status.EXECUTING:
        return
    if order.state == State.FAILED:
        # Back to mediation first: the siblings' cancelling below then finds the
        # dispute no longer executing (else the last one would complete it).
        dispute_apply(
            dispute=dispute,
            action=DisputeAction.RENEGOTIATE,
            actor=SYSTEM,
            version=dispute.version,
            reason=_("售后单 %(number)s 未能执行：%(reason)s")
            % {"number": order.number, "reason": order.cancel_reason},
            payload={"aftersale_order": order.pk, "number": order.number},
            at=at,
            via=Owner.FULFILMENT,
        )
        siblings = (
            AfterSaleOrder.objects.select_for_update()
            .filter(
                dispute_id=order.dispute_id,
                agreement_id=order.agreement_id,
                state__in=[s.value for s in flows.OPEN],
            )
            .exclude(pk=keep.pk if keep else None)
        )
        for sibling in siblings:
            apply_move(
                sibling,
                Action.CANCEL,
                actor=SYSTEM,
                at=at,
                reason=_("售后单 %(number)s 未能执行，方案退回调解：%(reason)s")
                % {"number": order.number, "reason": order.cancel_reason},
            )
        return
    still_open = AfterSaleOrder.objects.filter(
        dispute_id=order.dispute_id, state__in=[s.value for s in flows.OPEN]
    ).exists()
    if still_open:
        return
    dispute_apply(
        dispute=dispute,
        action=DisputeAction.COMPLETE,
        actor=SYSTEM,
        version=dispute.version,
        reason=_("全部售后单已完成"),
        payload={"by": "fulfilment"},
        at=at,
    )


def open_orders_of(dispute_id: int) -> list[str]:
    """The numbers of the dispute's after-sale orders still open."""
    return list(
        AfterSaleOrder.objects.filter(
            dispute_id=dispute_id, state__in=[s.value for s in flows.OPEN]
        ).values_list("number", flat=True)
    )
