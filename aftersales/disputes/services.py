"""Writes to the Dispute aggregate: intake, lifecycle actions, assignment. Each service is
one transaction and the only code that changes these rows."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import EllipsisType
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.fastinsert import from_row, insert_many
from aftersales.common.text import search_form
from aftersales.notifications.services import acknowledge_intakes
from aftersales.parties.models import Order, OrderLine, Team
from aftersales.parties.order_input import OrderInput
from aftersales.parties.orders import order_upsert
from aftersales.parties.services import customer_for_intake
from aftersales.sla import services as sla_services
from aftersales.triage.services import TriagePlan, triage_notify, triage_plan, triage_record

from . import lifecycle, selectors
from .intake import IntakeRequest
from .lifecycle import Status
from .messages import lifecycle_error
from .models import Dispute, Event
from .numbering import assign_number, intake_day, provisional_number
from .permissions import can_act, can_assign, can_be_assigned, can_create
from .taxonomy import SEVERITY_RANK, Severity
from .timeline import (
    acknowledgement_event,
    assigned_event,
    duplicate_event,
    intake_event,
    placement,
)


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
    lookups (order, is_open) and (customer, is_open): an OR of both scans. (Intake reads
    the same with its other facts, `selectors.intake_facts`.)"""
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
    order: Order | None  # None: `new_order` is created with the dispute
    new_order: OrderInput | None
    product_id: int | None
    line_paid: Decimal | None  # what was paid for the line complained of, when known
    product_name: str
    duplicate_of: tuple[int, str] | None  # (id, number)
    duplicate_basis: str
    triage: TriagePlan
    policy: sla_services.CurrentPolicy | None


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
        named = selectors.order_line_named(order.pk, request.product_name)
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
        policy=sla_services.current_policy_at(read.policy_key),
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
    acknowledged = Event(dispute=dispute, kind=Event.Kind.ACKNOWLEDGEMENT, at=received_at)
    sla_services.timers_at_intake(
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
    named = selectors.order_line_named(order.pk, product_name) if products else None
    return (order, *named) if named is not None else (order, None, None)


def dispute_apply(
    *,
    dispute: Dispute,
    action: str,
    actor,
    version: int,
    reason: str = "",
    payload: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
    via: lifecycle.Owner | None = None,
) -> Dispute:
    """Apply one lifecycle action: lock the row, check version, guard and permission,
    change state, append exactly one timeline event. All or nothing. `via`: the workflow
    applying it (`lifecycle.Owner`); None is the generic door (the actions endpoint,
    admin), which the lifecycle refuses an owned action with a 409 naming its owner's."""
    payload = dict(payload or {})
    try:
        parsed = lifecycle.parse_action(action)
        lifecycle.check_door(parsed, via)
    except lifecycle.LifecycleError as exc:
        raise lifecycle_error(exc, number=dispute.number) from None
    now = at or timezone.now()
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
            facts = _case_facts(locked) if lifecycle.needs_facts(parsed) else None
            move = lifecycle.decide(
                locked.status,
                parsed,
                reason=reason,
                payload=payload,
                facts=facts,
                via=via,
                at=now,
                received_at=locked.received_at,
            )
        except lifecycle.LifecycleError as exc:
            raise lifecycle_error(exc, number=locked.number) from None
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


def _case_facts(dispute: Dispute) -> lifecycle.CaseFacts:
    """What the timeline shows for the lifecycle's record guards: the case meeting and
    the responsibility finding are timeline events (aftersales.mediation.investigation)."""
    kinds = set(
        Event.objects.filter(
            dispute=dispute,
            kind__in=[Event.Kind.CASE_MEETING, Event.Kind.RESPONSIBILITY_DETERMINED],
        )
        .values_list("kind", flat=True)
        .distinct()
    )
    return lifecycle.CaseFacts(
        severity=dispute.severity,
        case_meeting_held=Event.Kind.CASE_MEETING in kinds,
        responsibility_determined=Event.Kind.RESPONSIBILITY_DETERMINED in kinds,
    )


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
    *,
    dispute: Dispute,
    actor,
    version: int,
    team: Team | EllipsisType | None = ...,
    assignee=...,
) -> Dispute:
    """Place a dispute in a team and with an assignee. `...` (the default) keeps the
    current value, None clears it. The assignee must be an active case handler of the
    resulting team (so a dispute without a team has none). Nothing changed: no event,
    no new version."""
    if actor is not None and not can_assign(actor):
        raise Forbidden(_("只有组长或管理员可以分派投诉"))
    with transaction.atomic():
        locked = lock_at_version(dispute, version)
        if not locked.is_open:
            raise Conflict(_("已结束的投诉不能再分派"), code="dispute_closed")
        new_team = locked.team if team is ... else team
        new_assignee = locked.assignee if assignee is ... else assignee
        if (getattr(new_team, "pk", None), getattr(new_assignee, "pk", None)) == (
            locked.team_id,
            locked.assignee_id,
        ):
            return locked
        if new_assignee is not None and new_team is None:
            raise ValidationFailed(
                _("分派信息有误"),
                fields={"assignee": _("没有小组的投诉不能指定处理人，请一并清空处理人")},
            )
        if new_assignee is not None and not can_be_assigned(new_assignee, new_team):
            message = _("%(name)s 不是小组 %(team)s 在职的坐席或组长，不能分派给他/她") % {
                "name": new_assignee.get_username(),
                "team": new_team.code,
            }
            raise ValidationFailed(_("分派信息有误"), fields={"assignee": message})
        before = placement(locked.team, locked.assignee)
        Dispute.objects.filter(pk=locked.pk).update(
            team=new_team, assignee=new_assignee, version=F("version") + 1
        )
        assigned_event(
            locked,
            actor=actor,
            actor_label=actor_label(actor),
            before=before,
            after=placement(new_team, new_assignee),
            at=timezone.now(),
        ).save()
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
