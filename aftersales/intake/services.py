"""Taking a complaint in: the one place that calls triage, SLA and notifications at
intake (the intake seam). The dispute is written by the same transaction as its
classification, routing, first timers and acknowledgement; nothing below this package
knows intake involves them."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.fastinsert import from_row, insert_many
from aftersales.common.text import search_form
from aftersales.disputes.intake import IntakeRequest
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Channel, Dispute, needs_review_of
from aftersales.disputes.numbering import assign_number, intake_day, provisional_number
from aftersales.disputes.permissions import can_create
from aftersales.disputes.search import dispute_tokens
from aftersales.disputes.selectors import order_line_named
from aftersales.disputes.taxonomy import SEVERITY_RANK, Severity
from aftersales.disputes.timeline import (
    DisputeKind,
    acknowledgement_event,
    actor_label,
    duplicate_event,
    intake_event,
    new_event,
)
from aftersales.notifications.services import acknowledge_intakes
from aftersales.parties.actors import is_customer
from aftersales.parties.models import Customer, Order, OrderLine
from aftersales.parties.order_input import OrderInput
from aftersales.parties.orders import order_upsert
from aftersales.parties.services import customer_for_intake
from aftersales.sla.policy_versions import CurrentPolicy, current_policy_at
from aftersales.sla.timers import timers_at_intake
from aftersales.triage.plan import TriagePlan, triage_notify, triage_plan, triage_record

from . import selectors


def dispute_create(
    *,
    request: IntakeRequest,
    actor,
    intake_key: str | None = None,
    request_hash: str = "",
) -> tuple[Dispute, bool]:
    """Take a complaint in. Returns (dispute, created); a retry with the same intake key
    returns the dispute made the first time and created=False. A new dispute comes back
    with `known_events` (its timeline) so the caller need not read it again."""
    if not can_create(actor):
        raise Forbidden(_("您没有受理投诉的权限"))
    if is_customer(actor):
        _own_complaint(request, actor)
    # Everything intake reads is read before the transaction, so the write lock (all of
    # SQLite; the day's number row on PostgreSQL) is held only for the inserts.
    facts = _intake_facts(request, actor, intake_key)
    if isinstance(facts, Dispute):
        return _replay(facts, request_hash), False
    try:
        with transaction.atomic():
            return _create(
                request=request,
                actor=actor,
                intake_key=intake_key,
                request_hash=request_hash,
                facts=facts,
                received_at=request.received_at or timezone.now(),
            ), True
    except IntegrityError:
        # A concurrent retry with the same key, or the same external_ref, won the race.
        if intake_key:
            existing = Dispute.objects.filter(intake_key=intake_key).first()
            if existing is not None:
                return _replay(existing, request_hash), False
        if request.external_ref:
            existing = Dispute.objects.filter(external_ref=request.external_ref).first()
            if existing is not None:
                raise _external_ref_taken(existing) from None
        raise


def _own_complaint(request: IntakeRequest, actor) -> None:
    """A customer files through the portal, about an order of their own, as themselves:
    no inline order, no historical time, no platform reference."""
    own = Order.objects.filter(order_no=request.order_no, customer_id=actor.customer_id)
    themselves = Customer.objects.filter(pk=actor.customer_id, phone=request.customer.phone)
    if (
        request.channel != Channel.PORTAL
        or request.order is not None
        or request.received_at is not None
        or request.external_ref
        or not own.exists()
        or not themselves.exists()
    ):
        raise Forbidden(_("只能就本人的订单在线投诉"))


def _replay(existing: Dispute, request_hash: str) -> Dispute:
    first = existing.events.filter(kind=DisputeKind.INTAKE).first()
    if request_hash and first and first.payload.get("request_hash") not in ("", request_hash):
        raise Conflict(
            _("该 Idempotency-Key 已用于另一份不同内容的投诉（%(number)s）")
            % {"number": existing.number},
            code="idempotency_mismatch",
        )
    return existing


def _external_ref_taken(existing: Dispute) -> Conflict:
    return Conflict(
        _("外部单号已存在，对应投诉 %(number)s") % {"number": existing.number},
        code="duplicate_external_ref",
        fields={
            "external_ref": _("外部单号已被投诉 %(number)s 使用") % {"number": existing.number}
        },
        extra={"number": existing.number},
    )


@dataclass(frozen=True)
class _IntakeFacts:
    order: Order | None  # None: `new_order` is created with the dispute
    new_order: OrderInput | None
    product_id: int | None
    line_paid: Decimal | None  # what was paid for the line complained of, when known
    product_name: str
    duplicate_of: tuple[int, str] | None  # (id, number)
    duplicate_basis: str
    triage: TriagePlan
    policy: CurrentPolicy | None


def _intake_facts(request: IntakeRequest, actor, intake_key: str | None):
    """What intake reads, or the dispute a retry with the same key made first. One
    statement for the order, its buyer and line, open disputes it may repeat, the keys
    taken and the SLA policy version; the rest is triage's."""
    read = selectors.intake_facts(
        order_no=request.order_no,
        phone=request.customer.phone,
        intake_key=intake_key,
        external_ref=request.external_ref,
    )
    if read.key_taken_by is not None:
        return Dispute.objects.get(pk=read.key_taken_by)
    order = read.order
    # An unknown number is an error unless the complaint brings its order (created in
    # the intake's transaction, below). A known order is used as stored: intake never
    # overwrites it — PUT /api/v1/orders/{order_no} does.
    new_order = request.order if order is None else None
    if order is None and new_order is None:
        raise ValidationFailed(
            _("找不到订单"),
            code="unknown_order",
            fields={"order_no": _("订单 %(order_no)s 不存在") % {"order_no": request.order_no}},
        )
    if read.ref_taken_by is not None:
        raise _external_ref_taken(Dispute.objects.get(pk=read.ref_taken_by))
    profile = getattr(actor, "staff_profile", None) if actor is not None else None
    if profile is not None and profile.team_id and request.channel != "api":
        # An agent recording a phone or walk-in complaint keeps first contact.
        team, assignee = profile.team, actor
    else:
        team, assignee = None, None  # triage routes it: a rule's team, else the default
    duplicate_of, basis = read.same_order, "order"
    if duplicate_of is None:
        duplicate_of, basis = read.same_customer, "customer"
    received_at = request.received_at or timezone.now()
    product_name = request.product_name or read.product_name
    if new_order is not None and len(new_order.lines) == 1:
        product_name = request.product_name or new_order.lines[0].product
    product_id, line_paid = read.product_id, None
    if order is not None and read.lines > 1 and request.product_name:
        # A complaint about one line of a several-line order: its goods and their price.
        named = order_line_named(order.pk, request.product_name)
        if named is not None:
            product_id, line_paid = named
    return _IntakeFacts(
        order=order,
        new_order=new_order,
        product_id=product_id,
        line_paid=line_paid,
        product_name=product_name,
        duplicate_of=duplicate_of,
        duplicate_basis=basis if duplicate_of else "",
        triage=triage_plan(
            text=request.description,
            channel=request.channel,
            product_id=product_id,
            product_name=product_name,
            customer_phone=request.customer.phone,
            team=team,
            assignee=assignee,
            now=received_at,
        ),
        policy=current_policy_at(read.policy_key),
    )


