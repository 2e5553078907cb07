"""`aftersales import`: readers, column mapping, per-row validation, idempotency, the
reviews format and the command's output. Every fixture file is written in tmp_path."""

import csv
import datetime as dt
import io
import json
import random
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook

from aftersales.common.phones import normalize_phone
from aftersales.disputes.import_columns import FIELD_BY_KEY, column_key, time_text
from aftersales.disputes.import_readers import ImportFileError, format_for
from aftersales.disputes.import_reviews import guess_expectation, made_up
from aftersales.disputes.models import Dispute, Event
from aftersales.intake.importing import run_import
from aftersales.notifications.models import OutboundMessage
from aftersales.parties.models import Customer, Order, Product, Store
from tests.factories import OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "external_ref",
    "order_no",
    "store",
    "platform",
    "amount_paid",
    "customer_name",
    "customer_phone",
    "product_name",
    "description",
    "expectation",
]


def good(i: int, **over) -> dict:
    row = {
        "external_ref": f"EXT-{i}",
        "order_no": f"T{i:08d}",
        "store": "京东旗舰店",
        "platform": "jd",
        "amount_paid": "2999.00",
        "customer_name": "李四",
        "customer_phone": f"139{i:08d}",
        "product_name": "手机",
        "description": f"第{i}单：收到的手机屏幕有划痕，要求换货",
        "expectation": "exchange",
    }
    row.update(over)
    return row


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return path


def counts():
    return {
        m.__name__: m.objects.count()
        for m in (Dispute, Event, Customer, Order, Store, Product, OutboundMessage)
    }


def out_of(*args, **options) -> list[str]:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue().splitlines()


# -- formats and mapping -----------------------------------------------------------------


def test_csv_creates_disputes_with_new_orders_stores_and_customers(tmp_path):
    path = write_csv(tmp_path / "a.csv", [good(1), good(2, external_ref="")])
    result = run_import(path)
    assert (result.read, result.created, result.skipped, result.bad) == (2, 2, 0, [])
    d = Dispute.objects.get(external_ref="EXT-1")
    assert d.channel == "import" and d.expectation == "exchange"
    assert d.intake_key == "ext:EXT-1"
    assert d.order.order_no == "T00000001" and d.order.amount_paid == Decimal("2999.00")
    assert d.order.store.platform == "jd" and d.order.store.code.startswith("jd-")
    assert d.customer.phone == "13900000001" and d.order.customer == d.customer
    other = Dispute.objects.get(order__order_no="T00000002")
    assert other.external_ref is None and other.intake_key.startswith("row:")
    assert other.order.store == d.order.store  # same name and platform: one store
    kinds = set(d.events.values_list("kind", flat=True))
    assert {"intake", "acknowledgement"} <= kinds


def test_chinese_headers_labels_and_loose_values(tmp_path):
    when = (timezone.localtime() - dt.timedelta(days=3)).replace(second=0, microsecond=0)
    header = [
        "投诉单号",
        "订单编号",
        "店铺名称",
        "实付金额（元）",
        "买家姓名",
        " 联系电话 ",
        "商品",
        "投诉内容",
        "顾客诉求",
        "受理渠道",
        "申请时间",
        "付款时间",
        "备注",
    ]
    row = [
        "TS-88",
        "TB1001",
        "某某天猫旗舰店",  # the platform comes from the name
        "¥1,299.00",
        "王芳",
        "138 1234 5678",
        "电热水器",
        "热水器漏水，要求退货退款",
        "退货退款",
        "电话",
        when.strftime("%Y/%-m/%-d %H:%M"),
        (when - dt.timedelta(days=5)).strftime("%Y年%-m月%-d日"),
        "随便写的",
    ]
    result = run_import(write_csv(tmp_path / "b.csv", [row], header=header))
    assert result.created == 1, result.bad
    assert result.ignored_columns == ["备注"]
    d = Dispute.objects.get(external_ref="TS-88")
    assert d.channel == "phone" and d.expectation == "return_refund"
    assert d.amount_paid == Decimal("1299.00") and d.customer.phone == "13812345678"
    assert d.order.store.platform == "tmall"
    assert d.received_at == when
    assert timezone.localtime(d.order.paid_at).date() == (when - dt.timedelta(days=5)).date()


