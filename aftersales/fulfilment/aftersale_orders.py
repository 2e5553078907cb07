"""Creating after-sale orders (售后单, SPEC §7): one per agreed remedy line when the
customer accepts a proposal (`aftersale_orders_from_agreement`, called by mediation), or
by hand for a remedy agreed outside a proposal, with a reason (`aftersale_order_create`);
cancelling one with a reason. Each new order is an `aftersale_state` event (action
"create"), which starts its SLA clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.money import InvalidAmount, parse_yuan
from aftersales.common.text import clean_text
from aftersales.disputes.grants import Op
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.permissions import may
from aftersales.parties.actors import SYSTEM, user_of
from aftersales.sla.timers import timers_on_events

from . import flows, invariants, platform
from .flows import AfterSaleType, CompensationForm, Variant
from .models import AfterSaleOrder
from .steps import apply_move, lock_order, sync_tasks
from .timeline import aftersale_state_event


@dataclass(frozen=True)
class AgreedLine:
    """One agreed remedy line, as mediation hands it over (its codes already mapped to
    an after-sale type)."""

    line: int  # its index in the agreed revision's remedies
    remedy_code: str
    type: str
    amount: Decimal | None = None
    customer_pays: Decimal | None = None
    deadline_days: int | None = None
    variant: str = ""
    compensation_form: str = ""
    kept: tuple[str, ...] = ()
    note: str = ""


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        message = _("无效的取值，可选：%(choices)s") % {"choices": ", ".join(choices.values)}
        raise ValidationFailed(message, fields={field: message})
    return value


def _money(raw, field: str) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        return parse_yuan(raw)
    except InvalidAmount:
        message = _("金额应为不小于 0、最多两位小数的数字（元）")
        raise ValidationFailed(message, fields={field: message}) from None


def _next_numbers(dispute: Dispute, count: int) -> list[str]:
    taken = AfterSaleOrder.objects.filter(dispute=dispute).count()
    return [f"{dispute.number}-{taken + i:02d}" for i in range(1, count + 1)]


def _new_order(dispute: Dispute, number: str, *, now: dt.datetime, actor, **values):
    type_ = values["type"]
    variant = values.get("variant", "")
    form = values.get("compensation_form", "")
    customer_pays = values.get("customer_pays")
    state = flows.first_state(type_, variant, form, customer_owes=bool(customer_pays))
    order = AfterSaleOrder(
        number=number,
        dispute=dispute,
        state=state,
        department=flows.DEPARTMENT_OF_STATE[state] or "",
        platform_status=platform.platform_status(
            type_, state, from_platform=dispute.channel == "platform"
        ),
        payment_channel=(
            dispute.order.payment_channel
            if dispute.order_id and flows.pays_out(type_, form)
            else ""
        ),
        order_line=values.pop("order_line", None),
        # 运费险 covers returns of an insured order, never exchanges (SPEC §7).
        shipping_insurance=bool(
            type_ == AfterSaleType.RETURN_REFUND
            and dispute.order_id
            and dispute.order.return_shipping_insurance
        ),
        created_by=user_of(actor),
        created_at=now,
        updated_at=now,
        **values,
    )
    return order


@transaction.atomic
def aftersale_orders_from_agreement(
    *,
    dispute: Dispute,
    agreement_id: int,
    lines: Sequence[AgreedLine],
    actor,
    at: dt.datetime | None = None,
) -> list[AfterSaleOrder]:
    """The after-sale orders of an accepted proposal's agreement, one per line that has
    something to carry out (an apology or usage guidance has none). Idempotent: lines
    already made are not made again."""
    now = at or timezone.now()
    locked = (
        Dispute.objects.select_for_update(of=("self",)).select_related("order").get(pk=dispute.pk)
    )
    made = set(
        AfterSaleOrder.objects.filter(agreement_id=agreement_id).values_list(
            "remedy_line", flat=True
        )
    )
    todo = [line for line in lines if line.line not in made]
    numbers = _next_numbers(locked, len(todo))
    orders = []
    for number, line in zip(numbers, todo, strict=True):
        deadline = now + dt.timedelta(days=line.deadline_days) if line.deadline_days else None
        order = _new_order(
            locked,
            number,
            now=now,
            actor=actor,
            type=line.type,
            variant=line.variant,
            compensation_form=line.compensation_form,
            agreement_id=agreement_id,
            remedy_line=line.line,
            remedy_code=line.remedy_code,
            amount=line.amount,
            customer_pays=line.customer_pays or None,
            kept=list(line.kept),
            note=line.note[:500],
            deadline_at=deadline,
            expected_by=deadline,
            expected_rule=_("方案约定期限") if deadline else "",
        )
        orders.append(order)
    invariants.check_new(locked, orders)
    events = []
    for order in orders:
        order.save()
        events.append(aftersale_state_event(order, action="create", source="", actor=actor, at=now))
    Event.objects.bulk_create(events)
    if orders:
        timers_on_events(locked, events, now)  # each order's first clock
        sync_tasks(locked, now)
    return orders


@transaction.atomic
def aftersale_order_create(
    *,
    dispute: Dispute,
    type: str,
    actor,
    reason: str,
    amount=None,
    customer_pays=None,
    variant: str = "",
    compensation_form: str = "",
    replacement: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """An after-sale order by hand, for a remedy agreed outside a proposal: needs a
    reason, a dispute being executed (or in follow-up), and the same money rules."""
    if not may(actor, Op.RECORD_EXECUTION, dispute):
        raise Forbidden(_("您没有登记售后单的权限"))
    reason = clean_text(reason or "").strip()
    if not reason:
        message = _("手工登记售后单必须说明原因（方案之外约定的解决办法）")
        raise ValidationFailed(message, code="reason_required", fields={"reason": message})
    _choice(type, AfterSaleType, "type")
    _choice(variant, Variant, "variant")
    if compensation_form:
        _choice(compensation_form, CompensationForm, "compensation_form")
    value = _money(amount, "amount")
    owes = _money(customer_pays, "customer_pays")
    if flows.pays_out(type, compensation_form) and not value:
        message = _("请填写金额（元）")
        raise ValidationFailed(message, fields={"amount": message})
    now = at or timezone.now()
    locked = (
        Dispute.objects.select_for_update(of=("self",)).select_related("order").get(pk=dispute.pk)
    )
    if locked.status not in (Status.EXECUTING, Status.FOLLOW_UP):
        raise Conflict(
            _("只有执行中或回访中的投诉可以登记售后单（当前：%(status)s）")
            % {"status": locked.get_status_display()},
            code="dispute_not_executing",
        )
    (number,) = _next_numbers(locked, 1)
    order = _new_order(
        locked,
        number,
        now=now,
        actor=actor,
        type=type,
        variant=variant,
        compensation_form=compensation_form,
        amount=value,
        customer_pays=owes or None,
        replacement=clean_text(replacement)[:200],
        note=clean_text(note)[:500],
        reason=reason[:500],
    )
    invariants.check_new(locked, [order])
    return _created(locked, order, actor=actor, at=now, reason=reason)


def _created(dispute: Dispute, order: AfterSaleOrder, *, actor, at, reason: str):
    """Save a new order made by hand or by the system: its `create` event on the
    timeline, its first clock, its department's task."""
    order.save()
    event = aftersale_state_event(
        order, action="create", source="", actor=actor, at=at, reason=reason
    )
    event.save()
    timers_on_events(dispute, [event], at)
    sync_tasks(dispute, at)
    return order


