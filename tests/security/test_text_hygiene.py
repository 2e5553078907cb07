"""Issue 11 item 8: control characters and bidi overrides never reach the database from
intake — through the API (the dispute, its customer, the inline order) and the import —
while newlines and tabs of a description are kept."""

import csv

import pytest

from aftersales.common.text import clean_line, clean_text
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import DisputeKind
from aftersales.intake.importing import run_import
from aftersales.parties.models import Customer, Order
from tests.conftest import intake_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "张\u202e三" shows reversed text after it


@pytest.fixture
def client(agent, api_as):
    return api_as(agent)


def test_api_intake_stores_names_and_description_cleaned(client, order):
    body = intake_body(
        order,
        customer={"name": f"张{RLO}三\u200f", "phone": "13812341234"},
        description=f"热水器漏水\x1b[2J\x07，\r\n地板泡坏了{RLO}\u2066。\r第三行\t附图\x85末行\x9b",
        product_name="电热\u2067水器\x7f",
        expectation_text="要求\u061c退货\x0c退款",
    )
    response = client.post(URL, body)
    assert response.status_code == 201, response.content
    dispute = Dispute.objects.get(number=response.json()["number"])
    assert dispute.description == "热水器漏水[2J，\n地板泡坏了。\n第三行\t附图\n末行"
    assert dispute.product_name == "电热水器"
    assert dispute.expectation_text == "要求退货退款"
    assert Customer.objects.get(phone="13812341234").name == "张三"
    intake = Event.objects.get(dispute=dispute, kind=DisputeKind.INTAKE)
    assert intake.payload["customer_name"] == "张三"
    # What the API answers is what was stored.
    assert response.json()["description"] == dispute.description


def test_api_nul_is_refused_not_stored(client, order):
    """NUL is refused as unstorable by the request parser before intake sees it (a 422
    naming the field, tests/api/test_unstorable_input.py); nothing is stored."""
    response = client.post(URL, intake_body(order, description="漏水\x00\x1b"))
    assert response.status_code == 422
    assert "description" in response.json()["error"]["fields"]
    assert not Dispute.objects.exists()


def test_a_name_of_only_controls_is_missing(client, order):
    body = intake_body(order, customer={"name": f"{RLO}\x1b\u200e", "phone": "13812341234"})
    response = client.post(URL, body)
    assert response.status_code == 422
    assert "customer.name" in response.json()["error"]["fields"]


def test_inline_order_buyer_address_and_products_cleaned(client):
    order = {
        "store": f"暖家{RLO}旗舰店",
        "platform": "tmall",
        "buyer": {"name": f"宋{RLO}艳", "phone": "18712348311", "account": "tb\u202d_song"},
        "address": "浙江省杭州市\r\n西湖区\x1b文三路 1 号\u2069",
        "lines": [
            {
                "product": f"空气炸锅{RLO}",
                "sku": "AF-55",
                "quantity": 1,
                "unit_price": "329.00",
                "bundle": [{"product": "炸\x08篮", "price": "39.00"}],
            }
        ],
    }
    body = {
        "channel": "phone",
        "order_no": "TM-HYGIENE-1",
        "customer": {"name": "宋艳", "phone": "18712348311"},
        "description": "空气炸锅不加热",
        "order": order,
    }
    response = client.post(URL, body)
    assert response.status_code == 201, response.content
    stored = Order.objects.get(order_no="TM-HYGIENE-1")
    assert stored.address == "浙江省杭州市 西湖区文三路 1 号"
    assert stored.buyer_account == "tb_song"
    assert stored.store.name == "暖家旗舰店"
    assert stored.customer.name == "宋艳"
    names = set(stored.lines.values_list("product__name", flat=True))
    assert names == {"空气炸锅"}
    assert set(stored.lines.get().product.components.values_list("name", flat=True)) == {"炸篮"}


def test_import_stores_cleaned_text(tmp_path):
    path = tmp_path / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        row = {
            "order_no": "T-HYG-1",
            "store": "京东旗舰店",
            "platform": "jd",
            "amount_paid": "2999.00",
            "customer_name": f"李{RLO}四\x1b",
            "customer_phone": "13900000001",
            "product_name": "手机\u2066",
            "description": "屏幕有划痕\x00\x07\r\n要求换货\u202a",
            "address": f"北京市{RLO}朝阳区",
        }
        writer.writerow(row.keys())
        writer.writerow(row.values())
    result = run_import(path)
    assert (result.created, result.bad) == (1, [])
    dispute = Dispute.objects.get(order__order_no="T-HYG-1")
    assert dispute.description == "屏幕有划痕\n要求换货"
    assert dispute.customer.name == "李四"
    assert dispute.product_name == "手机"
    assert dispute.order.address == "北京市朝阳区"


@pytest.mark.parametrize(
    ("raw", "multiline", "expected"),
    [
        ("a\r\nb\rc\nd", True, "a\nb\nc\nd"),
        ("a\r\n b", False, "a b"),
        ("\ttab\tkept\t", True, "tab\tkept"),
        ("x\u2028y\u2029z", True, "x\ny\nz"),
        ("\ufeff张三", False, "张三"),
        ("👨\u200d👩\u200d👧", False, "👨\u200d👩\u200d👧"),  # emoji joiners stay
        ("".join(map(chr, range(0x20))) + "\x7f" + "".join(map(chr, range(0x80, 0xA0))), True, ""),
    ],
)
def test_clean_text(raw, multiline, expected):
    cleaned = clean_text(raw, multiline=multiline)
    assert cleaned == expected
    assert clean_text(cleaned, multiline=multiline) == cleaned
    if not multiline:
        assert clean_line(raw) == expected