def test_gb18030_and_utf8_bom_csv(tmp_path):
    header = ["外部单号", "订单号", "店铺", "平台", "实付金额", "顾客姓名", "手机号", "问题描述"]
    row = ["G-1", "GB1", "京东旗舰店", "京东", "88.00", "赵敏", "13700000001", "裤子开线，掉色严重"]
    gbk = run_import(write_csv(tmp_path / "gbk.csv", [row], header=header, encoding="gb18030"))
    assert gbk.encoding == "gb18030" and gbk.created == 1, gbk.bad
    assert Dispute.objects.get(external_ref="G-1").description == "裤子开线，掉色严重"
    assert Dispute.objects.get(external_ref="G-1").customer.name == "赵敏"
    row2 = ["G-2", "GB2", *row[2:6], "13700000002", row[7]]
    bom = run_import(write_csv(tmp_path / "bom.csv", [row2], header=header, encoding="utf-8-sig"))
    assert bom.encoding == "utf-8-sig" and bom.created == 1 and not bom.ignored_columns


def test_xlsx_numbers_dates_and_spreadsheet_line_numbers(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["订单号", "店铺", "平台", "实付金额", "顾客姓名", "手机号", "问题描述", "投诉时间"])
    when = dt.datetime.now() - dt.timedelta(days=2)  # naive: a spreadsheet date
    when = when.replace(microsecond=0)
    ws.append(["X1", "抖音小店", "抖音", 199.5, "钱七", 13600000001, "面膜过敏", when])
    ws.append([])  # an empty row 3 is skipped, row numbers stay those of the sheet
    ws.append(["X2", "抖音小店", "抖音", 59, "孙八", 12345, "少发一件", when])
    ws.append(["X3", "抖音小店", "抖音", 10, "周九", "13600000003", "", when])
    wb.save(tmp_path / "c.xlsx")
    result = run_import(tmp_path / "c.xlsx")
    assert result.format == "xlsx" and result.read == 3
    assert result.created == 1
    assert [line for line, _ in result.bad] == [4, 5]
    assert "手机号：" in result.bad[0][1] and "问题描述：" in result.bad[1][1]
    d = Dispute.objects.get(order__order_no="X1")
    assert d.amount_paid == Decimal("199.50") and d.customer.phone == "13600000001"
    assert timezone.localtime(d.received_at).replace(tzinfo=None) == when


