"""运费险 (return-shipping insurance, SPEC §7): a return of an order bought with it is
insured (`AfterSaleOrder.shipping_insurance`, set when the order is made; exchanges never
are). When the return's refund succeeds the insurer's payout is expected within 72 hours
(settings.SHIPPING_INSURANCE_PAYOUT_HOURS): `shipping_insurance_expected`, which starts
the SLA `shipping_insurance` clock of the order and the daily check. The insurer pays by
its own tariff, not what the return actually cost the customer: finance records what it
paid (`insurance_payout_record`, `shipping_insurance_paid`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.money import format_yuan, parse_yuan
from aftersales.common.text import clean_line
from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import may
from aftersales.sla.timers import timers_on_events

from . import rules
from .models import AfterSaleOrder
from .steps import lock_order
from .timeline import FulfilmentKind, order_event

REFERENCE_MAX = 100


def insurance_expected(
    locked: AfterSaleOrder, *, refunded_at: dt.datetime, actor, at: dt.datetime
) -> bool:
    """The insured return's refund succeeded: the insurer's payout is due. Inside the
    payout's transaction, on the locked order. Once per order (a refund paid again after a
    bounce keeps the first due date). Whether it was started."""
    if not locked.shipping_insurance or locked.insurance_paid_at or locked.insurance_expected_by:
        return False
    due = rules.insurance_payout_due(refunded_at=refunded_at)
    AfterSaleOrder.objects.filter(pk=locked.pk).update(insurance_expected_by=due)
    locked.insurance_expected_by = due
    event = order_event(
        FulfilmentKind.SHIPPING_INSURANCE_EXPECTED,
        locked,
        actor=actor,
        at=at,
        data={"expected_by": due.isoformat(), "refunded_at": refunded_at.isoformat()},
    )
    event.save()
    timers_on_events(locked.dispute, [event], at)  # the order's 运费险 clock (idempotent)
    return True


@transaction.atomic
def insurance_payout_record(
    *, order: AfterSaleOrder, amount, reference: str, actor, at: dt.datetime | None = None
) -> AfterSaleOrder:
    """The insurer paid the return postage (its tariff, not the customer's receipt):
    amount, the claim's reference, when. Once per order (409 twice); an order without
    运费险 has nothing to record (409)."""
    locked = lock_order(order)
    if not may(actor, Op.PAY_OUT, locked.dispute):
        raise Forbidden(_("您没有登记运费险理赔的权限"))
    if not locked.shipping_insurance:
        raise Conflict(_("该售后单没有运费险"), code="no_shipping_insurance")
    if locked.insurance_paid_at is not None:
        raise Conflict(
            _("运费险已于 %(when)s 理赔（理赔单号 %(reference)s），不能重复登记")
            % {
                "when": timezone.localtime(locked.insurance_paid_at).strftime("%Y-%m-%d %H:%M"),
                "reference": locked.insurance_reference,
            },
            code="insurance_already_paid",
        )
    value = parse_yuan(amount, field="amount", allow_zero=False)
    reference = clean_line(reference or "")[:REFERENCE_MAX]
    if not reference:
        message = _("请填写理赔单号")
        raise ValidationFailed(message, code="reference_required", fields={"reference": message})
    now = at or timezone.now()
    locked.insurance_amount = value
    locked.insurance_paid_at = now
    locked.insurance_reference = reference
    locked.updated_at = now
    locked.version += 1
    locked.save(
        update_fields=[
            "insurance_amount",
            "insurance_paid_at",
            "insurance_reference",
            "updated_at",
            "version",
        ]
    )
    late = locked.insurance_expected_by is not None and now > locked.insurance_expected_by
    event = order_event(
        FulfilmentKind.SHIPPING_INSURANCE_PAID,
        locked,
        actor=actor,
        at=now,
        data={"amount": format_yuan(value), "reference": reference, "late": late},
    )
    event.save()
    timers_on_events(locked.dispute, [event], now)
    return locked
