"""PUT/GET /api/v1/orders/{order_no}: create or update an order idempotently, read it back
masked, refuse bad input naming the field and writing nothing (docs/orders.md)."""

import copy
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.parties.models import BundleComponent, Customer, Order, OrderLine, Product, Store
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, StoreFactory, make_staff

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/orders/"
NO = "TM20261128001"
BODY = {
    "store": "暖家电器旗舰店",
    "platform": "tmall",
    "platform_order_no": "3810558185655490778",
    "channel": "online",
    "payment_channel": "alipay",
    "buyer": {"name": "宋艳", "phone": "18712348311", "account": "tb_song"},
    "address": "浙江省杭州市西湖区文三路 1 号",
    "paid_at": "2026-11-28T10:00:00+08:00",
    "shipped_at": "2026-11-29T09:00:00+08:00",
    "received_on": "2026-11-30",
    "carrier": "SF",
    "tracking_no": "SF1234567890",
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


def body(**over):
    data = copy.deepcopy(BODY)
    data.update(over)
    return data


def line(**over):
    data = copy.deepcopy(BODY["lines"][0])
    data.update(over)
    return data


@pytest.fixture
def client(agent, api_as):
    return api_as(agent)


def snapshot():
    """Every row an order PUT may write, as stored."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=repr)
        for model in (Order, OrderLine, Product, BundleComponent, Store, Customer)
    }


def writes(queries) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(verbs)]


def order_row():
    return Order.objects.values().get(order_no=NO)


# -- create, idempotency, update ---------------------------------------------------------


def test_put_creates_then_the_same_body_again_writes_nothing(client):
    first = client.put(URL + NO, body())
    assert first.status_code == 201, first.json()
    assert first.json()["changes"][0] == "order"
    stored = snapshot()
    with CaptureQueriesContext(connection) as ctx:
        again = client.put(URL + NO, body())
    assert again.status_code == 200, again.json()
    assert again.json()["changes"] == []
    assert writes(ctx.captured_queries) == [], "the same body twice must write no row"
    assert snapshot() == stored
    assert {k: v for k, v in again.json().items() if k != "changes"} == {
        k: v for k, v in first.json().items() if k != "changes"
    }


def test_the_order_as_stored(client):
    client.put(URL + NO, body())
    order = Order.objects.select_related("store", "customer").get(order_no=NO)
    assert order.store.name == "暖家电器旗舰店" and order.store.platform == "tmall"
    assert order.customer.phone == "18712348311" and order.customer.name == "宋艳"
    assert (order.platform_order_no, order.buyer_account) == ("3810558185655490778", "tb_song")
    assert (order.sale_channel, order.payment_channel) == ("online", "alipay")
    assert (order.carrier, order.tracking_no) == ("SF", "SF1234567890")
    assert order.address == "浙江省杭州市西湖区文三路 1 号"
    assert order.paid_at.isoformat() == "2026-11-28T02:00:00+00:00"
    # A signing date is stored as the start of that day in Asia/Shanghai.
    assert order.received_at.isoformat() == "2026-11-29T16:00:00+00:00"
    assert order.amount_paid == Decimal("329.00")
    (line,) = order.lines.all()
    assert (line.line_no, line.quantity, line.unit_price, line.paid) == (
        "1",
        1,
        Decimal("329.00"),
        Decimal("329.00"),
    )
    product = line.product
    assert (product.sku, product.name, product.goods_kind) == (
        "AF-55",
        "家用空气炸锅 5.5 升",
        "general",
    )
    assert (product.three_guarantees, product.warranty_days) == (False, 365)


def test_an_update_changes_only_what_differs(client):
    client.put(URL + NO, body())
    before = order_row()
    line_before = OrderLine.objects.values().get(order__order_no=NO)
    r = client.put(URL + NO, body(tracking_no="SF0000000001", carrier="顺丰"))
    assert r.status_code == 200
    assert sorted(r.json()["changes"]) == ["carrier", "tracking_no"]
    after = order_row()
    assert {k for k in after if after[k] != before[k]} == {"carrier", "tracking_no"}
    assert OrderLine.objects.values().get(order__order_no=NO) == line_before


def test_lines_follow_the_body_matched_by_line_no(client):
    client.put(URL + NO, body())
    kept = OrderLine.objects.get(order__order_no=NO)
    second = {
        "line_no": "2",
        "product": "油纸",
        "sku": "PAPER",
        "quantity": 2,
        "unit_price": "9.90",
    }
    r = client.put(URL + NO, body(lines=[second, line(quantity=2, paid="600.00")]))
    assert r.status_code == 200, r.json()
    lines = {x.line_no: x for x in OrderLine.objects.filter(order__order_no=NO)}
    assert lines["1"].pk == kept.pk and lines["1"].quantity == 2
    assert lines["2"].paid == Decimal("19.80")  # no `paid`: quantity × unit price
    assert Order.objects.get(order_no=NO).amount_paid == Decimal("619.80")
    r = client.put(URL + NO, body(lines=[second]))
    assert list(OrderLine.objects.filter(order__order_no=NO).values_list("line_no", flat=True)) == [
        "2"
    ]
    assert Product.objects.filter(sku="AF-55").exists()  # products are never removed


def test_a_field_left_out_is_cleared(client):
    client.put(URL + NO, body())
    data = body()
    del data["tracking_no"], data["received_on"]
    r = client.put(URL + NO, data)
    assert sorted(r.json()["changes"]) == ["received_at", "tracking_no"]
    order = Order.objects.get(order_no=NO)
    assert order.tracking_no == "" and order.received_at is None


def test_a_signing_date_keeps_a_more_exact_stored_time_of_that_day(client):
    client.put(URL + NO, body())
    exact = dt.datetime(2026, 11, 30, 15, 20, tzinfo=SHANGHAI)
    Order.objects.filter(order_no=NO).update(received_at=exact)
    r = client.put(URL + NO, body())
    assert r.json()["changes"] == [] and r.json()["received_on"] == "2026-11-30"
    assert Order.objects.get(order_no=NO).received_at == exact


def test_the_buyer_links_the_customer_by_phone_who_keeps_their_name(client):
    known = Customer.objects.create(name="宋女士", phone="18712348311")
    client.put(URL + NO, body())
    assert Order.objects.get(order_no=NO).customer == known
    assert Customer.objects.get(pk=known.pk).name == "宋女士"
    assert Customer.objects.count() == 1


def test_a_line_updates_its_product_by_sku(client):
    Product.objects.create(sku="AF-55", name="空气炸锅", three_guarantees=True, warranty_days=90)
    client.put(URL + NO, body())
    product = Product.objects.get(sku="AF-55")
    assert (product.name, product.three_guarantees, product.warranty_days) == (
        "家用空气炸锅 5.5 升",
        False,
        365,
    )
    without = line()
    for key in ("goods_kind", "three_guarantees", "warranty_days"):
        del without[key]
    client.put(URL + NO, body(lines=[without]))
    assert Product.objects.get(sku="AF-55").warranty_days == 365  # not given: kept


def test_bundle_components_land_in_bundle_component_and_are_replaced(client):
    client.put(URL + NO, body())
    (part,) = BundleComponent.objects.filter(bundle__sku="AF-55")
    assert (part.component.sku, part.component.name) == ("AF-55/炸篮", "炸篮")
    assert (part.quantity, part.unit_price) == (1, Decimal("39.00"))
    bundle = [
        {"product": "烤架", "sku": "RACK-1", "price": "19.90", "quantity": 2},
        {"product": "炸篮", "price": "35.00"},
    ]
    r = client.put(URL + NO, body(lines=[line(bundle=bundle)]))
    assert r.json()["changes"] == ["products.AF-55.bundle"]
    parts = BundleComponent.objects.filter(bundle__sku="AF-55").order_by("component__sku")
    assert [(p.component.sku, p.quantity, p.unit_price) for p in parts] == [
        ("AF-55/炸篮", 1, Decimal("35.00")),
        ("RACK-1", 2, Decimal("19.90")),
    ]
    no_bundle = line()
    del no_bundle["bundle"]
    client.put(URL + NO, body(lines=[no_bundle]))  # not given: the composition stays
    assert BundleComponent.objects.filter(bundle__sku="AF-55").count() == 2
    client.put(URL + NO, body(lines=[line(bundle=[])]))
    assert not BundleComponent.objects.filter(bundle__sku="AF-55").exists()


def test_a_new_store_is_created_and_a_known_one_reused_by_name(client):
    store = StoreFactory(name="暖家电器旗舰店", platform="tmall")
    client.put(URL + NO, body())
    assert Order.objects.get(order_no=NO).store == store
    client.put(URL + "TM-OTHER", body(store="新开的小店"))
    assert Store.objects.get(name="新开的小店").platform == "tmall"


# -- reading ------------------------------------------------------------------------------


def test_get_masks_personal_data_and_shows_lines_with_their_bundle(client):
    client.put(URL + NO, body())
    r = client.get(URL + NO)
    assert r.status_code == 200
    got = r.json()
    assert got["buyer"] == {"name": "宋*", "phone": "187****8311", "account": "tb***g"}
    assert got["address"] == "浙江省杭州市西湖区****"
    for secret in ("18712348311", "宋艳", "tb_song", "文三路"):
        assert secret not in r.content.decode()
    assert got["received_on"] == "2026-11-30"
    assert got["paid_at"] == "2026-11-28T10:00:00+08:00"
    assert got["amount_paid"] == "329.00"
    (only,) = got["lines"]
    assert only["bundle"] == [
        {"product": "炸篮", "sku": "AF-55/炸篮", "price": "39.00", "quantity": 1}
    ]
    assert (only["sku"], only["paid"], only["goods_kind"]) == ("AF-55", "329.00", "general")


def test_an_unknown_order_is_404_in_the_error_shape(client):
    r = client.get(URL + "NOPE")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found" and "NOPE" in r.json()["error"]["message"]


def test_an_old_line_without_paid_counts_quantity_times_price(client):
    order = OrderFactory(order_no="OLD-1", amount_paid=Decimal("1999.00"))
    assert OrderLine.objects.get(order=order).paid is None
    (only,) = client.get(URL + "OLD-1").json()["lines"]
    assert only["paid"] == "1999.00"


# -- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "write", "read"),
    [
        (Role.AGENT, 201, 200),
        (Role.TEAM_LEAD, 201, 200),
        (Role.ADMIN, 201, 200),
        (Role.SUPERVISOR, 403, 200),
        (Role.MANAGEMENT, 403, 200),
        (Role.FINANCE, 403, 403),
        (Role.QUALITY_CONTROL, 403, 403),
    ],
)
def test_who_may_write_and_read_orders(api_as, default_team, role, write, read):
    OrderFactory(order_no="READ-1")
    client = api_as(make_staff(role, team=default_team))
    before = snapshot()
    r = client.put(URL + NO, body())
    assert r.status_code == write, r.json()
    if write == 403:
        assert snapshot() == before
    assert client.get(URL + "READ-1").status_code == read


# -- refused ------------------------------------------------------------------------------


CASES = [
    ("paid above quantity × price", {"lines": [line(paid="329.01")]}, "lines.0.paid"),
    ("negative unit price", {"lines": [line(unit_price="-1.00", paid=None)]}, "lines.0.unit_price"),
    (
        "negative bundle price",
        {"lines": [line(bundle=[{"product": "炸篮", "price": "-39.00"}])]},
        "lines.0.bundle.0.price",
    ),
    ("signed before paid", {"received_on": "2026-11-27"}, "received_on"),
    (
        "signed before paid, in Shanghai",  # 11-27 20:00 UTC is 11-28 in Shanghai
        {"paid_at": "2026-11-27T20:00:00Z", "shipped_at": None, "received_on": "2026-11-27"},
        "received_on",
    ),
    ("shipped before paid", {"shipped_at": "2026-11-28T09:59:59+08:00"}, "shipped_at"),
    ("unknown platform", {"platform": "amazon"}, "platform"),
    ("unknown channel", {"channel": "door_to_door"}, "channel"),
    ("unknown payment channel", {"payment_channel": "bitcoin"}, "payment_channel"),
    ("unknown goods kind", {"lines": [line(goods_kind="used")]}, "lines.0.goods_kind"),
    ("no store", {"store": ""}, "store"),
    ("no platform", {"platform": None}, "platform"),
    ("no lines", {"lines": []}, "lines"),
    ("no product", {"lines": [line(product="")]}, "lines.0.product"),
    ("no sku", {"lines": [line(sku=None)]}, "lines.0.sku"),
    ("no quantity", {"lines": [line(quantity=None)]}, "lines.0.quantity"),
    ("no unit price", {"lines": [line(unit_price=None)]}, "lines.0.unit_price"),
    ("quantity 0", {"lines": [line(quantity=0)]}, "lines.0.quantity"),
    ("bad date", {"received_on": "2026-11-31"}, "received_on"),
    ("bad time", {"paid_at": "昨天"}, "paid_at"),
    ("another order_no", {"order_no": "TM-SOMETHING-ELSE"}, "order_no"),
    ("money as a JSON number", {"lines": [line(unit_price=329, paid=None)]}, "lines.0.unit_price"),
    ("money as a float", {"lines": [line(paid=329.0)]}, "lines.0.paid"),
    ("bad phone", {"buyer": {"name": "宋艳", "phone": "12345"}}, "buyer.phone"),
    ("too precise", {"lines": [line(unit_price="329.001", paid=None)]}, "lines.0.unit_price"),
]


@pytest.mark.parametrize(("case", "change", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(client, case, change, field):
    for fresh in (True, False):  # a new order, and an update of a stored one
        if not fresh:
            assert client.put(URL + NO, body()).status_code in (200, 201)
        before = snapshot()
        r = client.put(URL + NO, body(**change))
        assert r.status_code == 422, r.json()
        error = r.json()["error"]
        assert error["code"] == "validation_error"
        assert field in error["fields"], error
        assert snapshot() == before


def test_several_problems_are_reported_at_once(client):
    r = client.put(URL + NO, body(platform="amazon", lines=[line(paid="999.00", quantity=0)]))
    assert {"platform", "lines.0.quantity"} <= set(r.json()["error"]["fields"])


def test_money_as_a_number_gets_a_message_that_says_so(client):
    r = client.put(URL + NO, body(lines=[line(paid=329.0)]))
    assert "字符串" in r.json()["error"]["fields"]["lines.0.paid"]


def test_unknown_codes_name_the_choices(client):
    r = client.put(URL + NO, body(platform="amazon"))
    message = r.json()["error"]["fields"]["platform"]
    assert "amazon" in message and "tmall" in message and "pinduoduo" in message


def test_a_store_known_on_another_platform_is_refused_on_platform(client):
    StoreFactory(name="暖家电器旗舰店", platform="jd")
    before = snapshot()
    r = client.put(URL + NO, body())
    assert r.status_code == 422
    assert "jd" in r.json()["error"]["fields"]["platform"]
    assert snapshot() == before


def test_an_order_number_too_long_for_the_url_is_422(client):
    r = client.put(URL + "N" * 65, body())
    assert r.status_code == 422 and "order_no" in r.json()["error"]["fields"]
