"""The one writer of orders from outside: `PUT /api/v1/orders/{order_no}`, intake with an
inline order, and the import's orders that come as objects (docs/orders.md).

Idempotent: every row is compared with what is stored and written only when it differs,
so the same order sent twice writes nothing the second time. Who may call it is decided
by the caller (aftersales.disputes.permissions.can_record_orders).
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed

from .models import BundleComponent, Customer, Order, OrderLine, Product, Store
from .order_input import SHANGHAI, BuyerInput, LineInput, OrderInput, store_code_for
from .services import customer_for_intake


@transaction.atomic
def order_upsert(*, data: OrderInput, actor) -> tuple[Order, bool]:
    """Create the order `data` describes, or bring the stored one to it; (order,
    created). The body is the whole order (PUT): a field it leaves out is cleared, the
    lines are the lines given. Products named by SKU are created or updated with the
    attributes a line gives; a line's `bundle` replaces its product's composition.
    `order.changes` lists what was written (empty when nothing differed). `actor` is
    who sent it; the permission is the caller's to check."""
    store = _store_for(data)  # may refuse (422) before anything is written
    customer = _customer_for(data.buyer)
    products, product_changes = _products_for(data.lines)
    for line in data.lines:
        if line.bundle is not None and _replace_components(products[line.sku], line):
            product_changes.append(f"products.{line.sku}.bundle")
    changes: list[str] = []
    wanted = {
        "store_id": store.pk,
        "customer_id": customer.pk if customer else None,
        "sale_channel": data.channel,
        "amount_paid": data.amount_paid,
        "payment_channel": data.payment_channel,
        "paid_at": data.paid_at,
        "shipped_at": data.shipped_at,
        "received_at": data.received_at,
        "tracking_no": data.tracking_no,
        "platform_order_no": data.platform_order_no,
        "buyer_account": data.buyer_account,
        "address": data.address,
        "carrier": data.carrier,
        "return_shipping_insurance": data.return_shipping_insurance,
    }
    order = Order.objects.select_for_update().filter(order_no=data.order_no).first()
    created = False
    if order is None:
        try:
            with transaction.atomic():  # a concurrent PUT of the same number may win
                order = Order.objects.create(order_no=data.order_no, **wanted)
                created = True
        except IntegrityError:
            order = Order.objects.select_for_update().get(order_no=data.order_no)
    if created:
        changes.append("order")
    else:
        changed = _order_changes(order, wanted, data)
        if changed:
            Order.objects.filter(pk=order.pk).update(**changed)
            for name, value in changed.items():
                setattr(order, name, value)
            changes += [name.removesuffix("_id") for name in changed]
    changes += _sync_lines(order, data.lines, products, new=created) + product_changes
    order.store = store
    order.customer = customer
    order.changes = changes
    return order, created


def _order_changes(order: Order, wanted: dict, data: OrderInput) -> dict:
    changed = {}
    for name, value in wanted.items():
        stored = getattr(order, name)
        if name == "received_at" and _same_signing_day(stored, data):
            continue
        if stored != value:
            changed[name] = value
    return changed


def _same_signing_day(stored: dt.datetime | None, data: OrderInput) -> bool:
    """A signing date given without a time keeps a stored time on that same day (an
    import's 签收时间 is more exact than the date)."""
    if stored is None or data.received_on is None or data.received_time is not None:
        return False
    return timezone.localtime(stored, SHANGHAI).date() == data.received_on


def _store_for(data: OrderInput) -> Store:
    """The store of that name on that platform, created if the name is new. A name
    already known on another platform is refused: the store was probably meant, the
    platform is the mistake."""
    stores = list(Store.objects.filter(name=data.store).order_by("id"))
    for store in stores:
        if store.platform == data.platform:
            return store
    if stores:
        known = stores[0]
        raise ValidationFailed(
            _("订单内容有误，请按提示修改"),
            fields={
                "platform": _("店铺“%(store)s”在平台 %(platform)s 上，不是 %(given)s")
                % {"store": known.name, "platform": known.platform, "given": data.platform}
            },
        )
    store, _created = Store.objects.get_or_create(
        code=store_code_for(data.platform, data.store),
        defaults={"name": data.store, "platform": data.platform},
    )
    return store


def _customer_for(buyer: BuyerInput | None) -> Customer | None:
    """The buyer's customer record by phone; an existing one is used as stored."""
    if buyer is None:
        return None
    found = Customer.objects.filter(phone=buyer.phone).first()
    return found if found is not None else customer_for_intake(buyer)


