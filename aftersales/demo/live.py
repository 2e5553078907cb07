"""A few demo complaints taken in through the live intake path (not the bulk one), so the
demo shows triage at work: classification with its signals, department tasks, a group
complaint candidate for the team lead, a major case reported to management, and the
inbox notifications they make. Idempotent: each has a fixed intake key."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from aftersales.disputes.intake import validate_intake
from aftersales.intake.services import dispute_create
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Customer, Order, OrderLine, Product, Store

LIVE_KEY_PREFIX = "demo-live:"
# (customer, phone, product sku, what they wrote)
LIVE_COMPLAINTS = [
    (
        "黄晓燕",
        "13651230001",
        "DEMO-DOWN",
        "直播间买的羽绒服跑绒特别严重，穿一天身上全是毛，洗了一次就结块了，要求退货。",
    ),
    (
        "林志强",
        "13651230002",
        "DEMO-DOWN",
        "羽絨服跑絨很嚴重，穿了一天衣服上全是毛，洗了一次就結塊了，要求退貨退款。",
    ),
    (
        "郭敏",
        "13651230003",
        "DEMO-HEATER",
        "热水器漏电，洗澡时手被电麻了，孩子差点受伤，必须给个说法，否则打12315。",
    ),
    (
        "何俊",
        "13651230004",
        "DEMO-PHONE",
        "下单时主播说送耳机和手机壳，收到什么赠品都没有，第二天还降价三百，要求退差价。",
    ),
    ("罗丹", "13651230005", "DEMO-PHONE", "快递太暴力，箱子压扁了，手机屏幕碎了，要求补发一台。"),
]
PRODUCTS = {
    "DEMO-DOWN": ("轻薄羽绒服", Decimal("399.00"), 0),
    "DEMO-HEATER": ("60升电热水器", Decimal("1899.00"), 365),
    "DEMO-PHONE": ("5G 智能手机", Decimal("2999.00"), 365),
}


def demo_live_intakes(now: dt.datetime | None = None) -> int:
    """Take the live demo complaints in; returns how many were new."""
    now = now or timezone.now()
    store, _ = Store.objects.get_or_create(
        code="demo-live", defaults={"name": "演示直播间", "platform": Store.Platform.DOUYIN}
    )
    created = 0
    for i, (name, phone, sku, text) in enumerate(LIVE_COMPLAINTS, start=1):
        title, price, warranty = PRODUCTS[sku]
        product, _ = Product.objects.get_or_create(
            sku=sku,
            defaults={
                "name": title,
                "list_price": price,
                "warranty_days": warranty,
                "three_guarantees": warranty > 0,
            },
        )
        customer, _ = Customer.objects.get_or_create(phone=phone, defaults={"name": name})
        order, new_order = Order.objects.get_or_create(
            order_no=f"DEMO-LIVE-{i:04d}",
            defaults={
                "store": store,
                "customer": customer,
                "amount_paid": price,
                "paid_at": now - dt.timedelta(days=6),
                "shipped_at": now - dt.timedelta(days=5),
                "received_at": now - dt.timedelta(days=3),
            },
        )
        if new_order:
            OrderLine.objects.create(order=order, product=product, quantity=1, unit_price=price)
        request = validate_intake(
            {
                "channel": "portal",
                "order_no": order.order_no,
                "customer": {"name": name, "phone": phone},
                "description": text,
                "expectation": "return_refund",
            }
        )
        _, new = dispute_create(request=request, actor=SYSTEM, intake_key=f"{LIVE_KEY_PREFIX}{i}")
        created += new
    return created
