"""`aftersales import` takes the order's own facts — signing date, payment, shipping,
line, product — in the same terms as the orders API, so entitlements can be worked out
on imported orders (docs/import.md, docs/orders.md)."""

import csv
import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.disputes.models import Dispute
from aftersales.intake.importing import run_import
from aftersales.mediation.selectors import dispute_facts
from aftersales.parties.models import BundleComponent, Customer, Order, OrderLine, Product
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = [
    "订单号", "线上单号", "子订单号", "店铺名称", "平台", "支付方式", "付款时间", "发货时间",
    "签收日期", "快递公司", "快递单号", "收货地址", "买家旺旺", "买家姓名", "买家手机",
    "商品名称", "商品编码", "商品性质", "三包", "保修天数", "数量", "成交单价", "实付金额",
    "问题描述",
]  # fmt: skip


def row(i: int, **over) -> dict:
    values = {
        "订单号": f"TM{i:06d}",
        "线上单号": f"38105581856554{i:05d}",
        "子订单号": f"{i}01",
        "店铺名称": "暖家电器天猫旗舰店",
        "平台": "天猫",
        "支付方式": "支付宝",
        "付款时间": "2026/11/28 10:00",
        "发货时间": "2026-11-29 09:00",
        "签收日期": "2026-11-30",
        "快递公司": "顺丰",
        "快递单号": f"SF12345{i:05d}",
        "收货地址": "浙江省杭州市西湖区文三路 1 号",
        "买家旺旺": "tb_song",
        "买家姓名": "宋艳",
        "买家手机": f"187{i:08d}",
        "商品名称": "家用空气炸锅 5.5 升",
        "商品编码": "AF-55",
        "商品性质": "普通商品",
        "三包": "否",
        "保修天数": "365",
        "数量": "2",
        "成交单价": "329.00",
        "实付金额": "600.00",
        "问题描述": "空气炸锅不加热，要求退货退款",
    }
    values.update(over)
    return values


def write_csv(path, rows, header=HEADER):
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for values in rows:
            w.writerow([values.get(h, "") for h in header])
    return path


def test_a_row_with_a_signing_date_gives_an_order_entitlements_can_be_worked_out_on(tmp_path):
    result = run_import(write_csv(tmp_path / "a.csv", [row(1)]))
    assert (result.created, result.bad, result.ignored_columns) == (1, [], [])
    order = Order.objects.get(order_no="TM000001")
    assert order.received_at == dt.datetime(2026, 11, 30, tzinfo=SHANGHAI)
    assert order.paid_at == dt.datetime(2026, 11, 28, 10, tzinfo=SHANGHAI)
    assert order.shipped_at == dt.datetime(2026, 11, 29, 9, tzinfo=SHANGHAI)
    assert (order.platform_order_no, order.payment_channel) == ("3810558185655400001", "alipay")
    assert (order.carrier, order.tracking_no) == ("顺丰", "SF1234500001")
    assert order.address == "浙江省杭州市西湖区文三路 1 号" and order.buyer_account == "tb_song"
    assert order.amount_paid == Decimal("600.00")
    (line,) = order.lines.all()
    assert (line.line_no, line.quantity, line.unit_price, line.paid) == (
        "101",
        2,
        Decimal("329.00"),
        Decimal("600.00"),
    )
    product = line.product
    assert (product.sku, product.goods_kind, product.three_guarantees, product.warranty_days) == (
        "AF-55",
        "general",
        False,
        365,
    )
    dispute = Dispute.objects.get(order=order)
    facts = dispute_facts(dispute)
    assert facts.missing == {} and facts.facts is not None
    assert (
        facts.facts.received_on == dt.date(2026, 11, 30) and facts.sources["received_on"] == "order"
    )


def test_a_signing_time_keeps_its_time_and_a_unit_price_may_be_left_out(tmp_path):
    values = row(2, **{"签收日期": "2026年11月30日 15时20分", "成交单价": "", "数量": "3"})
    values["实付金额"] = "100.00"
    header = [h if h != "签收日期" else "签收时间" for h in HEADER]
    values["签收时间"] = values.pop("签收日期")
    result = run_import(write_csv(tmp_path / "b.csv", [values], header=header))
    assert result.bad == [] and result.created == 1
    order = Order.objects.get(order_no="TM000002")
    assert order.received_at == dt.datetime(2026, 11, 30, 15, 20, tzinfo=SHANGHAI)
    (line,) = order.lines.all()
    # 100.00 over three: the price is rounded up to the fen, so 3 × price covers it.
    assert (line.quantity, line.unit_price, line.paid) == (3, Decimal("33.34"), Decimal("100.00"))


