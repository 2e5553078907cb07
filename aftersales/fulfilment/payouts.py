"""Finance's money on an after-sale order (SPEC §7): the payout to the customer (a
refund, a compensation) with its reference and expected arrival by channel, a payout that
bounced, what the customer pays for an exchange to a dearer item (买家应补), and the
confirmation that the money arrived. Finance approval itself is
`aftersale_orders.aftersale_step(action="finance_approve")`.

A payout is recorded once per idempotency key: the same key again returns the payout it
recorded and writes nothing, even after the order moved on. Two finance users confirming
one payout at once make one payout: the order's row lock serialises them, and the partial
unique index `payout_one_live_per_order` stands behind it; the second is told
`already_paid`. A bounced payout stays, marked, and its key stays spent: paying again
takes a new key. A retry under a key with another amount is refused (422), not answered
with the payout as though it had been made."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.money import format_yuan, parse_yuan
from aftersales.common.text import clean_line, clean_text
from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import may
from aftersales.parties.actors import is_customer, is_system, label_of, user_of
from aftersales.parties.models import Order

from . import flows, invariants, rules
from .flows import Action
from .insurance import insurance_expected
from .models import AfterSaleOrder, Payout
from .steps import apply_move, lock_order, may_step, step_error
from .timeline import FulfilmentKind, order_event

REFERENCE_MAX = 100
KEY_MAX = 100
DEFAULT_DAYS_WITHOUT_RULE = 3

ARRIVAL_CONFIRMED = FulfilmentKind.REFUND_ARRIVAL_CONFIRMED


def _required(value: str, field: str, message: str) -> None:
    if not value:
        raise ValidationFailed(message, code=f"{field}_required", fields={field: message})


def _key(raw) -> str:
    key = clean_line(str(raw or ""))
    _required(key, "idempotency_key", _("请提供幂等键（同一笔打款重试时使用同一个键）"))
    if len(key) > KEY_MAX:
        message = _("幂等键不能超过 %(max)d 个字符") % {"max": KEY_MAX}
        raise ValidationFailed(message, fields={"idempotency_key": message})
    return key


def _reference(raw) -> str:
    reference = clean_line(str(raw or ""))[:REFERENCE_MAX]
    _required(reference, "reference", _("请填写打款流水号"))
    return reference


def _recorded(key: str, order: AfterSaleOrder) -> Payout | None:
    """The payout already recorded under `key`; a key used for another order is a 409."""
    found = Payout.objects.filter(idempotency_key=key).first()
    if found is not None and found.aftersale_order_id != order.pk:
        raise Conflict(
            _("该幂等键已用于另一张售后单的打款"),
            code="idempotency_key_reused",
            extra={"idempotency_key": key},
        )
    return found


def _replayed(found: Payout, amount) -> Payout:
    """The payout a retry under its key answers with. A retry is the same request: an
    amount other than the one paid under the key is refused (422 naming the key), never
    answered as though it had been paid."""
    if amount is None or amount == "":
        return found
    value = parse_yuan(amount, field="amount")
    if value != found.amount:
        message = _(
            "该幂等键已用于一笔 %(paid)s 元的打款，不能用于 %(amount)s 元；"
            "不同的打款请使用新的幂等键"
        ) % {"paid": format_yuan(found.amount), "amount": format_yuan(value)}
        raise ValidationFailed(
            message,
            code="idempotency_key_mismatch",
            fields={"idempotency_key": message},
            extra={"payout": found.pk, "amount": format_yuan(found.amount)},
        )
    return found


def _live(order: AfterSaleOrder, direction: str) -> Payout | None:
    return Payout.objects.filter(
        aftersale_order=order, direction=direction, state=Payout.State.PAID
    ).first()


def _already_paid(payout: Payout) -> Conflict:
    return Conflict(
        _("该售后单已登记打款 %(amount)s 元（流水号 %(reference)s），不能重复打款")
        % {"amount": format_yuan(payout.amount), "reference": payout.reference},
        code="already_paid",
        extra={"payout": payout.pk, "reference": payout.reference},
    )


def _lock(order: AfterSaleOrder, key: str, action: Action, actor, version: int | None):
    """Permission, then the order locked; (locked, the payout already recorded under
    the key or None). The key is looked at again once the lock is held: a retry that
    waited for the first attempt's lock finds its payout."""
    if not may_step(actor, order, action):
        raise Forbidden(_("您没有权限执行该售后操作"))
    if (found := _recorded(key, order)) is not None:
        return order, found
    locked = lock_order(order)
    if (found := _recorded(key, locked)) is not None:
        return locked, found
    if version is not None:
        lock_order(locked, version=version)  # a 409 naming both versions when they differ
    return locked, None


