"""`aftersales privacy erase`: a customer's personal data anonymised where the law no longer
requires it kept (PIPL §47): on disputes closed more than PRIVACY_RETENTION_DAYS ago
(电子商务法 §31 keeps transaction records at least three years after completion). Open
disputes and disputes inside the retention period are kept whole, and the report says so.

On an erased dispute the customer's own words (description, expectation, messages to
them, their answers) become a placeholder; free text staff wrote keeps its words with the
person's name, phone, e-mail, account and address replaced. The timeline keeps every
event, its kind, time, actor and codes — only personal fields are replaced — and gains
one PERSONAL_DATA_ERASED event. Hashes stay: evidence and agreements remain provable.
The customer row itself is anonymised once nothing of theirs is kept. Running it twice
erases nothing twice."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.text import clean_text
from aftersales.disputes.models import Dispute, Event, Evidence
from aftersales.disputes.timeline import record
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.mediation.models import (
    CaseFact,
    CaseMeeting,
    Commitment,
    Escalation,
    ProposalApproval,
    ProposalRevision,
    ResponsibilityFinding,
    SettlementAgreement,
    TaskReport,
)
from aftersales.notifications.models import Notification, OutboundMessage
from aftersales.parties.models import Customer, Order

from .holdings import Subject, disputes_of, identifiers, orders_of
from .timeline import PrivacyKind

ERASED = "[已匿名化]"
ERASED_NAME = "已匿名化"
ACTOR_LABEL = "aftersales privacy erase"
# Event payload keys holding the customer's words or what was sent to them.
CUSTOMER_TEXT_KEYS = frozenset(
    {"customer_name", "subject", "body", "message", "customer_message", "description"}
)
# Staff-written free text on records of a dispute: (model, path to the dispute, fields).
STAFF_TEXT: tuple[tuple[type[models.Model], str, tuple[str, ...]], ...] = (
    (Evidence, "dispute", ("original_name", "note")),
    (CaseFact, "dispute", ("reason",)),
    (Commitment, "dispute", ("text",)),
    (TaskReport, "dispute", ("text",)),
    (CaseMeeting, "dispute", ("minutes",)),
    (ResponsibilityFinding, "dispute", ("note",)),
    (Escalation, "dispute", ("outcome_note",)),
    (ProposalRevision, "proposal__dispute", ("change_note",)),
    (ProposalApproval, "revision__proposal__dispute", ("reason",)),
    (AfterSaleOrder, "dispute", ("note", "return_address", "reason")),
    (Notification, "dispute", ("title", "body")),
)


@dataclass
class ErasureReport:
    phone: str
    retention_days: int
    erased: list[dict] = field(default_factory=list)
    kept: list[dict] = field(default_factory=list)
    customer: dict = field(default_factory=dict)
    orders: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "phone": self.phone,
            "retention_days": self.retention_days,
            "erased": self.erased,
            "kept": self.kept,
            "customer": self.customer,
            "orders": self.orders,
        }


def personal_data_erase(
    *, subject: Subject, reason: str, now: dt.datetime | None = None
) -> ErasureReport:
    now = now or timezone.now()
    days = settings.PRIVACY_RETENTION_DAYS
    report = ErasureReport(phone=subject.phone, retention_days=days)
    customer = subject.customer
    if customer is None:
        report.customer = {"erased": False, "why": _("没有该手机号的顾客记录")}
        return report
    reason = clean_text(reason)
    cutoff = now - dt.timedelta(days=days)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        orders = list(orders_of(customer))
        marks = identifiers(customer, orders)
        kept_orders: set[int] = set()
        # Locked by primary key: PostgreSQL refuses FOR UPDATE with DISTINCT.
        ids = list(disputes_of(customer).values_list("pk", flat=True))
        locked = (
            Dispute.objects.select_for_update().filter(pk__in=ids).order_by("received_at", "id")
        )
        for dispute in locked:
            why = _kept_because(dispute, cutoff, days)
            if dispute.events.filter(kind=PrivacyKind.PERSONAL_DATA_ERASED).exists():
                report.erased.append({"number": dispute.number, "already": True})
                continue
            if why is not None:
                report.kept.append({"number": dispute.number, **why})
                if dispute.order_id:
                    kept_orders.add(dispute.order_id)
                continue
            _erase_dispute(dispute, marks, reason=reason, now=now)
            report.erased.append(
                {
                    "number": dispute.number,
                    "closed_at": timezone.localtime(dispute.closed_at).isoformat(),
                }
            )
        for order in orders:
            report.orders.append(_erase_order(order, kept_orders, cutoff))
        report.customer = _erase_customer(customer, report)
    return report


def _kept_because(dispute: Dispute, cutoff: dt.datetime, days: int) -> dict | None:
    if dispute.is_open or dispute.closed_at is None:
        return {"code": "open", "why": _("投诉尚未结束")}
    if dispute.closed_at > cutoff:
        until = dispute.closed_at + dt.timedelta(days=days)
        return {
            "code": "retention",
            "until": until.date().isoformat(),
            "why": _("结案未满保存期限（%(days)d 天），%(until)s 后可匿名化")
            % {"days": days, "until": until.date().isoformat()},
        }
    return None


def _erase_dispute(dispute: Dispute, marks: list[str], *, reason: str, now) -> None:
    Dispute.objects.filter(pk=dispute.pk).update(
        description=ERASED, expectation_text="", search_text="", search_tokens=""
    )
    for event in Event.objects.filter(dispute=dispute).exclude(
        kind=PrivacyKind.PERSONAL_DATA_ERASED
    ):
        before = {
            "payload": event.payload,
            "reason": event.reason,
            "actor_label": event.actor_label,
        }
        changes = {
            "payload": _scrub_payload(event.payload, marks),
            "reason": _scrub(event.reason, marks),
            "actor_label": _scrub(event.actor_label, marks),  # "顾客 张三"
        }
        if changes != before:
            # Events are never edited — except here, where the law asks for it.
            Event.objects.filter(pk=event.pk).update(**changes)
    OutboundMessage.objects.filter(dispute=dispute).update(subject=ERASED, body=ERASED)
    for revision in ProposalRevision.objects.filter(proposal__dispute=dispute):
        counter = revision.counter
        if isinstance(counter, dict) and counter.get("message"):
            counter = {**counter, "message": ERASED}
        ProposalRevision.objects.filter(pk=revision.pk).update(
            message=ERASED,
            customer_message=ERASED if revision.customer_message else "",
            counter=counter,
        )
    # The agreement names the customer and their phone: the PDF goes, its hash stays.
    SettlementAgreement.objects.filter(dispute=dispute).update(
        pdf=b"", customer_ip=None, customer_user_agent=""
    )
    for model, path, fields in STAFF_TEXT:
        _scrub_rows(model.objects.filter(**{path: dispute}), fields, marks)
    record(
        PrivacyKind.PERSONAL_DATA_ERASED,
        dispute=dispute,
        actor_label=ACTOR_LABEL,
        reason=reason,
        payload={
            "closed_at": timezone.localtime(dispute.closed_at).isoformat(),
            "retention_days": settings.PRIVACY_RETENTION_DAYS,
            "replaced": [
                "description",
                "expectation_text",
                "timeline",
                "messages",
                "proposals",
                "agreement_pdf",
                "staff_notes",
            ],
            "kept": ["events", "amounts", "codes", "hashes", "evidence_files"],
        },
        at=now,
    )


def _erase_order(order: Order, kept_orders: set[int], cutoff: dt.datetime) -> dict:
    if order.pk in kept_orders:
        return {"order_no": order.order_no, "erased": False, "why": _("有保留的投诉")}
    completed = order.received_at or order.paid_at or order.created_at
    if completed > cutoff:
        return {"order_no": order.order_no, "erased": False, "why": _("交易记录未满保存期限")}
    Order.objects.filter(pk=order.pk).update(address="", buyer_account="")
    return {"order_no": order.order_no, "erased": True}


def _erase_customer(customer: Customer, report: ErasureReport) -> dict:
    if report.kept or any(not o["erased"] for o in report.orders):
        return {"erased": False, "why": _("仍有保留的投诉或订单，顾客资料保留")}
    Customer.objects.filter(pk=customer.pk).update(
        name=ERASED_NAME, phone=f"erased-{customer.pk}", email=""
    )
    return {"erased": True}


def _scrub_rows(queryset, fields: tuple[str, ...], marks: list[str]) -> None:
    for row in queryset.values("pk", *fields):
        changes = {f: _scrub(row[f], marks) for f in fields if row[f]}
        changes = {f: v for f, v in changes.items() if v != row[f]}
        if changes:
            queryset.model.objects.filter(pk=row["pk"]).update(**changes)


def _scrub(text: str, marks: list[str]) -> str:
    for mark in marks:
        if mark in text:
            text = text.replace(mark, ERASED)
    return text


def _scrub_payload(value: Any, marks: list[str], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _scrub_payload(v, marks, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_payload(v, marks, key) for v in value]
    if isinstance(value, str):
        return ERASED if key in CUSTOMER_TEXT_KEYS and value else _scrub(value, marks)
    return value
