"""Writes to the Dispute aggregate: intake, lifecycle actions, assignment. Each service is
one transaction and the only code that changes these rows."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.text import search_form
from aftersales.notifications.services import acknowledge_intake
from aftersales.parties.models import Order, Product, Team
from aftersales.parties.services import customer_for_intake
from aftersales.sla import services as sla_services
from aftersales.triage.services import TriagePlan, triage_plan, triage_record

from . import lifecycle
from .intake import IntakeRequest
from .lifecycle import Status
from .messages import lifecycle_error
from .models import Dispute, Event
from .numbering import intake_day, reserve_numbers
from .permissions import can_act, can_assign, can_create
from .taxonomy import SEVERITY_RANK, Severity
from .timeline import acknowledgement_event, duplicate_event, intake_event


def actor_label(user) -> str:
    if user is None:
        return "system"
    profile = getattr(user, "staff_profile", None)
    return (profile.display_name if profile else "") or user.get_username()


def default_team() -> Team | None:
    return Team.objects.filter(is_default=True).order_by("id").first()


def open_dispute_for(order: Order, phone: str) -> tuple[Dispute | None, str]:
    """The open dispute a new complaint may repeat (SPEC §3): on the same order first,
    else from the same customer; with the basis, "order" or "customer". Two indexed
    lookups (order, is_open) and (customer, is_open): an OR of both scans."""
    open_disputes = (
        Dispute.objects.filter(is_open=True).only("pk", "number").order_by("received_at", "id")
    )
    same_order = open_disputes.filter(order=order).first()
    if same_order is not None:
        return same_order, "order"
    same_customer = open_disputes.filter(customer__phone=phone).first()
    if same_customer is not None:
        return same_customer, "customer"
    return None, ""


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
    if actor is not None and not can_create(actor):
        raise Forbidden(_("您没有受理投诉的权限"))
    if intake_key and Dispute.objects.filter(intake_key=intake_key).exists():
        return _replay(Dispute.objects.get(intake_key=intake_key), request_hash), False
    # Everything intake reads is read before the transaction, so the write lock (all of
    # SQLite; the day's number row on PostgreSQL) is held only for the inserts.
    facts = _intake_facts(request, actor)
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


def _replay(existing: Dispute, request_hash: str) -> Dispute:
    first = existing.events.filter(kind=Event.Kind.INTAKE).first()
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
    order: Order
    product: Product | None
    duplicate_of: Dispute | None
    duplicate_basis: str
    triage: TriagePlan


def _intake_facts(request: IntakeRequest, actor) -> _IntakeFacts:
    order = Order.objects.select_related("customer").filter(order_no=request.order_no).first()
    if order is None:
        raise ValidationFailed(
            _("找不到订单"),
            code="unknown_order",
            fields={"order_no": _("订单 %(order_no)s 不存在") % {"order_no": request.order_no}},
        )
    if request.external_ref:
        taken = Dispute.objects.filter(external_ref=request.external_ref).first()
        if taken is not None:
            raise _external_ref_taken(taken)
    # The product is known when the order has exactly one line: read at most two.
    lines = list(order.lines.select_related("product")[:2])
    profile = getattr(actor, "staff_profile", None) if actor is not None else None
    if profile is not None and profile.team_id and request.channel != "api":
        # An agent recording a phone or walk-in complaint keeps first contact.
        team, assignee = profile.team, actor
    else:
        team, assignee = default_team(), None
    product = lines[0].product if len(lines) == 1 else None
    duplicate_of, basis = open_dispute_for(order, request.customer.phone)
    return _IntakeFacts(
        order=order,
        product=product,
        duplicate_of=duplicate_of,
        duplicate_basis=basis,
        triage=triage_plan(
            text=request.description,
            channel=request.channel,
            product_id=product.pk if product else None,
            product_name=request.product_name or (product.name if product else ""),
            customer_phone=request.customer.phone,
            team=team,
            assignee=assignee,
            now=request.received_at or timezone.now(),
        ),
    )


def _create(
    *, request: IntakeRequest, actor, intake_key, request_hash, facts: _IntakeFacts, received_at
) -> Dispute:
    order, product, plan = facts.order, facts.product, facts.triage
    team, assignee = plan.team, plan.assignee
    customer = customer_for_intake(request.customer, known=order.customer)
    # Reserved last, so on PostgreSQL the day's counter row stays locked only for the
    # inserts below; a failed intake rolls its number back (no gaps).
    (number,) = reserve_numbers(intake_day(received_at), 1)
    dispute = Dispute.objects.create(
        number=number,
        channel=request.channel,
        status=Status.RECEIVED,
        is_open=True,
        customer=customer,
        order=order,
        product=product,
        product_name=request.product_name or (product.name if product else ""),
        amount_paid=request.amount_paid if request.amount_paid is not None else order.amount_paid,
        claimed_amount=request.claimed_amount,
        occurred_at=request.occurred_at,
        description=request.description,
        search_text=search_form(request.description),
        expectation=request.expectation,
        expectation_text=request.expectation_text,
        category=plan.category,
        secondary_categories=list(plan.categories),
        severity=plan.severity,
        severity_rank=SEVERITY_RANK[Severity(plan.severity)],
        escalation_risk=plan.escalation_risk,
        duplicate_of=facts.duplicate_of,
        team=team,
        assignee=assignee,
        external_ref=request.external_ref,
        intake_key=intake_key,
        received_at=received_at,
    )
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
    events += triage_record(dispute=dispute, plan=plan, at=received_at)
    if facts.duplicate_of is not None:
        events.append(
            duplicate_event(dispute, facts.duplicate_of.number, basis=facts.duplicate_basis)
        )
    events.append(
        acknowledgement_event(dispute, acknowledge_intake(dispute=dispute, at=received_at))
    )
    dispute.known_events = Event.objects.bulk_create(events)
    # SLA hook: start (and, for steps intake already did, stop) the dispute's timers.
    sla_services.timers_on_events(dispute, dispute.known_events, received_at, new=True)
    return dispute


def dispute_apply(
    *,
    dispute: Dispute,
    action: str,
    actor,
    version: int,
    reason: str = "",
    payload: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Dispute:
    """Apply one lifecycle action: lock the row, check version, guard and permission,
    change state, append exactly one timeline event. All or nothing."""
    payload = dict(payload or {})
    try:
        parsed = lifecycle.parse_action(action)
    except lifecycle.LifecycleError as exc:
        raise lifecycle_error(exc) from None
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if locked.version != version:
            raise Conflict(
                _(
                    "投诉 %(number)s 已被他人修改（当前版本 %(current)d，您提交的是 %(sent)d），"
                    "请刷新后重试"
                )
                % {"number": locked.number, "current": locked.version, "sent": version},
                code="version_conflict",
                extra={"current_version": locked.version},
            )
        if actor is not None and not can_act(actor, locked, parsed):
            raise Forbidden(_("您没有权限执行该操作"))
        try:
            move = lifecycle.decide(locked.status, parsed, reason=reason, payload=payload)
        except lifecycle.LifecycleError as exc:
            raise lifecycle_error(exc) from None
        now = at or timezone.now()
        target = move.target
        updated = Dispute.objects.filter(pk=locked.pk, version=version).update(
            status=target,
            is_open=target in lifecycle.OPEN,
            closed_at=None if target in lifecycle.OPEN else now,
            version=F("version") + 1,
            updated_at=now,
        )
        if updated != 1:  # pragma: no cover - the row lock makes this unreachable
            raise Conflict(_("投诉已被他人修改，请刷新后重试"), code="version_conflict")
        event = Event.objects.create(
            dispute=locked,
            kind=Event.Kind.ACTION,
            action=move.action,
            from_status=move.source,
            to_status=target,
            actor=actor,
            actor_label=actor_label(actor),
            reason=(reason or "").strip(),
            payload=payload,
            at=now,
        )
        # SLA hook: the action starts, stops or cancels timers.
        sla_services.timers_on_events(locked, [event], now)
    locked.refresh_from_db()
    return locked


def lock_at_version(dispute: Dispute, version: int) -> Dispute:
    """The dispute's row, locked for this transaction, if it is still at the version the
    client saw; else a 409 naming the current version."""
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if locked.version != version:
        raise Conflict(
            _("投诉 %(number)s 已被他人修改，请刷新后重试") % {"number": locked.number},
            code="version_conflict",
            extra={"current_version": locked.version},
        )
    return locked


def dispute_assign(
    *, dispute: Dispute, actor, version: int, team: Team | None, assignee
) -> Dispute:
    if actor is not None and not can_assign(actor):
        raise Forbidden(_("只有组长或管理员可以分派投诉"))
    with transaction.atomic():
        locked = lock_at_version(dispute, version)
        if not locked.is_open:
            raise Conflict(_("已结束的投诉不能再分派"), code="dispute_closed")
        before = {
            "team": locked.team.code if locked.team else None,
            "assignee": locked.assignee.get_username() if locked.assignee else None,
        }
        Dispute.objects.filter(pk=locked.pk).update(
            team=team, assignee=assignee, version=F("version") + 1
        )
        Event.objects.create(
            dispute=locked,
            kind=Event.Kind.ASSIGNED,
            actor=actor,
            actor_label=actor_label(actor),
            payload={
                "before": before,
                "after": {
                    "team": team.code if team else None,
                    "assignee": assignee.get_username() if assignee else None,
                },
            },
            at=timezone.now(),
        )
    locked.refresh_from_db()
    return locked


def dispute_reveal_contact(*, dispute: Dispute, actor) -> str:
    """The full phone number, for calling the customer; every look is on the timeline."""
    Event.objects.create(
        dispute=dispute,
        kind=Event.Kind.CONTACT_REVEALED,
        actor=actor,
        actor_label=actor_label(actor),
        at=timezone.now(),
    )
    return dispute.customer.phone
