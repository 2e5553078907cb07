"""Reads of mediation proposals: a dispute's proposals with their revisions, approvals
and agreement, in a fixed number of queries; the order's money the proposal rules need."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound
from aftersales.disputes.models import Dispute
from aftersales.fulfilment.flows import REFUND_TYPES, State
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.parties.models import BundleComponent, OrderLine

from . import money
from .models import (
    Proposal,
    ProposalApproval,
    ProposalRevision,
    ProposalState,
    SettlementAgreement,
)
from .remedies import RemedyItem


def _proposals(dispute: Dispute) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(dispute=dispute)
        .select_related("dispute", "agreement")
        .defer("agreement__pdf")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=ProposalRevision.objects.order_by("number").prefetch_related(
                    Prefetch("approvals", queryset=ProposalApproval.objects.order_by("at", "id"))
                ),
            )
        )
        .order_by("created_at", "id")
    )


def dispute_proposals(dispute: Dispute) -> list[Proposal]:
    return list(_proposals(dispute))


def dispute_proposal(dispute: Dispute, proposal_id: int) -> Proposal:
    """One proposal of this dispute; another dispute's answers 404."""
    proposal = _proposals(dispute).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("该投诉没有调解方案 %(id)s") % {"id": proposal_id})
    return proposal


def proposal_agreement(proposal: Proposal) -> SettlementAgreement:
    agreement = SettlementAgreement.objects.filter(proposal=proposal).first()
    if agreement is None:
        raise NotFound(_("该调解方案尚未达成调解协议书"))
    if not agreement.sha256:  # demo data: the record without a rendered PDF
        raise NotFound(_("该调解协议书没有生成 PDF（演示数据）"))
    return agreement


def _line_paid(line: OrderLine) -> Decimal:
    # OrderLine.paid came with the orders API (issue 10 item 0); lines before it: the price.
    return getattr(line, "paid", None) or line.unit_price * line.quantity


def disputed_lines(dispute: Dispute, lines: list[OrderLine]) -> list[OrderLine]:
    """The order lines the dispute is about, among its order's `lines` (products
    selected): its product's, else those whose product has the name the dispute gives;
    the only line of a one-line order. What a return refunds at most is their price."""
    if dispute.product_id is not None:
        found = [line for line in lines if line.product_id == dispute.product_id]
        if found:
            return found
    name = dispute.product_name.strip().casefold()
    found = [line for line in lines if name and line.product.name.strip().casefold() == name]
    return found or (lines if len(lines) == 1 else [])


def _refunds(order_ids: set[int]) -> dict[int, tuple[dict[int, Decimal], dict[int, Decimal]]]:
    """Per order, the refunds of each of its disputes: (executed, agreed in accepted
    proposals), each by dispute id. An agreement whose after-sale orders exist counts
    through them alone: a failed or cancelled order gives its refund back (the dispute
    went back to mediation, and a new proposal may agree it again)."""
    executions = (
        AfterSaleOrder.objects.filter(
            dispute__order_id__in=order_ids, type__in=REFUND_TYPES, amount__isnull=False
        )
        .exclude(state__in=(State.CANCELLED, State.FAILED))
        .values("dispute__order_id", "dispute_id")
        .annotate(total=Sum("amount"))
    )
    executed: dict[int, dict[int, Decimal]] = {pk: {} for pk in order_ids}
    for row in executions:
        executed[row["dispute__order_id"]][row["dispute_id"]] = row["total"]
    agreed: dict[int, dict[int, Decimal]] = {pk: {} for pk in order_ids}
    carried_out = SettlementAgreement.objects.filter(
        pk__in=AfterSaleOrder.objects.filter(dispute__order_id__in=order_ids).values("agreement_id")
    ).values("revision_id")
    accepted = (
        ProposalRevision.objects.filter(
            proposal__dispute__order_id__in=order_ids, state=ProposalState.ACCEPTED
        )
        .exclude(pk__in=carried_out)
        .values_list("proposal__dispute__order_id", "proposal__dispute_id", "remedies")
    )
    for order_id, dispute_id, lines in accepted:
        items = [RemedyItem.from_dict(d) for d in lines]
        per_dispute = agreed[order_id]
        per_dispute[dispute_id] = per_dispute.get(dispute_id, money.ZERO) + money.refunds_of(items)
    return {pk: (executed[pk], agreed[pk]) for pk in order_ids}