def _products_for(lines: tuple[LineInput, ...]) -> tuple[dict[str, Product], list[str]]:
    """Products by SKU, with what the lines say about them, created when new; and which
    were written."""
    by_sku = {line.sku: line for line in lines}
    found = {p.sku: p for p in Product.objects.filter(sku__in=by_sku)}
    written: list[str] = []
    for sku, line in by_sku.items():
        attrs = {"name": line.product}
        if line.goods_kind is not None:
            attrs["goods_kind"] = line.goods_kind
        if line.three_guarantees is not None:
            attrs["three_guarantees"] = line.three_guarantees
        if line.warranty_days is not None:
            attrs["warranty_days"] = line.warranty_days
        product = found.get(sku)
        if product is None:
            product, created = Product.objects.get_or_create(
                sku=sku, defaults={**attrs, "list_price": line.unit_price}
            )
            found[sku] = product
            if created:
                written.append(f"products.{sku}")
        changed = {k: v for k, v in attrs.items() if getattr(product, k) != v}
        if changed:
            Product.objects.filter(pk=product.pk).update(**changed)
            for name, value in changed.items():
                setattr(product, name, value)
            written.append(f"products.{sku}")
    return found, written


def _replace_components(bundle: Product, line: LineInput) -> bool:
    """Make `bundle`'s composition (BundleComponent, the one place mediation reads it
    from) the line's list; True if anything was written."""
    assert line.bundle is not None
    # Two orders of the same bundle at once replace its composition one after the other.
    Product.objects.select_for_update().filter(pk=bundle.pk).first()
    items = {item.sku: item for item in line.bundle}
    parts = {p.sku: p for p in Product.objects.filter(sku__in=items)}
    wrote = False
    for sku, item in items.items():
        if sku not in parts:
            parts[sku], _created = Product.objects.get_or_create(
                sku=sku, defaults={"name": item.product, "list_price": item.price}
            )
            wrote = True
    stored = {c.component_id: c for c in BundleComponent.objects.filter(bundle=bundle)}
    wanted = {parts[sku].pk: item for sku, item in items.items()}
    gone = [pk for pk in stored if pk not in wanted]
    if gone:
        BundleComponent.objects.filter(bundle=bundle, component_id__in=gone).delete()
        wrote = True
    for pk, item in wanted.items():
        row = stored.get(pk)
        if row is None:
            BundleComponent.objects.create(
                bundle=bundle, component_id=pk, quantity=item.quantity, unit_price=item.price
            )
            wrote = True
        elif (row.quantity, row.unit_price) != (item.quantity, item.price):
            BundleComponent.objects.filter(pk=row.pk).update(
                quantity=item.quantity, unit_price=item.price
            )
            wrote = True
    return wrote


def _sync_lines(
    order: Order, lines: tuple[LineInput, ...], products: dict[str, Product], *, new: bool
) -> list[str]:
    """The order's lines become `lines`: a stored line is matched by its 子订单号, else
    by position; only what differs is written."""
    stored = [] if new else list(OrderLine.objects.filter(order=order).order_by("id"))
    by_no = {line.line_no: line for line in stored if line.line_no}
    pairs: list[tuple[OrderLine | None, LineInput]] = []
    taken: set[int] = set()
    for given in lines:
        match = by_no.get(given.line_no) if given.line_no else None
        if match is not None and match.pk not in taken:
            taken.add(match.pk)
        else:
            match = None
        pairs.append((match, given))
    rest = iter(line for line in stored if line.pk not in taken)
    pairs = [(match or next(rest, None), given) for match, given in pairs]
    kept = {row.pk for row, _given in pairs if row is not None}
    changes: list[str] = []
    gone = [line.pk for line in stored if line.pk not in kept]
    if gone:
        OrderLine.objects.filter(pk__in=gone).delete()
        changes.append("lines")
    for index, (row, given) in enumerate(pairs):
        wanted = {
            "line_no": given.line_no,
            "product_id": products[given.sku].pk,
            "quantity": given.quantity,
            "unit_price": given.unit_price,
            "paid": given.paid,
        }
        if row is None:
            OrderLine.objects.create(order=order, **wanted)
            changes.append(f"lines.{index}")
            continue
        changed = {k: v for k, v in wanted.items() if getattr(row, k) != v}
        if changed:
            OrderLine.objects.filter(pk=row.pk).update(**changed)
            changes.append(f"lines.{index}")
    return [] if new else changes
