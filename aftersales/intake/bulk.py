"""Bulk intake: many validated complaints in a few set-based statements per batch, with
their classification, routing and acknowledgements (the intake seam's bulk door).

Used by `aftersales import` and the demo generator. A batch is one transaction; if it
fails on a constraint (a concurrent intake took a key), its rows are retried one by one,
each in its own savepoint, so no row is ever half-imported and every failure is named.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aftersales.common.fastinsert import build, insert_many, statements_planned_each_time
from aftersales.common.text import search_form
from aftersales.disputes import lifecycle
from aftersales.disputes.bulk import BulkResult, BulkRow, received_at_of, replay_history
from aftersales.disputes.bulk_orders import orders_for
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event, needs_review_of
from aftersales.disputes.numbering import intake_day, reserve_numbers
from aftersales.disputes.search import dispute_tokens
from aftersales.disputes.taxonomy import SEVERITY_RANK, Severity
from aftersales.disputes.timeline import (
    DisputeKind,
    acknowledgement_event,
    duplicate_event,
    intake_event,
    new_event,
)
from aftersales.notifications.services import acknowledge_intakes
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Team
from aftersales.triage.classification import classify_texts
from aftersales.triage.plan import route_imported
from aftersales.triage.timeline import classified_event


def bulk_intake(
    rows: Sequence[BulkRow],
    *,
    batch_size: int = 1000,
    route: bool = True,
    labels: Mapping[int, dict] | None = None,
) -> BulkResult:
    """Take many complaints in, batch by batch, each batch one transaction. With `route`
    (the default) open disputes get the routing table's department tasks; the demo,
    which writes whole histories with their own tasks, turns it off. `labels`: rows'
    classifications made ahead (`classify_texts` payloads), by line; rows without a
    category of their own and without a label are classified here."""
    with statements_planned_each_time():
        return _bulk_intake(rows, batch_size, route, labels)


def _bulk_intake(
    rows: Sequence[BulkRow], batch_size: int, route: bool, labels: Mapping[int, dict] | None
) -> BulkResult:
    result = BulkResult()
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        result_sink = BulkResult()
        try:
            with transaction.atomic():
                _intake_batch(batch, result_sink, route, labels)
        except IntegrityError:
            result_sink = BulkResult()
            for row in batch:
                try:
                    with transaction.atomic():
                        _intake_batch([row], result_sink, route, labels)
                except IntegrityError as exc:
                    result_sink.failed.append((row.line, _("与已有数据冲突：%(e)s") % {"e": exc}))
        result.created += result_sink.created
        result.skipped += result_sink.skipped
        result.failed += result_sink.failed
    return result


def _intake_batch(
    batch: Sequence[BulkRow], result: BulkResult, route: bool, labels: Mapping[int, dict] | None
) -> None:
    # 1. Rows already imported (same intake key or external_ref) are skipped, as are
    #    repeats inside the batch.
    keys = [r.intake_key for r in batch]
    refs = [r.request.external_ref for r in batch if r.request.external_ref]
    taken_keys = set(
        Dispute.objects.filter(intake_key__in=keys).values_list("intake_key", flat=True)
    )
    taken_refs = set(
        Dispute.objects.filter(external_ref__in=refs).values_list("external_ref", flat=True)
    )
    fresh: list[BulkRow] = []
    seen_keys: set[str] = set()
    seen_refs: set[str] = set()
    for row in batch:
        ref = row.request.external_ref
        if row.intake_key in taken_keys or (ref and ref in taken_refs):
            result.skipped.append((row.line, _("已导入过")))
        elif row.intake_key in seen_keys or (ref and ref in seen_refs):
            result.skipped.append((row.line, _("与文件中前面的行重复")))
        else:
            seen_keys.add(row.intake_key)
            if ref:
                seen_refs.add(ref)
            fresh.append(row)
    if not fresh:
        return

    # 2. Histories are judged by the lifecycle, as if each action had been applied live.
    moves_of: dict[int, list[lifecycle.Move]] = {}
    valid: list[BulkRow] = []
    for row in fresh:
        try:
            moves_of[id(row)] = replay_history(row)
            valid.append(row)
        except lifecycle.LifecycleError as exc:
            result.failed.append((row.line, _("处理记录不符合流程：%(e)s") % {"e": exc}))
    fresh = valid

    # 3. Orders: known ones are looked up; unknown ones are created from the row's facts.
    #    Customers by phone, for the rows that have an order.
    orders, customers = orders_for(fresh, result)
    fresh = [r for r in fresh if r.request.order_no in orders]
    if not fresh:
        return

    # 4. Numbers: one reservation per intake day.
    by_day: dict[dt.date, list[BulkRow]] = defaultdict(list)
    for row in fresh:
        by_day[intake_day(received_at_of(row))].append(row)
    numbers: dict[int, str] = {}
    for day, day_rows in by_day.items():
        for row, number in zip(day_rows, reserve_numbers(day, len(day_rows)), strict=True):
            numbers[id(row)] = number

    # 5. Duplicates: an open dispute on the same order, already stored or earlier here.
    open_by_order: dict[int, Dispute] = {}
    for d in Dispute.objects.filter(
        order_id__in={o.pk for o in orders.values()}, is_open=True
    ).order_by("-received_at"):
        open_by_order[d.order_id] = d

    # 6. Rows that bring no category of their own are classified, in one batch.
    #    Labels made ahead (`labels`) are used; rows without one are classified here.
    unlabelled = [r for r in fresh if not r.category]
    known = labels or {}
    classified = {id(r): known[r.line] for r in unlabelled if r.line in known}
    missing = [r for r in unlabelled if id(r) not in classified]
    if missing:
        made = classify_texts([r.request.description for r in missing])
        classified.update(zip(map(id, missing), made, strict=True))

    team = Team.objects.filter(is_default=True).order_by("id").first()
    disputes: list[Dispute] = []
    finals: list[tuple[BulkRow, list[lifecycle.Move]]] = []
    duplicate_of: dict[int, Dispute] = {}  # index in `disputes` -> the open original
    for row in sorted(fresh, key=received_at_of):
        moves = moves_of[id(row)]
        final = moves[-1].target if moves else Status.RECEIVED
        req = row.request
        order = orders[req.order_no]
        label = classified.get(id(row))
        if label is not None:
            category, secondary = label["category"], label["categories"]
            severity, escalation = label["severity"], label["escalation_risk"]
        else:
            category, secondary = row.category or "other", []
            severity, escalation = row.severity or Severity.GENERAL, False
        dispute = build(
            Dispute,
            number=numbers[id(row)],
            channel=req.channel,
            status=final,
            is_open=final in lifecycle.OPEN,
            customer=customers[req.customer.phone],
            order=order,
            product_name=req.product_name,
            amount_paid=req.amount_paid if req.amount_paid is not None else order.amount_paid,
            claimed_amount=req.claimed_amount,
            occurred_at=req.occurred_at,
            description=req.description,
            search_text=search_form(req.description),
            search_tokens=dispute_tokens(
                description=req.description,
                customer_name=customers[req.customer.phone].name,
                customer_phone=customers[req.customer.phone].phone,
                order_no=order.order_no,
                platform_order_no=order.platform_order_no,
                external_ref=req.external_ref,
            ),
            confidence=label.get("confidence") if label is not None else None,
            needs_review=final in lifecycle.OPEN
            and needs_review_of(label.get("confidence") if label is not None else None),
            expectation=req.expectation,
            expectation_text=req.expectation_text,
            category=category,
            secondary_categories=secondary,
            severity=severity,
            severity_rank=SEVERITY_RANK[Severity(severity)],
            escalation_risk=escalation,
            team=team,
            external_ref=req.external_ref,
            intake_key=row.intake_key,
            received_at=received_at_of(row),
            closed_at=row.history[-1].at if final in lifecycle.TERMINAL else None,
            version=1 + len(moves),
        )
        original = open_by_order.get(order.pk)
        if original is not None:
            duplicate_of[len(disputes)] = original
        if dispute.is_open:
            open_by_order[order.pk] = dispute
        disputes.append(dispute)
        finals.append((row, moves))
    insert_many(disputes)
    # Originals from this same batch only have their pk now.
    for index, original in duplicate_of.items():
        disputes[index].duplicate_of = original
    if duplicate_of:
        Dispute.objects.bulk_update(
            [disputes[i] for i in duplicate_of], ["duplicate_of"], batch_size=500
        )

    events: list[Event] = []
    for dispute, (row, _moves) in zip(disputes, finals, strict=True):
        events.append(
            intake_event(
                dispute,
                actor=SYSTEM,  # an import: the system, named on the timeline by the file
                actor_label=row.actor_label,
                payload={
                    "channel": row.request.channel,
                    "order_no": row.request.order_no,
                    "customer_name": row.request.customer.name,
                    "line": row.line,
                },
            )
        )
        label = classified.get(id(row))
        if label is not None:
            events.append(classified_event(dispute, label, dispute.received_at))
        if dispute.duplicate_of is not None:
            events.append(duplicate_event(dispute, dispute.duplicate_of.number))
    messages = acknowledge_intakes(disputes)
    for dispute, message in zip(disputes, messages, strict=True):
        events.append(acknowledgement_event(dispute, message))
    for dispute, (row, moves) in zip(disputes, finals, strict=True):
        for step, move in zip(row.history, moves, strict=True):
            events.append(
                new_event(
                    DisputeKind.ACTION,
                    dispute=dispute,
                    action=move.action,
                    from_status=move.source,
                    to_status=move.target,
                    actor_label=step.actor_label,
                    reason=step.reason,
                    payload=step.payload,
                    at=step.at,
                )
            )
    if route:
        tasks, routed = route_imported(disputes)
        insert_many(tasks)
        events += routed
    insert_many(events)
    result.created += [(row.line, d.number) for d, (row, _m) in zip(disputes, finals, strict=True)]