def _refunded(order_ids: set[int]) -> dict[int, Decimal]:
    """What each order has refunded or agreed to refund, over all its disputes."""
    return {pk: money.already_refunded(*both) for pk, both in _refunds(order_ids).items()}


def refunded_elsewhere(disputes: list[Dispute]) -> dict[int, Decimal]:
    """Per dispute, what its order has refunded or agreed to refund through its other
    disputes (an earlier price difference): the price the law returns is net of it."""
    order_ids = {d.order_id for d in disputes if d.order_id is not None}
    refunds = _refunds(order_ids) if order_ids else {}
    out: dict[int, Decimal] = {}
    for d in disputes:
        if d.order_id is None:
            out[d.pk] = money.ZERO
            continue
        executed, agreed = refunds[d.order_id]
        out[d.pk] = money.already_refunded(
            {k: v for k, v in executed.items() if k != d.pk},
            {k: v for k, v in agreed.items() if k != d.pk},
        )
    return out


def order_money(dispute: Dispute) -> money.OrderMoney:
    """The numbers of the dispute's order for `money.assess`: what was paid on it, what
    was already refunded or agreed (`_refunded`), what the goods in dispute cost (their
    order lines; else the dispute's amount paid) and the bundle line in dispute with its
    components. Without an order nothing is known: the money rules then count every
    refund toward authority."""
    return orders_money([dispute])[dispute.pk]


def orders_money(disputes: list[Dispute]) -> dict[int, money.OrderMoney]:
    """`order_money` of many disputes in four queries (orders: select them with the
    disputes)."""
    order_ids = {d.order_id for d in disputes if d.order_id is not None}
    lines_of: dict[int, list[OrderLine]] = {pk: [] for pk in order_ids}
    for line in (
        OrderLine.objects.filter(order_id__in=order_ids).select_related("product").order_by("id")
    ):
        lines_of[line.order_id].append(line)
    components: dict[int, list[money.Component]] = {}
    for c in (
        BundleComponent.objects.filter(
            bundle_id__in={line.product_id for lines in lines_of.values() for line in lines}
        )
        .select_related("component")
        .order_by("id")
    ):
        components.setdefault(c.bundle_id, []).append(
            money.Component(c.component.name, money.fen(c.unit_price * c.quantity))
        )
    refunded = _refunded(order_ids) if order_ids else {}
    return {
        d.pk: _order_money(d, lines_of.get(d.order_id, []), components, refunded) for d in disputes
    }


def _order_money(
    dispute: Dispute,
    lines: list[OrderLine],
    components: dict[int, list[money.Component]],
    refunded: dict[int, Decimal],
) -> money.OrderMoney:
    order = dispute.order
    if order is None:
        return money.OrderMoney()
    disputed = disputed_lines(dispute, lines)
    if disputed:
        goods_paid = sum((_line_paid(line) for line in disputed), money.ZERO)
    else:
        goods_paid = dispute.amount_paid if dispute.amount_paid is not None else order.amount_paid
    bundles = [line for line in (disputed or lines) if line.product_id in components]
    bundle = None
    if bundles:
        line = bundles[0]
        bundle = money.Bundle(
            line.product.name, money.fen(_line_paid(line)), tuple(components[line.product_id])
        )
    return money.OrderMoney(
        paid=money.fen(order.amount_paid),
        refunded=refunded[order.pk],
        goods_paid=money.fen(goods_paid),
        bundle=bundle,
    )
