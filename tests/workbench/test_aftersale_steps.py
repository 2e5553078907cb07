"""The dispute page's after-sale order steps of the paperwork, beside test_aftersale_forms:
the return address sent (typed, or the store's default), the customer's payment of an
exchange's price difference, and an order cancelled with a reason. Each is made as its
user makes it — the dispute page, then the form posted to its address — and judged by
what the page shows afterwards: the order's state, the timeline, the error on the named
field with what was typed kept, a 403 for a role without the step. (Goods moving:
test_aftersale_parcels.)"""

from __future__ import annotations

import re

import pytest

from aftersales.parties.roles import Role
from tests.workbench.aftersale_page import (
    actions,
    card,
    field_error,
    fresh,
    hand_order,
    messages,
    page,
    refused_step,
    state_of,
    text,
    timeline,
)
from tests.workbench.test_aftersale_support import (
    agreed_order_at,
    form_data,
    logged_in,
    order_url,
    settled,
)

pytestmark = pytest.mark.django_db

ADDRESS = "广东省深圳市南山区科技园南区 8 栋 售后部 收"
STORE_ADDRESS = "浙江省宁波市鄞州区店铺默认退货仓"


# -- 发送退货地址 ---------------------------------------------------------------


def test_an_agent_sends_the_return_address_typed(client):
    dispute, order = agreed_order_at("awaiting_return_address")
    agent = logged_in(client, Role.AGENT)
    html = page(client, dispute)
    assert state_of(html, order) == "待发退货地址"
    assert "发送退货地址" in actions(html, order)
    assert "不填则使用店铺默认退货地址" in card(html, order)
    before = len(timeline(html, "aftersale_state"))

    response = client.post(
        order_url(order, "return-address"),
        form_data(order, "return-address", version=order.version, address=ADDRESS),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#order-{order.number}")
    assert f"售后单 {order.number}：发送退货地址 已登记" in messages(client, dispute)
    html = page(client, dispute)
    shown = text(card(html, order))
    assert state_of(html, order) == "待买家退货"
    assert f"退货地址 {ADDRESS}" in shown
    assert "发送退货地址" not in actions(html, order)  # done: the form is gone
    entries = timeline(html, "aftersale_state")
    assert len(entries) == before + 1 and agent.username in entries[0]


def test_no_address_typed_sends_the_stores_default(client, settings):
    settings.AFTERSALES_RETURN_ADDRESS = STORE_ADDRESS
    dispute, order = agreed_order_at("awaiting_return_address")
    logged_in(client, Role.AGENT)
    response = client.post(
        order_url(order, "return-address"),
        form_data(order, "return-address", version=order.version, address=""),
    )
    assert response.status_code == 302
    html = page(client, dispute)
    assert state_of(html, order) == "待买家退货"
    assert f"退货地址 {STORE_ADDRESS}" in text(card(html, order))


def test_no_address_and_no_store_default_names_the_field(client, settings):
    settings.AFTERSALES_RETURN_ADDRESS = ""
    _dispute, order = agreed_order_at("awaiting_return_address")
    logged_in(client, Role.AGENT)
    response = client.post(
        order_url(order, "return-address"),
        form_data(order, "return-address", version=order.version, address="   "),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "请填写退货地址（未配置默认退货地址）" in field_error(html, "address")
    assert state_of(html, order) == "待发退货地址"
    assert fresh(order).state == "awaiting_return_address"


def test_a_supervisor_may_not_send_the_return_address(client):
    dispute, order = agreed_order_at("awaiting_return_address")
    # The supervisor reads every dispute and acts on none.
    html = refused_step(
        client, dispute, order, Role.SUPERVISOR, "return-address", "发送退货地址", address=ADDRESS
    )
    assert '<th scope="row">退货地址</th>' not in card(html, order)


# -- 登记买家补款 (an exchange to a dearer item) ---------------------------------


def test_finance_records_the_customers_payment_of_the_price_difference(client):
    dispute, _agreed = settled()
    exchange = hand_order(dispute, "exchange", customer_pays="200.00", replacement="同款 80L")
    finance = logged_in(client, Role.FINANCE)
    html = page(client, dispute)
    shown = text(card(html, exchange))
    assert state_of(html, exchange) == "待买家补款"
    assert "买家应补 ¥200.00" in shown and "财务部" in shown
    assert "登记买家补款" in actions(html, exchange) and "买家补款金额（元）" in shown

    # Not what they owe: refused on the amount, the reference kept.
    response = client.post(
        order_url(exchange, "customer-payment"),
        form_data(
            exchange,
            "customer-payment",
            version=exchange.version,
            amount="150.00",
            reference="WX-BUCHA-0001",
            idempotency_key="pay-1",
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html, "amount")
    assert 'value="WX-BUCHA-0001"' in card(html, exchange)
    assert 'value="150.00"' in card(html, exchange)
    assert fresh(exchange).state == "awaiting_customer_payment"

    response = client.post(
        order_url(exchange, "customer-payment"),
        form_data(
            exchange,
            "customer-payment",
            version=exchange.version,
            amount="200.00",
            reference="WX-BUCHA-0001",
            idempotency_key="pay-2",
        ),
    )
    assert response.status_code == 302
    html = page(client, dispute)
    shown = text(card(html, exchange))
    assert state_of(html, exchange) == "待发退货地址"
    payments = re.search(r'<table class="cards payouts">.*?</table>', card(html, exchange), re.S)
    assert payments and "WX-BUCHA-0001" in text(payments.group(0))
    assert "¥200.00" in text(payments.group(0))
    assert "登记买家补款" not in actions(html, exchange)
    assert finance.username in timeline(html, "aftersale_state")[0]


def test_an_agent_may_not_record_the_customers_payment(client):
    dispute, _agreed = settled()
    exchange = hand_order(dispute, "exchange", customer_pays="200.00")
    paid = {"amount": "200.00", "reference": "WX-1", "idempotency_key": "k"}
    refused_step(client, dispute, exchange, Role.AGENT, "customer-payment", "登记买家补款", **paid)


# -- 取消 ----------------------------------------------------------------------


def test_an_agent_cancels_an_order_with_a_reason(client):
    dispute, order = agreed_order_at("awaiting_return_address")
    agent = logged_in(client, Role.AGENT)
    assert "取消" in actions(page(client, dispute), order)

    # No reason: the field is marked.
    response = client.post(
        order_url(order, "cancel"), form_data(order, "cancel", version=order.version, reason="")
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html, "reason")
    assert 'aria-invalid="true"' in card(html, order)
    # Too long: the field is marked and what was typed is kept.
    typed = "顾客改主意不退了，" * 60
    response = client.post(
        order_url(order, "cancel"),
        form_data(order, "cancel", version=order.version, reason=typed),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html, "reason")
    assert typed in card(html, order)
    assert fresh(order).state == "awaiting_return_address"

    reason = "顾客来电说已自行修好，不再退货"
    response = client.post(
        order_url(order, "cancel"), form_data(order, "cancel", version=order.version, reason=reason)
    )
    assert response.status_code == 302
    html = page(client, dispute)
    assert state_of(html, order) == "已取消"
    assert f"取消原因 {reason}" in text(card(html, order))
    entry = next(e for e in timeline(html, "aftersale_state") if reason in e)
    assert agent.username in entry


def test_logistics_may_not_cancel_an_order(client):
    dispute, order = agreed_order_at("return_shipped")  # logistics' to receive
    html = refused_step(
        client, dispute, order, Role.LOGISTICS, "cancel", "取消", reason="仓库要求取消"
    )
    assert "取消原因" not in card(html, order)