def _judge(locked: AfterSaleOrder, action: Action, direction: str) -> None:
    """Before anything is written: a payout already made is `already_paid`; a move the
    order's flow does not allow now is the flow's own 409."""
    try:
        flows.decide(locked.type, locked.variant, locked.compensation_form, locked.state, action)
    except flows.StepError as exc:
        live = _live(locked, direction)
        if live is not None:
            raise _already_paid(live) from None
        raise step_error(exc) from None


def _create(**values) -> Payout:
    """The payout row; the partial unique index refuses a second live one (a race the
    row lock did not serialise), answered as `already_paid`."""
    try:
        with transaction.atomic():
            return Payout.objects.create(**values)
    except IntegrityError:
        found = _recorded(values["idempotency_key"], values["aftersale_order"])
        if found is not None:
            return found
        live = _live(values["aftersale_order"], values["direction"])
        if live is not None:
            raise _already_paid(live) from None
        raise


def _arrival(locked: AfterSaleOrder, channel: str, paid_at: dt.datetime) -> dict:
    """expected_from / expected_by / expected_rule of a payout sent through `channel`."""
    try:
        found = rules.refund_arrival(channel=channel, paid_at=paid_at)
    except rules.NoArrivalRule:
        deadline = locked.deadline_at
        if deadline is not None and deadline > paid_at:
            return {
                "expected_from": paid_at,
                "expected_by": deadline,
                "expected_rule": _("该渠道无标准到账时间，按约定期限"),
            }
        return {
            "expected_from": paid_at,
            "expected_by": paid_at + dt.timedelta(days=DEFAULT_DAYS_WITHOUT_RULE),
            "expected_rule": _("该渠道无标准到账时间，按约定 %(days)d 天内")
            % {"days": DEFAULT_DAYS_WITHOUT_RULE},
        }
    return {
        "expected_from": found.earliest,
        "expected_by": found.expected_by,
        "expected_rule": found.rule,
    }


