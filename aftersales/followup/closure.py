"""The closure summary (结案小结, issue 12 item 6): when a dispute closes, one timeline
event says how it closed, what was carried out for how much money by after-sale type,
how long it was open and which deadlines it missed — what a supervisor spot-checking
closed cases (SPEC §8) reads first, and what the monthly totals count."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum

from aftersales.common.money import format_yuan
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import new_event
from aftersales.fulfilment import flows
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.sla.models import Timer

from .timeline import FollowUpKind

ZERO = Decimal("0.00")


class Outcome:
    """How the dispute closed (the summary's `outcome`)."""

    FOLLOW_UP_SATISFIED = "follow_up_satisfied"  # the follow-up visit's record
    CUSTOMER_CONFIRMED = "customer_confirmed"  # the customer's own confirmation
    ESCALATION_OUTCOME = "escalation_outcome"  # the outside body's outcome


def outcome_of(close: Event) -> str:
    payload = close.payload or {}
    if close.from_status == Status.ESCALATED:
        return Outcome.ESCALATION_OUTCOME
    if payload.get("follow_up"):
        return Outcome.FOLLOW_UP_SATISFIED
    if payload.get("customer_confirmed") is True:
        return Outcome.CUSTOMER_CONFIRMED
    # A satisfied record given through the actions endpoint (no visit of ours).
    return Outcome.FOLLOW_UP_SATISFIED


def money_by_type(dispute_id: int) -> dict:
    """Per after-sale type: the orders carried out (done) and their agreed amount, and the
    money actually paid to the customer (payouts not bounced, on any order: a refund paid
    first stays paid even if the return then failed)."""
    rows = (
        AfterSaleOrder.objects.filter(dispute_id=dispute_id)
        .values("type")
        .annotate(
            done=Count("pk", filter=Q(state=flows.State.DONE)),
            cancelled=Count("pk", filter=Q(state__in=[flows.State.CANCELLED, flows.State.FAILED])),
            amount=Sum("amount", filter=Q(state=flows.State.DONE)),
            paid=Sum("paid_amount"),
        )
        .order_by("type")
    )
    by_type = []
    total_amount = total_paid = ZERO
    for row in rows:
        amount = row["amount"] or ZERO
        paid = row["paid"] or ZERO
        total_amount += amount
        total_paid += paid
        by_type.append(
            {
                "type": row["type"],
                "done": row["done"],
                "cancelled": row["cancelled"],
                "amount": format_yuan(amount),
                "paid": format_yuan(paid),
            }
        )
    return {
        "by_type": by_type,
        "amount": format_yuan(total_amount),
        "paid": format_yuan(total_paid),
    }


def deadlines_missed(dispute_id: int) -> dict:
    """The dispute's timers that breached (running on, stopped or cancelled since)."""
    kinds = list(
        Timer.objects.filter(dispute_id=dispute_id, breached_at__isnull=False)
        .order_by("breached_at", "id")
        .values_list("kind__code", flat=True)
    )
    return {"count": len(kinds), "kinds": list(dict.fromkeys(kinds))}


def days_open(received_at: dt.datetime, closed_at: dt.datetime) -> float:
    """Intake to close, in days (one decimal)."""
    return round((closed_at - received_at).total_seconds() / 86400, 1)


def closure_summary_event(dispute: Dispute, close: Event) -> Event:
    """The summary of a dispute `close` (its timeline event) just closed; unsaved."""
    payload = close.payload or {}
    return new_event(
        FollowUpKind.CLOSURE_SUMMARY,
        dispute_id=dispute.pk,
        actor_label="system",
        at=close.at,
        payload={
            "outcome": outcome_of(close),
            "closed_from": close.from_status,
            "outcome_text": close.reason if close.from_status == Status.ESCALATED else "",
            "satisfaction": payload.get("satisfaction"),
            "money": money_by_type(dispute.pk),
            "days_open": days_open(dispute.received_at, close.at),
            "received_at": dispute.received_at.isoformat(),
            "closed_at": close.at.isoformat(),
            "deadlines_missed": deadlines_missed(dispute.pk),
            "reopen_count": Dispute.objects.filter(pk=dispute.pk)
            .values_list("reopen_count", flat=True)
            .get(),
        },
    )
