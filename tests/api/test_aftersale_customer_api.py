"""The customer's door to their after-sale orders (X-Customer-Token, the link sent with
the proposal): where each stands in their own words, filling in the return's tracking
number, confirming the refund arrived and the parcel was delivered. Another dispute's
link answers 404; bad input names the field and changes nothing."""

import pytest
from django.core.cache import cache

from aftersales.fulfilment import goods, payouts
from aftersales.fulfilment.aftersale_orders import aftersale_order_create, aftersale_step
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.parties.actors import SYSTEM
from tests.api.aftersale_helpers import REASON, executing
from tests.customer_link import last_link
from tests.mediation.proposal_helpers import CustomerClient

pytestmark = pytest.mark.django_db
URL = "/api/v1/disputes"


@pytest.fixture(autouse=True)
def _counters_from_zero():
    cache.clear()
    yield
    cache.clear()


def make(dispute, type_, **kw):
    return aftersale_order_create(dispute=dispute, type=type_, actor=SYSTEM, reason=REASON, **kw)


def door(dispute, *rest) -> str:
    return "/".join([f"{URL}/{dispute.number}/customer/aftersale-orders", *map(str, rest)])


@pytest.fixture
def case(default_team):
    dispute = executing()
    token, _code = last_link(dispute)
    return dispute, CustomerClient(token)


def test_the_customer_reads_their_orders_in_their_words(case):
    dispute, customer = case
    refund = make(dispute, "refund_shipped", amount="88.00")
    make(dispute, "return_refund", amount="100.00")
    response = customer.get(door(dispute))
    assert response.status_code == 200
    rows = response.json()
    assert [r["number"] for r in rows] == [refund.number, f"{dispute.number}-02"]
    assert rows[0]["kind"] == "已发货仅退款"
    assert rows[0]["status"] == "退款处理中"
    assert rows[0]["amount"] == "88.00"
    assert rows[1]["status"] == "商家即将提供退货地址"
    # No internal codes: neither our state nor the department that must act.
    text = response.content.decode()
    for code in ("awaiting_finance", "awaiting_return_address", "finance", "customer_service"):
        assert code not in text


def test_the_customer_fills_in_the_return_tracking(case):
    dispute, customer = case
    order = make(dispute, "return_refund", amount="100.00")
    goods.return_address_send(order=order, actor=SYSTEM, address="上海市售后仓")
    listed = customer.get(door(dispute)).json()[0]
    assert (listed["status"], listed["return_address"]) == (
        "请寄回商品并填写退货物流",
        "上海市售后仓",
    )
    assert listed["can_fill_return_tracking"] is True
    bad = customer.post(
        door(dispute, order.number, "return-shipment"), {"carrier": "顺丰", "tracking_no": "SF 1"}
    )
    assert bad.status_code == 422
    assert "tracking_no" in bad.json()["error"]["fields"]
    blank = customer.post(door(dispute, order.number, "return-shipment"), {"carrier": "顺丰"})
    assert blank.status_code == 422 and "tracking_no" in blank.json()["error"]["fields"]
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "awaiting_return"
    done = customer.post(
        door(dispute, order.number, "return-shipment"),
        {"carrier": "顺丰", "tracking_no": "SF1234567890"},
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "商品寄回途中"
    assert body["parcels"][0]["tracking_no"] == "SF1234567890"
    assert body["parcels"][0]["direction"] == "顾客寄回"
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "return_shipped"


def test_the_customer_confirms_the_refund_arrived(case):
    dispute, customer = case
    order = make(dispute, "refund_shipped", amount="50.00")
    early = customer.post(door(dispute, order.number, "arrival"))
    assert early.status_code == 409  # nothing paid yet
    aftersale_step(order=order, action="finance_approve", actor=SYSTEM)
    payouts.payout_record(order=order, reference="ALI-1", idempotency_key="c-1", actor=SYSTEM)
    listed = customer.get(door(dispute)).json()[0]
    assert (listed["paid_amount"], listed["can_confirm_arrival"]) == ("50.00", True)
    assert listed["expected_by"] is not None and listed["expected_rule"]
    confirmed = customer.post(door(dispute, order.number, "arrival"))
    assert confirmed.status_code == 200
    assert confirmed.json()["arrival_confirmed"] is True
    again = customer.post(door(dispute, order.number, "arrival"))
    assert again.status_code == 409


def test_the_customer_confirms_the_delivery(case):
    dispute, customer = case
    order = make(dispute, "reship", replacement="配件")
    make(dispute, "reship", replacement="另一件")
    early = customer.post(door(dispute, order.number, "delivery"))
    assert early.status_code == 409
    goods.shipment_send(order=order, carrier="圆通", tracking_no="YT1", actor=SYSTEM)
    assert customer.get(door(dispute)).json()[0]["can_confirm_delivery"] is True
    confirmed = customer.post(door(dispute, order.number, "delivery"))
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "已完成"


def test_another_disputes_link_answers_404(case):
    dispute, _customer = case
    order = make(dispute, "reship")
    other = executing(customer={"name": "李四", "phone": "13900001111"})
    other_customer = CustomerClient(last_link(other)[0])
    assert other_customer.get(door(dispute)).status_code == 404
    assert other_customer.post(door(dispute, order.number, "delivery")).status_code == 404
    # Its own dispute's URL with this dispute's order number: also 404.
    assert other_customer.post(door(other, order.number, "delivery")).status_code == 404
    assert CustomerClient("not-a-token").get(door(dispute)).status_code == 401
    assert AfterSaleOrder.objects.get(pk=order.pk).state == "awaiting_shipment"


def test_staff_steps_are_not_the_customers(case):
    dispute, customer = case
    order = make(dispute, "refund_shipped", amount="10.00")
    # The staff endpoints do not take the customer link.
    response = customer.post(
        f"{URL}/{dispute.number}/aftersale-orders/{order.number}/finance-approval"
    )
    assert response.status_code == 401