@transaction.atomic
def payout_record(
    *,
    order: AfterSaleOrder,
    reference: str,
    idempotency_key: str,
    actor,
    amount=None,
    channel: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Payout:
    """Finance paid the customer (`record_payout`: 待打款 → done, or → 待发退货地址 for a
    refund paid before the return): exactly what remains of the order (another amount:
    422 naming `amount`), its bank or platform reference (流水号), the channel (default:
    the order's payment channel) and so the expected arrival range."""
    key = _key(idempotency_key)
    locked, found = _lock(order, key, Action.RECORD_PAYOUT, actor, version)
    if found is not None:
        return _replayed(found, amount)
    reference = _reference(reference)
    channel = clean_line(channel or "") or locked.payment_channel
    if channel and channel not in Order.PaymentChannel.values:
        message = _("无效的取值，可选：%(choices)s") % {
            "choices": ", ".join(Order.PaymentChannel.values)
        }
        raise ValidationFailed(message, fields={"channel": message})
    _judge(locked, Action.RECORD_PAYOUT, Payout.Direction.TO_CUSTOMER)
    due = invariants.remaining(locked)
    value = due if amount is None or amount == "" else parse_yuan(amount, field="amount")
    invariants.check_payout(locked, value)
    now = at or timezone.now()
    payout = _create(
        aftersale_order=locked,
        direction=Payout.Direction.TO_CUSTOMER,
        amount=value,
        channel=channel,
        reference=reference,
        idempotency_key=key,
        paid_at=now,
        recorded_by=user_of(actor),
        recorded_at=now,
    )
    arrival = _arrival(locked, channel, now)
    apply_move(
        locked,
        Action.RECORD_PAYOUT,
        actor=actor,
        at=now,
        data={
            "payout": payout.pk,
            "amount": format_yuan(value),
            "reference": reference,
            "channel": channel,
            "expected_from": arrival["expected_from"].isoformat(),
            "expected_by": arrival["expected_by"].isoformat(),
            "expected_rule": str(arrival["expected_rule"]),
        },
        fields={
            "paid_amount": invariants.fen(locked.paid_amount) + value,
            "payment_channel": channel,
            "arrival_confirmed_at": None,
            "arrival_confirmed_by": "",
            **arrival,
        },
    )
    insurance_expected(locked, refunded_at=now, actor=actor, at=now)
    return payout


@transaction.atomic
def payout_bounce(
    *,
    order: AfterSaleOrder,
    reason: str,
    actor,
    version: int | None = None,
    at: dt.datetime | None = None,
) -> AfterSaleOrder:
    """The refund came back (退款被退回: a closed card, a wrong account): the payout is
    marked bounced with why, the order's paid amount goes back, and the order returns to
    finance (待财审) with the reason, to be approved and paid again."""
    reason = clean_text(reason or "")[:500]
    _required(reason, "reason", _("请填写退款被退回的原因"))
    locked = lock_order(order, version=version)
    live = _live(locked, Payout.Direction.TO_CUSTOMER)
    if live is None:
        if not may_step(actor, locked, Action.BOUNCE):
            raise Forbidden(_("您没有权限执行该售后操作"))
        raise Conflict(_("该售后单没有已登记的打款，无从退回"), code="not_paid")
    now = at or timezone.now()
    paid = max(invariants.fen(locked.paid_amount) - live.amount, invariants.ZERO)
    apply_move(
        locked,
        Action.BOUNCE,
        actor=actor,
        at=now,
        reason=reason,
        data={
            "payout": live.pk,
            "amount": format_yuan(live.amount),
            "reference": live.reference,
            "bounced": format_yuan(live.amount),
        },
        fields={
            "paid_amount": paid,
            "expected_from": None,
            "expected_by": None,
            "expected_rule": "",
            "arrival_confirmed_at": None,
            "arrival_confirmed_by": "",
        },
    )
    live.state = Payout.State.BOUNCED
    live.bounced_at = now
    live.bounce_reason = reason
    live.save(update_fields=["state", "bounced_at", "bounce_reason"])
    return locked


@transaction.atomic
def customer_payment_record(
    *,
    order: AfterSaleOrder,
    amount,
    reference: str,
    idempotency_key: str,
    actor,
    at: dt.datetime | None = None,
) -> Payout:
    """The customer paid the difference of an exchange to a dearer item (买家应补,
    `collect_payment`, before anything ships): exactly what they owe (another amount, or
    a negative one: 422 naming `amount`), with its reference. Idempotent by key."""
    key = _key(idempotency_key)
    locked, found = _lock(order, key, Action.COLLECT_PAYMENT, actor, None)
    if found is not None:
        return _replayed(found, amount)
    value = parse_yuan(amount, field="amount", allow_zero=False)
    reference = _reference(reference)
    _judge(locked, Action.COLLECT_PAYMENT, Payout.Direction.FROM_CUSTOMER)
    invariants.check_customer_payment(locked, value)
    now = at or timezone.now()
    dispute_order = locked.dispute.order if locked.dispute.order_id else None
    channel = dispute_order.payment_channel if dispute_order is not None else ""
    payout = _create(
        aftersale_order=locked,
        direction=Payout.Direction.FROM_CUSTOMER,
        amount=value,
        channel=channel,
        reference=reference,
        idempotency_key=key,
        paid_at=now,
        recorded_by=user_of(actor),
        recorded_at=now,
    )
    apply_move(
        locked,
        Action.COLLECT_PAYMENT,
        actor=actor,
        at=now,
        data={"payout": payout.pk, "customer_paid": format_yuan(value), "reference": reference},
        fields={"customer_paid_at": now},
    )
    return payout


def _may_confirm(actor, order: AfterSaleOrder) -> bool:
    if is_system(actor):
        return True
    if is_customer(actor):
        return actor.customer_id == order.dispute.customer_id
    return may(actor, Op.RECORD_EXECUTION, order.dispute)


@transaction.atomic
def arrival_confirm(
    *, order: AfterSaleOrder, actor, at: dt.datetime | None = None
) -> AfterSaleOrder:
    """The refund reached the customer: the customer says so, or staff, or the
    follow-up visit. Only on an order with a payout that has not bounced (409
    `not_paid`); once (409 `already_confirmed`)."""
    locked = lock_order(order)
    if not _may_confirm(actor, locked):
        raise Forbidden(_("您没有权限确认该退款到账"))
    live = _live(locked, Payout.Direction.TO_CUSTOMER)
    if live is None:
        raise Conflict(_("该售后单还没有打款，不能确认到账"), code="not_paid")
    if locked.arrival_confirmed_at is not None:
        raise Conflict(
            _("已于 %(when)s 由 %(who)s 确认到账，不能重复确认")
            % {
                "when": timezone.localtime(locked.arrival_confirmed_at).strftime("%Y-%m-%d %H:%M"),
                "who": locked.arrival_confirmed_by,
            },
            code="already_confirmed",
        )
    now = at or timezone.now()
    locked.arrival_confirmed_at = now
    locked.arrival_confirmed_by = label_of(actor)[:100]
    locked.updated_at = now
    locked.version += 1
    locked.save(
        update_fields=["arrival_confirmed_at", "arrival_confirmed_by", "updated_at", "version"]
    )
    late = locked.expected_by is not None and now > locked.expected_by
    order_event(
        ARRIVAL_CONFIRMED,
        locked,
        actor=actor,
        at=now,
        data={
            "payout": live.pk,
            "amount": format_yuan(live.amount),
            "paid_at": live.paid_at.isoformat(),
            "late": late,
        },
    ).save()
    return locked