@transaction.atomic
def aftersale_cancel(
    *, order: AfterSaleOrder, actor, reason: str, version: int | None = None, at=None
) -> AfterSaleOrder:
    """Cancel an open order with a reason (the customer changed their mind, agreed
    otherwise…). Cancelling the last open order of an executing dispute completes it."""
    locked = lock_order(order, version=version)
    return apply_move(
        locked, flows.Action.CANCEL, actor=actor, at=at, reason=clean_text(reason or "")
    )


@transaction.atomic
def aftersale_step(
    *,
    order: AfterSaleOrder,
    action: str,
    actor,
    version: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """A move that records nothing but itself and a note: finance approval, starting a
    repair. The moves that record more have their own services (a delivery marks the
    parcel: `goods.delivery_confirm`)."""
    simple = {flows.Action.FINANCE_APPROVE, flows.Action.START_REPAIR}
    if action not in simple:
        raise ValidationFailed(
            _("该操作需要通过专门的接口登记"), fields={"action": _("该操作需要通过专门的接口登记")}
        )
    locked = lock_order(order, version=version)
    # The note is the move's reason on the timeline (shown beside it).
    return apply_move(locked, action, actor=actor, at=at, reason=clean_text(note)[:500])


def paid_difference_refund(order: AfterSaleOrder, *, at: dt.datetime) -> AfterSaleOrder | None:
    """An exchange the customer paid a price difference for (买家应补) that ended failed
    or cancelled: what they paid goes back to them, as a refund order of its own (已发货
    仅退款, finance approves and pays it). None when nothing was collected."""
    collected = invariants.collected(order.pk)
    if order.type != AfterSaleType.EXCHANGE or not collected:
        return None
    dispute = Dispute.objects.select_related("order").get(pk=order.dispute_id)
    reason = _("换货未完成（售后单 %(number)s），退还顾客补付的差价 %(amount)s 元") % {
        "number": order.number,
        "amount": f"{collected:.2f}",
    }
    (number,) = _next_numbers(dispute, 1)
    refund = _new_order(
        dispute,
        number,
        now=at,
        actor=SYSTEM,
        type=AfterSaleType.REFUND_SHIPPED,
        amount=collected,
        reason=reason,
    )
    return _created(dispute, refund, actor=SYSTEM, at=at, reason=reason)
