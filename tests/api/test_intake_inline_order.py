"""POST /api/v1/disputes with the order itself (`"order": {...}`): an agent on the phone
is never blocked by an order no import has brought (docs/orders.md)."""

import copy

import pytest

from aftersales.disputes.models import Dispute, Event
from aftersales.parties.models import BundleComponent, Customer, Order, OrderLine, Product, Store
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"
ORDER = {
    "store": "暖家电器旗舰店",
    "platform": "tmall",
    "channel": "online",
    "payment_channel": "alipay",
    "buyer": {"name": "宋艳", "phone": "18712348311", "account": "tb_song"},
    "address": "浙江省杭州市西湖区文三路 1 号",
    "paid_at": "2026-11-28T10:00:00+08:00",
    "shipped_at": "2026-11-29T09:00:00+08:00",
    "received_on": "2026-11-30",
    "lines": [
        {
            "line_no": "1",
            "product": "家用空气炸锅 5.5 升",
            "sku": "AF-55",
            "goods_kind": "general",
            "three_guarantees": False,
            "warranty_days": 365,
            "quantity": 1,
            "unit_price": "329.00",
            "paid": "329.00",
            "bundle": [{"product": "炸篮", "price": "39.00"}],
        }
    ],
}


def intake(order_no="TM-PHONE-1", order=None, **over):
    body = {
        "channel": "phone",
        "order_no": order_no,
        "customer": {"name": "宋艳", "phone": "18712348311"},
        "description": "空气炸锅签收第二天就不加热了，要求退货退款。",
        "expectation": "return_refund",
        "order": copy.deepcopy(ORDER) if order is None else order,
    }
    body.update(over)
    return body


def rows():
    return {
        m.__name__: m.objects.count()
        for m in (Dispute, Event, Order, OrderLine, Product, BundleComponent, Store, Customer)
    }


@pytest.fixture
def client(agent, api_as):
    return api_as(agent)


def test_an_unknown_order_is_created_with_the_dispute_and_entitlements_are_worked_out(client):
    r = client.post(URL, intake())
    assert r.status_code == 201, r.json()
    number = r.json()["number"]
    dispute = Dispute.objects.select_related("order", "product").get(number=number)
    order = dispute.order
    assert order.order_no == "TM-PHONE-1" and order.amount_paid == 329
    assert order.store.name == "暖家电器旗舰店" and order.customer.phone == "18712348311"
    assert dispute.product.sku == "AF-55" and dispute.product_name == "家用空气炸锅 5.5 升"
    assert BundleComponent.objects.filter(bundle=dispute.product, unit_price="39.00").exists()

    r = client.get(f"{URL}/{number}/entitlements")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["evaluated"] is True and body["missing"] == {}
    assert body["facts"]["received_on"] == "2026-11-30"
    assert body["facts"]["channel"] == "online" and body["facts"]["goods_kind"] == "general"
    assert body["sources"]["received_on"] == "order" and body["sources"]["goods_kind"] == "product"


def test_the_entitlements_read_the_channel_and_goods_kind_given_not_defaults(client):
    order = copy.deepcopy(ORDER)
    order["channel"] = "live_stream"
    order["lines"][0].update(goods_kind="custom_made", three_guarantees=True, warranty_days=90)
    r = client.post(URL, intake("TM-PHONE-5", order=order))
    assert r.status_code == 201, r.json()
    facts = client.get(f"{URL}/{r.json()['number']}/entitlements").json()["facts"]
    assert (facts["channel"], facts["goods_kind"]) == ("live_stream", "custom_made")
    assert (facts["three_guarantees"], facts["warranty_days"]) == (True, 90)


def test_the_order_number_may_come_inside_the_order(client):
    order = copy.deepcopy(ORDER) | {"order_no": "TM-PHONE-2"}
    body = intake(order=order)
    del body["order_no"]
    r = client.post(URL, body)
    assert r.status_code == 201, r.json()
    assert Dispute.objects.get(number=r.json()["number"]).order.order_no == "TM-PHONE-2"


def test_a_known_order_is_used_as_stored_not_overwritten(client):
    known = OrderFactory(order_no="TM-KNOWN-1")
    before = list(Order.objects.filter(pk=known.pk).values())
    r = client.post(URL, intake("TM-KNOWN-1"))
    assert r.status_code == 201, r.json()
    assert Dispute.objects.get(number=r.json()["number"]).order == known
    assert list(Order.objects.filter(pk=known.pk).values()) == before
    assert not Product.objects.filter(sku="AF-55").exists()


def bad(path, value):
    order = copy.deepcopy(ORDER)
    target = order
    *parents, last = path
    for key in parents:
        target = target[key]
    target[last] = value
    return order


@pytest.mark.parametrize(
    ("order", "field"),
    [
        (bad(("lines", 0, "paid"), "400.00"), "order.lines.0.paid"),
        (bad(("lines", 0, "unit_price"), "-1.00"), "order.lines.0.unit_price"),
        (bad(("lines", 0, "bundle", 0, "price"), "-39.00"), "order.lines.0.bundle.0.price"),
        (bad(("received_on",), "2026-11-27"), "order.received_on"),
        (bad(("platform",), "amazon"), "order.platform"),
        (bad(("lines",), []), "order.lines"),
        (bad(("order_no",), "SOMETHING-ELSE"), "order.order_no"),
    ],
)
def test_a_bad_inline_order_is_refused_naming_its_field_and_nothing_is_written(
    client, order, field
):
    known = OrderFactory(order_no="TM-KNOWN-2")  # even a known order's copy must be right
    before = rows()
    for number in ("TM-PHONE-3", known.order_no):
        r = client.post(URL, intake(number, order=order))
        assert r.status_code == 422, r.json()
        assert field in r.json()["error"]["fields"], r.json()
    assert rows() == before


def test_a_store_known_on_another_platform_is_refused_under_order_platform(client):
    Store.objects.create(code="jd-nuanjia", name="暖家电器旗舰店", platform="jd")
    before = rows()
    r = client.post(URL, intake("TM-PHONE-4"))
    assert r.status_code == 422
    assert "order.platform" in r.json()["error"]["fields"]
    assert rows() == before


def test_without_an_order_an_unknown_number_is_still_refused(client):
    body = intake("TM-NOWHERE")
    del body["order"]
    before = rows()
    r = client.post(URL, body)
    assert r.status_code == 422 and "order_no" in r.json()["error"]["fields"]
    assert rows() == before
