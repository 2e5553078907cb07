"""The order validator (aftersales.parties.order_input) and the masks of GET: pure, no
database."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.common.errors import ValidationFailed
from aftersales.mediation import entitlements as engine
from aftersales.parties.masking import mask_account, mask_address, mask_name
from aftersales.parties.models import Order, Product, Store
from aftersales.parties.order_input import (
    GOODS_KINDS,
    PAYMENT_CHANNELS,
    PLATFORMS,
    SALE_CHANNELS,
    SKU_MAX,
    component_sku,
    parse_order,
    read_order,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LINE = {"product": "空气炸锅", "sku": "AF-55", "quantity": 2, "unit_price": "329.00"}
BASE = {"store": "暖家电器旗舰店", "platform": "tmall", "lines": [LINE]}


def order(**over):
    return {**BASE, **over}


def problems(data, **kw):
    result, errors = read_order(data, **kw)
    assert result is None
    return errors


def test_the_smallest_order_and_its_defaults():
    got = parse_order(order(), order_no="N1")
    assert (got.order_no, got.store, got.platform, got.channel) == (
        "N1",
        "暖家电器旗舰店",
        "tmall",
        "online",
    )
    (line,) = got.lines
    assert line.paid == Decimal("658.00") and got.amount_paid == Decimal("658.00")
    assert (line.goods_kind, line.three_guarantees, line.warranty_days, line.bundle) == (
        None,
        None,
        None,
        None,
    )
    assert got.buyer is None and got.received_at is None


def test_codes_are_the_products_own():
    assert PLATFORMS == tuple(Store.Platform.values)
    assert PAYMENT_CHANNELS == tuple(Order.PaymentChannel.values)
    assert set(SALE_CHANNELS) == {c.value for c in engine.Channel}
    assert set(GOODS_KINDS) == {k.value for k in engine.GoodsKind} == set(Product.GoodsKind.values)


def test_a_signing_date_is_the_start_of_that_day_in_shanghai():
    got = parse_order(order(received_on="2026-11-30"), order_no="N1")
    assert got.received_on == dt.date(2026, 11, 30)
    assert got.received_at == dt.datetime(2026, 11, 30, tzinfo=SHANGHAI)


def test_a_signing_time_is_kept_and_its_date_is_shanghais():
    got = parse_order(order(received_on="2026-11-30T17:30:00Z"), order_no="N1")
    assert got.received_on == dt.date(2026, 12, 1)
    assert got.received_at == dt.datetime(2026, 12, 1, 1, 30, tzinfo=SHANGHAI)


def test_times_without_an_offset_are_shanghai_time():
    got = parse_order(order(paid_at="2026-11-28 10:00"), order_no="N1")
    assert got.paid_at == dt.datetime(2026, 11, 28, 10, tzinfo=SHANGHAI)


def test_signed_the_same_day_as_paid_is_fine_the_day_before_is_not():
    ok = order(paid_at="2026-11-28T23:00:00+08:00", received_on="2026-11-28")
    assert parse_order(ok, order_no="N1").received_on == dt.date(2026, 11, 28)
    bad = order(paid_at="2026-11-28T00:30:00+08:00", received_on="2026-11-27")
    assert "2026-11-28" in problems(bad, order_no="N1")["received_on"]


def test_signed_before_shipped_is_refused():
    data = order(shipped_at="2026-11-29T09:00:00+08:00", received_on="2026-11-28")
    assert "received_on" in problems(data, order_no="N1")


@pytest.mark.parametrize(
    ("paid", "ok"), [("658.00", True), ("600.00", True), ("0.00", True), ("658.01", False)]
)
def test_a_line_may_be_paid_up_to_quantity_times_unit_price(paid, ok):
    data = order(lines=[{**LINE, "paid": paid}])
    if ok:
        assert parse_order(data, order_no="N1").lines[0].paid == Decimal(paid)
    else:
        assert "658.00" in problems(data, order_no="N1")["lines.0.paid"]


@pytest.mark.parametrize("value", [329, 329.0, True, "3.29e2x", "-1", "1.001", "1e20"])
def test_money_is_a_decimal_string_in_yuan(value):
    errors = problems(order(lines=[{**LINE, "unit_price": value}]), order_no="N1")
    assert set(errors) == {"lines.0.unit_price"}


def test_money_from_an_exact_reader_is_taken():
    # The import reads JSONL numbers as Decimal (never float): exact, so accepted.
    got = parse_order(order(lines=[{**LINE, "unit_price": Decimal("329.5")}]), order_no="N1")
    assert got.lines[0].unit_price == Decimal("329.50")


@pytest.mark.parametrize("value", [0, -1, "x", 1.5, True, 100_001])
def test_quantity_is_a_whole_number_from_one(value):
    assert "lines.0.quantity" in problems(order(lines=[{**LINE, "quantity": value}]), order_no="N1")


def test_every_problem_is_named_with_the_prefix_given():
    data = {"platform": "amazon", "lines": [{"sku": "A"}, "oops"], "buyer": {"name": "宋艳"}}
    errors = problems(data, order_no="N1", prefix="order.")
    assert {
        "order.store",
        "order.platform",
        "order.lines.0.product",
        "order.lines.0.quantity",
        "order.lines.0.unit_price",
        "order.lines.1",
        "order.buyer.phone",
    } <= set(errors)


def test_the_order_number_in_the_body_must_match():
    assert parse_order(order(order_no="N1"), order_no="N1").order_no == "N1"
    assert "order_no" in problems(order(order_no="N2"), order_no="N1")
    assert parse_order(order(order_no="N3")).order_no == "N3"
    assert "order_no" in problems(order())


def test_a_buyer_account_alone_is_kept_without_a_customer():
    got = parse_order(order(buyer={"account": "tb_song"}), order_no="N1")
    assert got.buyer is None and got.buyer_account == "tb_song"


def test_the_buyer_phone_is_normalised():
    got = parse_order(order(buyer={"name": "宋艳", "phone": "+86 187-1234-8311"}), order_no="N1")
    assert got.buyer.phone == "18712348311"


def test_bundle_components_get_a_derived_sku_and_must_not_repeat():
    bundle = [
        {"product": "炸篮", "price": "39.00"},
        {"product": "烤架", "sku": "R1", "price": "9.90"},
    ]
    got = parse_order(order(lines=[{**LINE, "bundle": bundle}]), order_no="N1")
    assert [(b.sku, b.price, b.quantity) for b in got.lines[0].bundle] == [
        ("AF-55/炸篮", Decimal("39.00"), 1),
        ("R1", Decimal("9.90"), 1),
    ]
    twice = [{"product": "炸篮", "price": "39.00"}] * 2
    assert "lines.0.bundle.1.product" in problems(
        order(lines=[{**LINE, "bundle": twice}]), order_no="N1"
    )
    assert parse_order(order(lines=[{**LINE, "bundle": []}]), order_no="N1").lines[0].bundle == ()


def test_a_derived_component_sku_fits_and_is_stable():
    long = component_sku("B" * 60, "组成商品" * 10)
    assert len(long) <= SKU_MAX and long == component_sku("B" * 60, "组成商品" * 10)
    assert long != component_sku("B" * 60, "另一件" * 10)


def test_line_numbers_do_not_repeat_and_a_sku_says_one_thing():
    lines = [{**LINE, "line_no": "1"}, {**LINE, "line_no": "1"}]
    assert "lines.1.line_no" in problems(order(lines=lines), order_no="N1")
    lines = [{**LINE, "goods_kind": "general"}, {**LINE, "goods_kind": "custom_made"}]
    assert "lines.1.sku" in problems(order(lines=lines), order_no="N1")


def test_parse_order_raises_all_problems_at_once():
    with pytest.raises(ValidationFailed) as caught:
        parse_order({"platform": "x"}, order_no="N1")
    assert {"store", "platform", "lines"} <= set(caught.value.fields)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("浙江省杭州市西湖区文三路 1 号", "浙江省杭州市西湖区****"),
        ("北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("广西壮族自治区南宁市青秀区民族大道 100 号", "广西壮族自治区南宁市青秀区****"),
        ("江苏省苏州市昆山市玉山镇", "江苏省苏州市昆山市****"),
        ("广东省东莞市长安镇振安中路小区", "广东省东莞市****"),
        ("西湖区文三路市场", "西湖区****"),
        ("文三路 1 号", "文三****"),
        ("", ""),
    ],
)
def test_an_address_is_masked_after_the_district(address, masked):
    assert mask_address(address) == masked


def test_names_and_accounts_are_masked():
    assert (mask_name("宋艳"), mask_name("欧阳娜娜"), mask_name("")) == ("宋*", "欧***", "")
    assert (mask_account("tb_song"), mask_account("ab"), mask_account("")) == ("tb***g", "a*", "")
