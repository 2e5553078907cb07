"""The money rules every write of an after-sale order keeps (SPEC §7, issue 12 item 3).
Checked before the write, so a refused write changes nothing (422 naming the field).

- Refunds of the price on a (sales) order never exceed what was paid on it: the refunds
  agreed on its after-sale orders (neither cancelled nor failed), what cancelled or failed
  ones paid out anyway, and the refunds actually paid. Nothing is added for the law's
  extras (three-times damages, loss compensation): those are compensation lines
  (`compensation`, `shipping_compensation`), not refunds of the price, and are not capped
  by it.
- A payout pays exactly what remains of its order (amount − paid); a customer's payment
  exactly what they owe (买家应补).
- A bundle (套餐) partial refund — an order that names the components the customer
  `kept` — is the paid bundle price minus the listed prices of what is kept, never
  negative (the platforms' rule).
- `agreement_balance`: a dispute's executed money equals its agreement's money, line by
  line (the closure summary and the tests read it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, F, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed
from aftersales.common.money import bundle_partial_refund
from aftersales.disputes.models import Dispute
from aftersales.parties.models import BundleComponent, OrderLine

from . import flows
from .models import AfterSaleOrder, Payout

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
LIVE = [s.value for s in flows.State if s not in (flows.State.CANCELLED, flows.State.FAILED)]


def fen(value) -> Decimal:
    return Decimal(value).quantize(FEN)


def _refused(message: str, code: str, field: str = "amount", **extra) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: message}, extra=extra or None)


# -- refunds on a sales order ------------------------------------------------------------


def refunds_on_order(order_id: int, *, excluding: Sequence[int] = ()) -> Decimal:
    """The refunds of the price agreed or paid on a (sales) order: after-sale orders of
    every dispute of it — their amount when neither cancelled nor failed, else what they
    paid and was not bounced (a refund paid before a failed inspection stays paid)."""
    total = (
        AfterSaleOrder.objects.filter(dispute__order_id=order_id, type__in=flows.REFUND_TYPES)
        .exclude(pk__in=list(excluding))
        .aggregate(
            total=Sum(
                Case(
                    When(state__in=LIVE, then=Coalesce("amount", Value(ZERO))),
                    default=F("paid_amount"),
                )
            )
        )["total"]
    )
    return fen(total or ZERO)


def refunds_paid_on_order(order_id: int) -> Decimal:
    """The refunds of the price actually paid on a (sales) order: payouts to the customer
    not bounced, on its after-sale orders of a refund type."""
    total = Payout.objects.filter(
        aftersale_order__dispute__order_id=order_id,
        aftersale_order__type__in=flows.REFUND_TYPES,
        direction=Payout.Direction.TO_CUSTOMER,
        state=Payout.State.PAID,
    ).aggregate(total=Sum("amount"))["total"]
    return fen(total or ZERO)


def paid_on_order(order) -> Decimal:
    """What the customer paid on a (sales) order: its price paid, and the differences
    they paid for exchanges to dearer items (买家应补; refunded when the exchange fails)."""
    extra = Payout.objects.filter(
        aftersale_order__dispute__order_id=order.pk,
        direction=Payout.Direction.FROM_CUSTOMER,
        state=Payout.State.PAID,
    ).aggregate(total=Sum("amount"))["total"]
    return fen(order.amount_paid) + fen(extra or ZERO)


def _above_paid(paid: Decimal, before: Decimal) -> ValidationFailed:
    remaining = max(paid - before, ZERO)
    message = _(
        "退款合计超过订单实付金额：实付 %(paid)s 元，已退或已约定 %(before)s 元，"
        "最多还可退 %(remaining)s 元"
    ) % {"paid": f"{paid:.2f}", "before": f"{before:.2f}", "remaining": f"{remaining:.2f}"}
    return _refused(message, "refund_above_paid", refundable=f"{remaining:.2f}")


def check_new(dispute: Dispute, orders: Sequence[AfterSaleOrder]) -> None:
    """Refuse new orders that take the refunds on the dispute's order past what was paid,
    or whose bundle partial refund is not the bundle price minus what is kept."""
    for order in orders:
        if order.kept:
            check_bundle(dispute, order)
    if dispute.order_id is None:
        return
    paid = paid_on_order(dispute.order)
    adding = fen(sum((o.amount or ZERO for o in orders if o.type in flows.REFUND_TYPES), ZERO))
    if not adding:
        return
    before = refunds_on_order(dispute.order_id)
    if before + adding > paid:
        raise _above_paid(paid, before)


# -- payouts -----------------------------------------------------------------------------


def remaining(order: AfterSaleOrder) -> Decimal:
    """What the order still has to pay the customer: its amount less what payouts not
    bounced paid."""
    return max(fen(order.amount or ZERO) - fen(order.paid_amount or ZERO), ZERO)


def check_payout(order: AfterSaleOrder, amount: Decimal) -> None:
    """A payout to the customer: exactly what remains of the order, and (for a refund of
    the price) within what was paid on the sales order, counting the refunds paid."""
    due = remaining(order)
    if order.amount is None or due <= ZERO:
        message = _("该售后单没有待付金额")
        raise _refused(message, "nothing_due")
    if fen(amount) != due:
        message = _("打款金额应等于应付金额：应付 %(due)s 元") % {"due": f"{due:.2f}"}
        raise _refused(message, "payout_amount_mismatch", due=f"{due:.2f}")
    if order.kept:
        check_bundle(order.dispute, order)
    dispute = order.dispute
    if order.type in flows.REFUND_TYPES and dispute.order_id is not None:
        paid = paid_on_order(dispute.order)
        before = refunds_paid_on_order(dispute.order_id)
        if before + fen(amount) > paid:
            raise _above_paid(paid, before)


def check_customer_payment(order: AfterSaleOrder, amount: Decimal) -> None:
    """What the customer pays (买家应补, an exchange to a dearer item): exactly what the
    agreement says they owe."""
    owed = fen(order.customer_pays or ZERO)
    if owed <= ZERO:
        message = _("该售后单买家无需补款")
        raise _refused(message, "nothing_owed")
    if fen(amount) != owed:
        message = _("补款金额应等于买家应补金额：应补 %(owed)s 元") % {"owed": f"{owed:.2f}"}
        raise _refused(message, "customer_payment_mismatch", owed=f"{owed:.2f}")


# -- bundles -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleRefund:
    bundle: str  # the bundle product's name
    paid: Decimal  # what was paid for the bundle line
    kept: Decimal  # the listed prices of the components kept
    refund: Decimal  # paid − kept, never negative


def _bundle_lines(dispute: Dispute, order: AfterSaleOrder) -> list[OrderLine]:
    if order.order_line_id is not None:
        return [order.order_line]
    if dispute.order_id is None:
        return []
    return list(OrderLine.objects.filter(order_id=dispute.order_id).order_by("id"))


def bundle_refund(dispute: Dispute, order: AfterSaleOrder) -> BundleRefund | None:
    """The bundle partial refund of an order that names the components kept: the bundle
    line (the order's own, else the first of the sales order whose bundle has every
    component named) and its numbers. None: no such bundle."""
    wanted = [str(name).strip().casefold() for name in order.kept]
    for line in _bundle_lines(dispute, order):
        components = {}
        for c in BundleComponent.objects.filter(bundle_id=line.product_id).select_related(
            "component"
        ):
            price = fen(c.unit_price * c.quantity)
            components[c.component.name.strip().casefold()] = price
            components.setdefault(c.component.sku.strip().casefold(), price)
        if not components or any(name not in components for name in wanted):
            continue
        paid = fen(line.paid_amount)
        kept = fen(sum((components[name] for name in wanted), ZERO))
        return BundleRefund(line.product.name, paid, kept, bundle_partial_refund(paid, [kept]))
    return None


def check_bundle(dispute: Dispute, order: AfterSaleOrder) -> None:
    found = bundle_refund(dispute, order)
    if found is None:
        message = _("订单中没有包含这些组件的套餐：%(kept)s") % {
            "kept": "、".join(str(k) for k in order.kept)
        }
        raise _refused(message, "kept_unknown", field="kept")
    if order.amount is None or fen(order.amount) != found.refund:
        message = _(
            "套餐部分退款应为套餐实付 %(paid)s 元减去保留组件标价 %(kept)s 元，即 %(refund)s 元"
        ) % {
            "paid": f"{found.paid:.2f}",
            "kept": f"{found.kept:.2f}",
            "refund": f"{found.refund:.2f}",
        }
        raise _refused(message, "bundle_refund_mismatch", required=f"{found.refund:.2f}")


# -- a dispute's agreement against what was executed --------------------------------------


@dataclass(frozen=True)
class LineBalance:
    """One agreed line: the money agreed and the money executed (paid by its order once
    done; collected from the customer)."""

    agreement_id: int
    line: int
    number: str
    type: str
    state: str
    agreed: Decimal  # what the agreement gives the customer in money (0: goods, coupon…)
    executed: Decimal  # what payouts not bounced paid, once the order is done
    customer_owes: Decimal  # 买家应补 agreed
    customer_paid: Decimal  # collected from the customer

    @property
    def balanced(self) -> bool:
        return self.agreed == self.executed and self.customer_owes == self.customer_paid


def _collected(order_ids: Sequence[int]) -> dict[int, Decimal]:
    rows = (
        Payout.objects.filter(
            aftersale_order_id__in=order_ids,
            direction=Payout.Direction.FROM_CUSTOMER,
            state=Payout.State.PAID,
        )
        .values("aftersale_order_id")
        .annotate(total=Sum("amount"))
    )
    return {r["aftersale_order_id"]: fen(r["total"]) for r in rows}


def collected(order_id: int) -> Decimal:
    """What was collected from the customer on one after-sale order (买家应补 paid)."""
    return _collected([order_id]).get(order_id, ZERO)


def agreement_balance(dispute: Dispute, agreement_id: int | None = None) -> list[LineBalance]:
    """Line by line, the agreement's money against what was executed: the orders made
    from `agreement_id` (default: the dispute's latest agreement that has orders), in
    line order. A dispute carried out as agreed has every line `balanced`."""
    orders = AfterSaleOrder.objects.filter(dispute=dispute, agreement_id__isnull=False)
    if agreement_id is None:
        latest = orders.order_by("-created_at", "-id").values_list("agreement_id", flat=True)
        agreement_id = latest.first()
        if agreement_id is None:
            return []
    rows = list(orders.filter(agreement_id=agreement_id).order_by("remedy_line", "id"))
    collected = _collected([o.pk for o in rows])
    out = []
    for o in rows:
        money = flows.pays_out(o.type, o.compensation_form)
        out.append(
            LineBalance(
                agreement_id=agreement_id,
                line=o.remedy_line if o.remedy_line is not None else -1,
                number=o.number,
                type=o.type,
                state=o.state,
                agreed=fen(o.amount or ZERO) if money else ZERO,
                executed=fen(o.paid_amount) if money and o.state == flows.State.DONE else ZERO,
                customer_owes=fen(o.customer_pays or ZERO),
                customer_paid=collected.get(o.pk, ZERO),
            )
        )
    return out


def agreement_balanced(dispute: Dispute, agreement_id: int | None = None) -> bool:
    return all(line.balanced for line in agreement_balance(dispute, agreement_id))
