"""`aftersales privacy export`: everything held about a customer, as JSON (PIPL §45, the
right to access and copy). The export itself is recorded on each dispute it covers."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from aftersales.disputes.models import Dispute
from aftersales.disputes.timeline import new_event, record_many
from aftersales.mediation.models import CaseFact, ProposalRevision, SettlementAgreement
from aftersales.notifications.models import OutboundMessage
from aftersales.parties.models import Customer, Order

from .holdings import Subject, disputes_of, orders_of
from .timeline import PrivacyKind

ACTOR_LABEL = "aftersales privacy export"


def personal_data_export(*, subject: Subject, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    customer = subject.customer
    result: dict[str, Any] = {
        "phone": subject.phone,
        "exported_at": timezone.localtime(now).isoformat(),
        "customers": [],
        "orders": [],
        "disputes": [],
    }
    if customer is None:
        return result
    disputes = list(disputes_of(customer))
    with transaction.atomic():
        result["customers"] = [_customer(customer)]
        result["orders"] = [_order(order) for order in orders_of(customer)]
        result["disputes"] = [_dispute(d) for d in disputes]
        record_many(
            [
                new_event(
                    PrivacyKind.PERSONAL_DATA_EXPORTED,
                    dispute=d,
                    actor_label=ACTOR_LABEL,
                    payload={"phone_last4": subject.phone[-4:]},
                    at=now,
                )
                for d in disputes
            ]
        )
    return result


def _customer(customer: Customer) -> dict:
    return {
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "created_at": customer.created_at,
    }


def _order(order: Order) -> dict:
    return {
        "order_no": order.order_no,
        "platform_order_no": order.platform_order_no,
        "store": order.store.name,
        "platform": order.store.platform,
        "sale_channel": order.sale_channel,
        "payment_channel": order.payment_channel,
        "amount_paid": order.amount_paid,
        "buyer_account": order.buyer_account,
        "address": order.address,
        "paid_at": order.paid_at,
        "shipped_at": order.shipped_at,
        "received_at": order.received_at,
        "carrier": order.carrier,
        "tracking_no": order.tracking_no,
        "lines": [
            {
                "product": line.product.name,
                "sku": line.product.sku,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "paid": line.paid_amount,
            }
            for line in order.lines.all()
        ],
    }


def _dispute(dispute: Dispute) -> dict:
    return {
        "number": dispute.number,
        "channel": dispute.channel,
        "status": dispute.status,
        "order_no": dispute.order.order_no if dispute.order else None,
        "complainant": dispute.customer.name,
        "product_name": dispute.product_name,
        "description": dispute.description,
        "expectation": dispute.expectation,
        "expectation_text": dispute.expectation_text,
        "amount_paid": dispute.amount_paid,
        "claimed_amount": dispute.claimed_amount,
        "occurred_at": dispute.occurred_at,
        "received_at": dispute.received_at,
        "closed_at": dispute.closed_at,
        "timeline": [
            {
                "at": e.at,
                "kind": e.kind,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor_label,
                "reason": e.reason,
                "payload": e.payload,
            }
            for e in dispute.events.order_by("at", "id")
        ],
        "evidence": [
            {
                "id": ev.pk,
                "name": ev.original_name,
                "kind": ev.kind,
                "content_type": ev.content_type,
                "size": ev.size,
                "sha256": ev.sha256,
                "stored_sha256": ev.stored_sha256,
                "metadata_removed": ev.metadata_removed,
                "note": ev.note,
                "uploaded_at": ev.uploaded_at,
            }
            for ev in dispute.evidence.order_by("uploaded_at", "id")
        ],
        "messages": [
            {
                "channel": m.channel,
                "template": m.template,
                "subject": m.subject,
                "body": m.body,
                "state": m.state,
                "created_at": m.created_at,
                "sent_at": m.sent_at,
                "delivered_at": m.delivered_at,
                "read_at": m.read_at,
                "attempts": m.attempts,
                "failure": m.failure,
                "failure_detail": m.failure_detail,
                "provider_message_id": m.provider_message_id,
            }
            for m in OutboundMessage.objects.filter(dispute=dispute).order_by("created_at", "id")
        ],
        "case_facts": [
            {"name": f.name, "value": f.value, "reason": f.reason, "recorded_at": f.recorded_at}
            for f in CaseFact.objects.filter(dispute=dispute)
        ],
        "proposals": [_revision(r) for r in _revisions(dispute)],
        "agreements": [
            {
                "proposal_id": a.proposal_id,
                "sha256": a.sha256,
                "customer_method": a.customer_method,
                "customer_confirmed_at": a.customer_confirmed_at,
                "customer_ip": a.customer_ip,
                "customer_user_agent": a.customer_user_agent,
            }
            for a in SettlementAgreement.objects.filter(dispute=dispute).order_by("id")
        ],
    }


def _revisions(dispute: Dispute):
    """Only what was addressed to the customer: revisions sent to them, and their answers."""
    return ProposalRevision.objects.filter(
        proposal__dispute=dispute, sent_at__isnull=False
    ).order_by("proposal_id", "number")


def _revision(revision: ProposalRevision) -> dict:
    return {
        "proposal_id": revision.proposal_id,
        "revision": revision.number,
        "state": revision.state,
        "remedies": revision.remedies,
        "total_amount": revision.total_amount,
        "message": revision.message,
        "sent_at": revision.sent_at,
        "answered_at": revision.answered_at,
        "counter": revision.counter,
        "customer_message": revision.customer_message,
    }


def json_default(value: Any) -> Any:
    """For json.dumps: times in ISO 8601, money as decimal strings."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()  # shown in Asia/Shanghai
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    raise TypeError(type(value).__name__)