def test_jsonl_nested_customer_and_malformed_lines(tmp_path):
    lines = [
        json.dumps(
            {
                "external_ref": "J-1",
                "order_no": "J1",
                "store": "拼多多果园店",
                "platform": "pinduoduo",
                "amount_paid": 35.9,
                "customer": {"name": "吴十", "phone": "13500000001", "email": "wu@example.cn"},
                "description": "芒果烂了一半",
                "expectation": "补发",
                "extra_field": 1,
            },
            ensure_ascii=False,
        ),
        "",
        '{"order_no": "J2", oops',
        "[1, 2]",
        json.dumps(
            {
                "订单号": "J3",
                "店铺": "拼多多果园店",
                "平台": "拼多多",
                "实付金额": "20",
                "顾客姓名": "郑一",
                "手机号": "13500000003",
                "问题描述": "苹果有虫眼",
            },
            ensure_ascii=False,
        ),
    ]
    (tmp_path / "d.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_import(tmp_path / "d.jsonl")
    assert result.read == 4 and result.created == 2
    assert [line for line, _ in result.bad] == [3, 4]
    assert "JSON" in result.bad[0][1] and "JSON 对象" in result.bad[1][1]
    assert result.ignored_columns == ["extra_field"]
    d = Dispute.objects.get(external_ref="J-1")
    assert d.customer.email == "wu@example.cn" and d.expectation == "reship"
    assert d.amount_paid == Decimal("35.90")
    assert Dispute.objects.filter(order__order_no="J3").exists()


@pytest.mark.parametrize(
    "raw, iso",
    [
        ("2026/1/3 14:30", "2026-01-03T14:30:00"),
        ("2026.1.3", "2026-01-03"),
        ("2026年1月3日 14时30分", "2026-01-03T14:30:00"),
        ("2026年1月3日14:30:05", "2026-01-03T14:30:05"),
        ("2026-11-23T14:30:00+08:00", "2026-11-23T14:30:00+08:00"),
    ],
)
def test_dates_as_chinese_exports_write_them(raw, iso):
    assert time_text(raw) == iso


def test_column_names_match_loosely():
    assert FIELD_BY_KEY[column_key(" Order No ")] == "order_no"
    assert FIELD_BY_KEY[column_key("*订单号")] == "order_no"
    assert FIELD_BY_KEY[column_key("实付金额（元）")] == "amount_paid"
    assert FIELD_BY_KEY[column_key("sku")] == "sku"


def test_a_second_column_for_the_same_field_is_ignored(tmp_path):
    header = [*HEADER, "订单编号"]
    result = run_import(write_csv(tmp_path / "dup.csv", [[*good(1).values(), "OTHER-1"]], header))
    assert result.created == 1 and result.ignored_columns == ["订单编号"]
    assert Dispute.objects.get().order.order_no == "T00000001"


def test_format_from_extension_and_unknown_formats(tmp_path):
    assert format_for(tmp_path / "a.CSV", None) == "csv"
    assert format_for(tmp_path / "a.xlsx", None) == "xlsx"
    assert format_for(tmp_path / "a.jsonl", None) == "jsonl"
    assert format_for(tmp_path / "a.dat", "reviews") == "reviews"
    with pytest.raises(ImportFileError):
        format_for(tmp_path / "a.dat", None)
    with pytest.raises(ImportFileError):
        format_for(tmp_path / "a.csv", "xml")


# -- validation, line numbers, nothing partial ---------------------------------------------


def test_every_bad_row_is_reported_with_its_line_and_leaves_no_trace(tmp_path):
    existing = OrderFactory(order_no="OLD-1")
    rows = [
        good(1),  # line 2
        good(2, description="第一行\n第二行\n第三行"),  # lines 3-5: one record
        good(3, description="   "),  # line 6
        good(4, customer_phone="12345"),  # line 7
        good(5, amount_paid="-5.00"),  # line 8
        {**good(6), "expectation": "exchange", "store": "", "platform": ""},  # line 9
        good(7, order_no="OLD-1", store="", platform=""),  # line 10: known order, fine
        good(8, description="", customer_phone="abc", platform="ebay"),  # line 11
        good(9, amount_paid="12.345"),  # line 12
    ]
    rows[5]["order_no"] = "NOPE-6"
    header = [*HEADER, "channel"]
    path = write_csv(tmp_path / "bad.csv", [*rows, good(10, channel="fax")], header=header)
    before = counts()
    result = run_import(path)
    assert result.created == 3  # lines 2, 3-5 and 10
    bad = dict(result.bad)
    assert sorted(bad) == [6, 7, 8, 9, 11, 12, 13]
    assert bad[6] == "description：请填写问题描述"
    assert bad[7].startswith("customer_phone：联系电话格式不正确")
    assert bad[8] == "amount_paid：金额不能为负数"
    assert "订单 NOPE-6 不存在" in bad[9] and "店铺" in bad[9]
    assert [part.split("：")[0] for part in bad[11].split("；")] == [
        "platform",
        "customer_phone",
        "description",
    ]
    assert "两位小数" in bad[12]
    assert "未知的受理渠道“fax”" in bad[13]
    assert Dispute.objects.get(order=existing).customer.phone == "13900000007"
    assert Dispute.objects.get(order__order_no="T00000002").description.count("\n") == 2
    # Bad rows left nothing: no customer, order, dispute, event or message of theirs.
    for i in (3, 4, 5, 6, 8, 9, 10):
        assert not Customer.objects.filter(phone=f"139{i:08d}").exists()
        assert not Order.objects.filter(order_no=f"T{i:08d}").exists()
        assert not Dispute.objects.filter(external_ref=f"EXT-{i}").exists()
    after = counts()
    assert after["Dispute"] - before["Dispute"] == 3
    assert after["Order"] - before["Order"] == 2  # the known order was reused
    assert after["Customer"] - before["Customer"] == 3
    assert after["OutboundMessage"] - before["OutboundMessage"] == 3
    # intake, classified, routed and acknowledgement each
    assert after["Event"] - before["Event"] == 3 * 4


def test_missing_required_columns_and_extra_cells(tmp_path):
    with pytest.raises(ImportFileError, match="问题描述"):
        run_import(write_csv(tmp_path / "x.csv", [["1"]], header=["order_no", "customer_name"]))
    reviews_like = write_csv(
        tmp_path / "r.csv", [], header=["row", "product_category", "sentiment", "review"]
    )
    with pytest.raises(ImportFileError, match="--format reviews"):
        run_import(reviews_like)
    shifted = [good(1)[h] for h in HEADER]
    shifted[-2:] = ["屏幕坏了", "要求退货", "exchange"]  # an unquoted comma, cells shifted
    result = run_import(write_csv(tmp_path / "s.csv", [shifted, good(2)]))
    assert [line for line, _ in result.bad] == [2] and "多于表头" in result.bad[0][1]
    assert result.created == 1


# -- idempotency ---------------------------------------------------------------------------


def test_rerun_adds_nothing_by_external_ref_or_row_hash(tmp_path):
    rows = [good(i) for i in range(1, 4)] + [good(i, external_ref="") for i in range(4, 7)]
    rows.append(good(1, description="同一外部单号，内容不同"))  # line 8 repeats line 2's ref
    rows.append(good(4, external_ref=""))  # line 9 repeats line 5 exactly
    path = write_csv(tmp_path / "r.csv", rows)
    first = run_import(path)
    assert (first.created, first.skipped, len(first.bad)) == (6, 2, 0)
    assert [line for line, _ in first.repeats] == [8, 9]
    assert "与第 2 行重复" in first.repeats[0][1]
    state = counts()
    later = timezone.now() + dt.timedelta(seconds=30)  # rows without a time get "now"
    second = run_import(path, now=later)
    assert (second.read, second.created, second.skipped, second.bad) == (8, 0, 8, [])
    assert counts() == state


def test_store_given_by_name_reuses_the_existing_store(tmp_path):
    store = StoreFactory(code="jd-main", name="京东旗舰店", platform="jd")
    result = run_import(write_csv(tmp_path / "s.csv", [good(1), good(2)]))
    assert result.created == 2
    assert set(Order.objects.values_list("store", flat=True)) == {store.pk}


def test_ten_thousand_rows_with_300_bad_then_rerun_adds_nothing(tmp_path):
    n, n_bad = 10_000, 300
    rng = random.Random(20261123)
    bad_at = set(rng.sample(range(n), n_bad))
    breakers = [
        {"description": ""},
        {"customer_phone": "1234567"},
        {"amount_paid": "-1.00"},
        {"channel": "carrier_pigeon"},
        {"store": "", "platform": ""},  # unknown order and no store to create it from
        {"expectation": "free_stuff"},
    ]
    header = [*HEADER, "channel"]
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(n):
            row = good(i, external_ref=f"EXT-{i}" if i % 2 else "", channel="platform")
            if i in bad_at:
                row.update(breakers[i % len(breakers)])
            w.writerow([row[h] for h in header])
    started = time.monotonic()
    first = run_import(path)
    elapsed = time.monotonic() - started
    assert first.read == n
    assert first.created == n - n_bad == 9_700
    assert Dispute.objects.count() == 9_700
    assert [line for line, _ in first.bad] == sorted(i + 2 for i in bad_at)
    assert all(reason for _, reason in first.bad)
    assert elapsed < 60, elapsed
    again = run_import(path)
    assert (again.created, again.skipped, len(again.bad)) == (0, 9_700, 300)
    assert Dispute.objects.count() == 9_700


# -- the reviews format --------------------------------------------------------------------

REVIEWS = [
    ["row", "product_category", "sentiment", "review"],
    ["101", "热水器", "negative", "用了一个月就漏水，联系客服要求退货，一直没人理"],
    ["102", "手机", "negative", "手機收到就壞了，開不了機，要求換貨！"],  # Traditional
    ["103", "水果", "positive", "很甜，很新鲜，下次还来"],
    ["104", "衣服", "negative", "   "],
    ["105", "水果", "negative", "烂了好几个，\n第二箱也是，\n要求补发"],  # three lines
    ["106", "平板", "negative", "屏幕有坏点"],
]


def write_reviews(tmp_path):
    path = tmp_path / "reviews.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(REVIEWS)
    return path


def test_reviews_become_disputes_with_made_up_orders_and_customers(tmp_path):
    path = write_reviews(tmp_path)
    result = run_import(path, "reviews")
    assert (result.read, result.created, result.not_complaints) == (6, 4, 1)
    assert result.bad == [(5, "评价内容为空")]
    heater = Dispute.objects.get(external_ref="review:101")
    assert heater.expectation == "return_refund" and heater.claimed_amount == heater.amount_paid
    assert heater.order.order_no == "RV00000101"
    assert heater.product_name in {"储水式电热水器 60L", "零冷水燃气热水器 16L"}
    assert heater.order.store.platform == "jd" and heater.order.lines.count() == 1
    assert heater.order.paid_at < heater.order.shipped_at < heater.order.received_at
    assert heater.order.received_at < heater.received_at < timezone.now()
    assert timezone.now() - heater.received_at < dt.timedelta(days=90)
    assert normalize_phone(heater.customer.phone) == heater.customer.phone
    assert 2 <= len(heater.customer.name) <= 3
    phone = Dispute.objects.get(external_ref="review:102")
    assert phone.expectation == "exchange"  # 換貨, Traditional, is understood
    assert phone.description == "手機收到就壞了，開不了機，要求換貨！"
    assert "换货" in phone.search_text
    fruit = Dispute.objects.get(external_ref="review:105")
    assert fruit.expectation == "reship" and fruit.order.store.platform == "pinduoduo"
    assert not Dispute.objects.filter(external_ref="review:103").exists()
    assert Dispute.objects.get(external_ref="review:106").expectation == "other"
    again = run_import(path, "reviews")
    assert (again.created, again.skipped, again.not_complaints) == (0, 4, 1)
    assert Dispute.objects.count() == 4


def test_made_up_facts_are_deterministic_per_row():
    now = timezone.now()
    a_data, a_facts = made_up(42, "书籍", "书有缺页", now)
    b_data, b_facts = made_up(42, "书籍", "书有缺页", now)
    assert (a_data, a_facts) == (b_data, b_facts)
    c_data, _ = made_up(43, "书籍", "书有缺页", now)
    assert c_data["customer"]["phone"] != a_data["customer"]["phone"]
    phones = {made_up(r, "手机", "坏了", now)[0]["customer"]["phone"] for r in range(2000)}
    assert len(phones) == 2000
    assert guess_expectation("我要退款") == "refund"
    assert guess_expectation("要求賠償") == "compensation"
    assert guess_expectation("一般般") == "other"


def test_reviews_command_honours_only_negative(tmp_path):
    path = write_reviews(tmp_path)
    lines = out_of(str(path), format="reviews", only_negative=True)
    assert lines[0] == "读取 6 行，新建 4 件投诉，已存在跳过 0 行，错误 1 行"
    assert lines[1] == "按 --only-negative 略过好评 1 行"
    assert "第 5 行：评价内容为空" in lines
    lines = out_of(str(path), format="reviews")
    assert lines[0] == "读取 6 行，新建 0 件投诉，已存在跳过 4 行，错误 1 行"
    assert lines[1].startswith("好评不是投诉，略过 1 行")


# -- the command ---------------------------------------------------------------------------


def test_command_prints_summary_and_every_bad_row_and_writes_report(tmp_path):
    path = write_csv(
        tmp_path / "cmd.csv",
        [good(1), good(2, customer_phone="000"), good(3), good(4, description="")],
        header=[*HEADER, "备注"],
    )
    report = tmp_path / "report.csv"
    lines = out_of(str(path), report=str(report))
    assert lines[0] == "读取 4 行，新建 2 件投诉，已存在跳过 0 行，错误 2 行"
    assert "已忽略未识别的列：备注" in lines
    assert [x for x in lines if x.startswith("第 ")] == [
        "第 3 行：customer_phone：联系电话格式不正确："
        "应为 11 位手机号（如 13812341234）或带区号的固定电话",
        "第 5 行：description：请填写问题描述",
    ]
    with report.open(encoding="utf-8-sig", newline="") as f:
        assert [r[0] for r in csv.reader(f)] == ["line", "3", "5"]
    again = out_of(str(path), limit=2)
    assert again[0] == "读取 2 行，新建 0 件投诉，已存在跳过 1 行，错误 1 行"


def test_command_errors_for_missing_file_and_bad_format(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        out_of(str(tmp_path / "nope.csv"))
    path = write_csv(tmp_path / "a.csv", [good(1)])
    with pytest.raises(CommandError, match="不支持的格式"):
        out_of(str(path), format="xml")
    with pytest.raises(CommandError, match="扩展名"):
        out_of(str(path.rename(tmp_path / "a.dat")))
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="xlsx"):
        out_of(str(tmp_path / "broken.xlsx"))
    assert Dispute.objects.count() == 0
