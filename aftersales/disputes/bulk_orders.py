"""The orders of a bulk intake: known ones looked up, unknown ones created from what the
rows say about them — set-based (a few statements per batch, whatever its size), except
orders given whole (a JSONL row's `order` object), which the orders writer creates one
by one, as PUT /api/v1/orders does."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed
from aftersales.common.fastinsert import build, insert_many
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Customer, Order, OrderLine, Product, Store
from aftersales.parties.order_input import LineInput, OrderInput
from aftersales.parties.orders import order_upsert

if TYPE_CHECKING:
    from .bulk import BulkResult, BulkRow


@dataclass(frozen=True)
class OrderFacts:
    """What a row knows about its order; an unknown order is created from it."""

    store_code: str
    store_name: str
    platform: str
    amount_paid: Decimal
    product_name: str
    sku: str = ""
    product_category: str = ""
    payment_channel: str = ""
    sale_channel: str = Order.SaleChannel.ONLINE
    paid_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    platform_order_no: str = ""
    buyer_account: str = ""
    address: str = ""
    carrier: str = ""
    tracking_no: str = ""
    # The order line as the orders validator read it (quantity, prices, 子订单号, the
    # product's goods kind and 三包); None: one line of `amount_paid` for `product_name`.
    line: LineInput | None = None
    # An order given whole (a JSONL row's `order` object: lines, bundles, buyer): created
    # by the orders writer, the same as PUT /api/v1/orders.
    whole: OrderInput | None = None


def orders_for(
    rows: Sequence[BulkRow], result: BulkResult
) -> tuple[dict[str, Order], dict[str, Customer]]:
    order_nos = {r.request.order_no for r in rows}
    orders = {o.order_no: o for o in Order.objects.filter(order_no__in=order_nos)}
    missing = {r.request.order_no: r for r in rows if r.request.order_no not in orders}
    for row in rows:
        if row.request.order_no in missing and missing[row.request.order_no].order is None:
            result.failed.append(
                (row.line, _("订单 %(order_no)s 不存在") % {"order_no": row.request.order_no})
            )
    creatable = {no: r for no, r in missing.items() if r.order is not None}
    orders.update(_whole_orders(creatable, rows, result))
    creatable = {no: r for no, r in creatable.items() if r.order and r.order.whole is None}
    customers = _customers_for(
        [r for r in rows if r.request.order_no in orders or r.request.order_no in creatable]
    )
    if not creatable:
        return orders, customers
    facts = {no: r.order for no, r in creatable.items()}
    stores = _stores_for(facts.values())
    products = _products_for(facts.values())
    new_orders = [
        build(
            Order,
            order_no=no,
            store=stores[f.store_code],
            customer=customers[creatable[no].request.customer.phone],
            sale_channel=f.sale_channel,
            amount_paid=f.amount_paid,
            payment_channel=f.payment_channel,
            paid_at=f.paid_at,
            shipped_at=f.shipped_at,
            received_at=f.received_at,
            platform_order_no=f.platform_order_no,
            buyer_account=f.buyer_account,
            address=f.address,
            carrier=f.carrier,
            tracking_no=f.tracking_no,
        )
        for no, f in facts.items()
    ]
    insert_many(new_orders)
    insert_many(
        [
            build(
                OrderLine,
                order=o,
                product=products[_sku(facts[o.order_no])],
                **_line_values(facts[o.order_no]),
            )
            for o in new_orders
        ],
    )
    orders.update({o.order_no: o for o in new_orders})
    return orders, customers


def _whole_orders(
    creatable: Mapping[str, BulkRow], rows: Sequence[BulkRow], result: BulkResult
) -> dict[str, Order]:
    """Orders given whole, created one by one by the orders writer (each in a savepoint:
    one refused, e.g. a store known on another platform, fails only its rows)."""
    made: dict[str, Order] = {}
    for no, row in creatable.items():
        whole = row.order.whole if row.order else None
        if whole is None:
            continue
        try:
            made[no], _created = order_upsert(data=whole, actor=SYSTEM)
        except ValidationFailed as exc:
            why = "；".join(f"order.{k}：{v}" for k, v in exc.fields.items()) or exc.message
            result.failed += [(r.line, why) for r in rows if r.request.order_no == no]
    return made


def _line_values(f: OrderFacts) -> dict:
    line = f.line
    if line is None:
        return {"quantity": 1, "unit_price": f.amount_paid}
    return {
        "line_no": line.line_no,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "paid": line.paid,
    }


def auto_sku(product_name: str) -> str:
    """The SKU of a product a row names without one: the same name, the same SKU."""
    return "AUTO-" + hashlib.sha1(product_name.encode()).hexdigest()[:16]


def _sku(f: OrderFacts) -> str:
    return f.sku or auto_sku(f.product_name)


def _existing_or_created(model, key: str, wanted: dict, make) -> dict:
    """Rows of `model` whose `key` is in `wanted`, creating the missing ones with
    `make(key_value, wanted_value)` in one INSERT (a concurrent import may have made
    some meanwhile: those are skipped by the INSERT and read back)."""
    found = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": wanted})}
    new = [make(k, v) for k, v in wanted.items() if k not in found]
    insert_many(new, skip_taken=key)
    found.update({getattr(o, key): o for o in new if o.pk is not None})
    raced = [getattr(o, key) for o in new if o.pk is None]
    if raced:
        found.update({getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": raced})})
    return found


def _stores_for(facts: Iterable[OrderFacts]) -> dict[str, Store]:
    return _existing_or_created(
        Store,
        "code",
        {f.store_code: f for f in facts},
        lambda code, f: Store(code=code, name=f.store_name, platform=f.platform),
    )


def _products_for(facts: Iterable[OrderFacts]) -> dict[str, Product]:
    return _existing_or_created(
        Product,
        "sku",
        {_sku(f): f for f in facts},
        lambda sku, f: Product(
            sku=sku,
            name=f.product_name[:200] or sku,
            product_category=f.product_category,
            list_price=f.line.unit_price if f.line else f.amount_paid,
            **_product_attrs(f.line),
        ),
    )


def _customers_for(rows: Sequence[BulkRow]) -> dict[str, Customer]:
    return _existing_or_created(
        Customer,
        "phone",
        {r.request.customer.phone: r.request.customer for r in rows},
        lambda phone, c: build(Customer, name=c.name, phone=phone, email=c.email),
    )


def _product_attrs(line: LineInput | None) -> dict:
    """What a new product's row says about it (goods kind, 三包, warranty)."""
    if line is None:
        return {}
    given = {
        "goods_kind": line.goods_kind,
        "three_guarantees": line.three_guarantees,
        "warranty_days": line.warranty_days,
    }
    return {k: v for k, v in given.items() if v is not None}