def test_bad_order_facts_are_bad_rows_naming_the_column_and_leave_nothing(tmp_path):
    rows = [
        row(3, **{"实付金额": "700.00"}),  # line 2: more than 2 × 329.00
        row(4, **{"签收日期": "2026-11-27"}),  # line 3: before payment
        row(5, **{"发货时间": "2026-11-27 09:00"}),  # line 4: shipped before paid
        row(6, **{"支付方式": "比特币"}),  # line 5
        row(7, **{"成交单价": "-1"}),  # line 6
        row(8, **{"数量": "0"}),  # line 7
        row(9, **{"签收日期": "2026-13-45"}),  # line 8
        row(10),  # line 9: fine
    ]
    before = {m: m.objects.count() for m in (Order, OrderLine, Product, Customer, Dispute)}
    result = run_import(write_csv(tmp_path / "c.csv", rows))
    bad = dict(result.bad)
    assert sorted(bad) == [2, 3, 4, 5, 6, 7, 8] and result.created == 1
    assert bad[2].startswith("实付金额：") and "329.00" in bad[2]
    assert bad[3].startswith("签收日期：") and "2026-11-28" in bad[3]
    assert bad[4].startswith("发货时间：")
    assert bad[5].startswith("支付方式：") and "alipay" in bad[5]
    assert bad[6].startswith("成交单价：") and "负数" in bad[6]
    assert bad[7].startswith("数量：")
    assert bad[8].startswith("签收日期：")
    after = {m: m.objects.count() for m in (Order, OrderLine, Product, Customer, Dispute)}
    assert {m.__name__: after[m] - before[m] for m in after} == {
        "Order": 1,
        "OrderLine": 1,
        "Product": 1,
        "Customer": 1,
        "Dispute": 1,
    }


def test_a_known_order_is_used_as_stored(tmp_path):
    known = OrderFactory(order_no="TM000011", received_at=None)
    result = run_import(write_csv(tmp_path / "d.csv", [row(11)]))
    assert result.created == 1 and result.bad == []
    known.refresh_from_db()
    assert known.received_at is None and known.tracking_no == ""


ORDER = {
    "store": "暖家电器旗舰店",
    "platform": "tmall",
    "channel": "live_stream",
    "buyer": {"name": "宋艳", "phone": "18712348311", "account": "tb_song"},
    "paid_at": "2026-11-28T10:00:00+08:00",
    "received_on": "2026-11-30",
    "lines": [
        {
            "line_no": "1",
            "product": "羊绒大衣礼盒",
            "sku": "GIFT-1",
            "quantity": 1,
            "unit_price": "899.00",
            "paid": "859.00",
            "bundle": [
                {"product": "羊绒大衣", "price": "799.00"},
                {"product": "羊绒围巾", "sku": "SCARF-1", "price": "200.00"},
            ],
        },
        {"line_no": "2", "product": "衣架", "sku": "HANGER", "quantity": 2, "unit_price": "5.00"},
    ],
}


def test_a_jsonl_row_may_carry_the_order_as_the_api_takes_it(tmp_path):
    good = {
        "order_no": "J-ORDER-1",
        "customer": {"name": "宋艳", "phone": "18712348311"},
        "description": "礼盒里的围巾起球",
        "order": ORDER,
    }
    broken = {
        **good,
        "order_no": "J-ORDER-2",
        "order": {**ORDER, "lines": [{**ORDER["lines"][0], "paid": "900.00"}]},
    }
    path = tmp_path / "o.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in (good, broken)) + "\n",
        encoding="utf-8",
    )
    result = run_import(path)
    assert result.created == 1 and result.ignored_columns == []
    ((line, reason),) = result.bad
    assert line == 2 and reason.startswith("order.lines.0.paid：")
    assert not Order.objects.filter(order_no="J-ORDER-2").exists()
    order = Order.objects.get(order_no="J-ORDER-1")
    assert order.sale_channel == "live_stream" and order.amount_paid == Decimal("869.00")
    assert order.received_at == dt.datetime(2026, 11, 30, tzinfo=SHANGHAI)
    assert [(x.product.sku, x.paid) for x in order.lines.order_by("id")] == [
        ("GIFT-1", Decimal("859.00")),
        ("HANGER", Decimal("10.00")),
    ]
    parts = BundleComponent.objects.filter(bundle__sku="GIFT-1").order_by("unit_price")
    assert [(p.component.sku, p.component.name, p.unit_price) for p in parts] == [
        ("SCARF-1", "羊绒围巾", Decimal("200.00")),
        ("GIFT-1/羊绒大衣", "羊绒大衣", Decimal("799.00")),
    ]


def test_orders_of_a_batch_are_written_set_based(tmp_path):
    """The bulk path writes orders, lines and products in a few statements per batch,
    however many rows carry order facts."""

    def inserts(n: int, start: int) -> int:
        rows = [row(start + i, **{"商品编码": f"SKU-{start + i}"}) for i in range(n)]
        path = write_csv(tmp_path / f"{start}.csv", rows)
        with CaptureQueriesContext(connection) as ctx:
            result = run_import(path)
        assert result.created == n
        tables = ("parties_order", "parties_orderline", "parties_product")
        return sum(
            1
            for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "COPY", "UPDATE"))
            and any(t in q["sql"] for t in tables)
        )

    few, many = inserts(3, 100), inserts(30, 200)
    assert few == many and few >= 3