def _create(
    *, request: IntakeRequest, actor, intake_key, request_hash, facts: _IntakeFacts, received_at
) -> Dispute:
    order, plan = facts.order, facts.triage
    team, assignee = plan.team, plan.assignee
    product_id, line_paid = facts.product_id, facts.line_paid
    if order is None:
        order, product_id, line_paid = _order_at_intake(
            facts.new_order, actor, request.product_name
        )
    customer = customer_for_intake(request.customer, known=order.customer)
    # The number is reserved last (below): on PostgreSQL the day's counter row stays
    # locked from then until commit, and every intake of the day queues on it. So what
    # does not need the number is written first, under a provisional number no one sees
    # (the transaction is not committed); a failed intake rolls everything back (no gaps).
    dispute = Dispute(
        number=provisional_number(),
        channel=request.channel,
        status=Status.RECEIVED,
        is_open=True,
        customer=customer,
        order=order,
        product_id=product_id,
        product_name=facts.product_name,
        amount_paid=(
            request.amount_paid
            if request.amount_paid is not None
            else line_paid
            if line_paid is not None
            else order.amount_paid
        ),
        claimed_amount=request.claimed_amount,
        occurred_at=request.occurred_at,
        description=request.description,
        search_text=search_form(request.description),
        search_tokens=dispute_tokens(
            description=request.description,
            customer_name=customer.name,
            customer_phone=customer.phone,
            order_no=order.order_no,
            platform_order_no=order.platform_order_no,
            external_ref=request.external_ref,
        ),
        confidence=plan.classification.get("confidence"),
        needs_review=needs_review_of(plan.classification.get("confidence")),
        expectation=request.expectation,
        expectation_text=request.expectation_text,
        category=plan.category,
        secondary_categories=list(plan.categories),
        severity=plan.severity,
        severity_rank=SEVERITY_RANK[Severity(plan.severity)],
        escalation_risk=plan.escalation_risk,
        duplicate_of_id=facts.duplicate_of[0] if facts.duplicate_of else None,
        team=team,
        assignee=assignee,
        external_ref=request.external_ref,
        intake_key=intake_key,
        received_at=received_at,
    )
    insert_many([dispute])
    if facts.duplicate_of is not None:
        # The reply names the original by number: no need to read it.
        original_id, original_number = facts.duplicate_of
        dispute.duplicate_of = from_row(Dispute, id=original_id, number=original_number)
    events = [
        intake_event(
            dispute,
            actor=actor,
            actor_label=actor_label(actor),
            payload={
                "channel": request.channel,
                "order_no": order.order_no,
                "customer_name": request.customer.name,
                "request_hash": request_hash,
                "team": team.code if team else None,
                "assignee": assignee.get_username() if assignee else None,
            },
        )
    ]
    triage_events, tasks = triage_record(dispute=dispute, plan=plan, at=received_at, notify=False)
    events += triage_events
    if facts.duplicate_of is not None:
        events.append(duplicate_event(dispute, facts.duplicate_of[1], basis=facts.duplicate_basis))
    insert_many(events)
    # SLA hook: start (and, for steps intake already did, stop) the dispute's timers. The
    # acknowledgement, the last event, is written below with the number; its signal is
    # the same now (kind and time).
    acknowledged = new_event(DisputeKind.ACKNOWLEDGEMENT, dispute=dispute, at=received_at)
    timers_at_intake(
        dispute,
        events=[*events, acknowledged],
        task_kinds=[t.kind for t in tasks],
        at=received_at,
        current=facts.policy,
    )
    # From here to commit the day's counter is locked: the number, then what shows it
    # (staff notifications, the acknowledgement and its event).
    dispute.number = assign_number(dispute.pk, intake_day(received_at))
    triage_notify(dispute=dispute, plan=plan, at=received_at)
    (message,) = acknowledge_intakes([dispute])
    acknowledgement = acknowledgement_event(dispute, message)
    insert_many([acknowledgement])
    events.append(acknowledgement)
    dispute.known_events = events
    return dispute


def _order_at_intake(
    data: OrderInput | None, actor, product_name: str
) -> tuple[Order, int | None, Decimal | None]:
    """The order a complaint brought, created with it (the same writer as the orders
    API); its product when it has one line, else the line the complaint names, with
    what was paid for it."""
    assert data is not None
    try:
        order, _created = order_upsert(data=data, actor=actor)
    except ValidationFailed as exc:  # e.g. a known store on another platform
        raise ValidationFailed(
            exc.message, code=exc.code, fields={f"order.{k}": v for k, v in exc.fields.items()}
        ) from None
    products = list(OrderLine.objects.filter(order=order).values_list("product_id", flat=True)[:2])
    if len(products) == 1:
        return order, products[0], None
    named = order_line_named(order.pk, product_name) if products else None
    return (order, *named) if named is not None else (order, None, None)
