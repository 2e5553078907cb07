"""The dispute page's after-sale order steps of goods moving, beside test_aftersale_forms:
the delivery (签收) of a shipped parcel confirmed, an exchange item out of stock (the
dispute back to mediation with the reason), and a parcel's tracking movement recorded up
to its delivery. Each is made as its user makes it — the dispute page, then the form
posted to its address — and judged by what the page shows afterwards: the order's state,
the parcel's row, the timeline, the error on the named field with what was typed kept, a
403 for a role without the step. (Paperwork: test_aftersale_steps.)"""

from __future__ import annotations

import re

import pytest

from aftersales.parties.roles import Role
from tests.factories import carry_to
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
    form_data,
    logged_in,
    order_url,
    settled,
)

pytestmark = pytest.mark.django_db


# -- 确认签收 ------------------------------------------------------------------


def shipped_reship(dispute):
    """A 补发 order by hand, shipped (our parcel on its way, not signed for)."""
    reship = hand_order(dispute, "reship", replacement="配件：进水阀")
    return fresh(carry_to(reship, "shipped"))


def signed_for(html: str, order) -> bool:
    """The card's parcel shows a 签收时间."""
    times = re.findall(r'data-label="签收时间">(.*?)</td>', card(html, order), re.S)
    assert times, "no parcel row"
    return all(t.strip() not in ("", "—") for t in times)


def test_an_agent_confirms_the_delivery_of_a_shipped_parcel(client):
    dispute, _agreed = settled()
    reship = shipped_reship(dispute)
    agent = logged_in(client, Role.AGENT)
    html = page(client, dispute)
    assert state_of(html, reship) == "已发货"
    assert "确认签收" in actions(html, reship)
    assert not signed_for(html, reship)
    before = len(timeline(html, "aftersale_state"))

    response = client.post(
        order_url(reship, "delivery"), form_data(reship, "delivery", version=reship.version)
    )
    assert response.status_code == 302
    assert f"售后单 {reship.number}：确认签收 已登记" in messages(client, dispute)
    html = page(client, dispute)
    assert state_of(html, reship) == "已完成"
    assert "确认签收" not in actions(html, reship)
    entries = timeline(html, "aftersale_state")
    assert len(entries) == before + 1 and agent.username in entries[0]


def test_confirming_the_delivery_signs_for_the_parcel(client):
    dispute, _agreed = settled()
    reship = shipped_reship(dispute)
    logged_in(client, Role.AGENT)
    response = client.post(
        order_url(reship, "delivery"),
        form_data(reship, "delivery", version=reship.version, note="顾客电话确认已收到补发件"),
    )
    assert response.status_code == 302
    html = page(client, dispute)
    assert state_of(html, reship) == "已完成"
    assert signed_for(html, reship)
    assert actions(html, reship) == []  # nothing more to track
    # The note typed on the form is on the timeline beside the move.
    assert "顾客电话确认已收到补发件" in timeline(html, "aftersale_state")[0]


def test_logistics_may_not_confirm_the_delivery(client):
    dispute, _agreed = settled()
    reship = shipped_reship(dispute)
    refused_step(client, dispute, reship, Role.LOGISTICS, "delivery", "确认签收")


# -- 缺货 (an exchange) ----------------------------------------------------------


def test_logistics_reports_an_exchange_item_out_of_stock_and_mediation_resumes(client):
    dispute, _agreed = settled()
    exchange = hand_order(dispute, "exchange", replacement="同款 60L 白色")
    # Returned and inspected: the replacement is logistics' to ship.
    exchange = fresh(carry_to(exchange, "awaiting_shipment"))
    logistics = logged_in(client, Role.LOGISTICS)
    html = page(client, dispute)
    assert "缺货" in actions(html, exchange)

    response = client.post(
        order_url(exchange, "out-of-stock"),
        form_data(exchange, "out-of-stock", version=exchange.version, reason="  "),
    )
    assert response.status_code == 422
    assert field_error(response.content.decode(), "reason")
    assert fresh(exchange).state == "awaiting_shipment"

    reason = "该型号已停产，全国仓无货"
    response = client.post(
        order_url(exchange, "out-of-stock"),
        form_data(exchange, "out-of-stock", version=exchange.version, reason=reason),
    )
    assert response.status_code == 302
    html = page(client, dispute)
    assert state_of(html, exchange) == "未能执行（退回调解）"
    assert f"取消原因 {reason}" in text(card(html, exchange))
    assert 'data-status="investigating">调查核实<' in html  # back to mediation
    back = timeline(html, "action")[0]
    assert "退回调解" in back and reason in back and exchange.number in back
    assert logistics.username in timeline(html, "aftersale_state")[0]


def test_finance_may_not_report_an_item_out_of_stock(client):
    dispute, _agreed = settled()
    # Finance sees the dispute through its task (the price difference to collect).
    exchange = hand_order(dispute, "exchange", customer_pays="50.00")
    refused_step(client, dispute, exchange, Role.FINANCE, "out-of-stock", "缺货", reason="无货")


# -- 登记物流轨迹 -----------------------------------------------------------------


def movement_url(dispute, parcel) -> str:
    return f"/workbench/disputes/{dispute.number}/parcels/{parcel.pk}/movements/"


def movement(parcel, **fields) -> dict:
    return {f"parcel-{parcel.pk}-{name}": value for name, value in fields.items()}


def test_logistics_records_a_parcel_movement_then_its_delivery(client):
    dispute, _agreed = settled()
    reship = shipped_reship(dispute)
    parcel = reship.parcels.get()
    logistics = logged_in(client, Role.LOGISTICS)
    html = page(client, dispute)
    assert f"登记物流轨迹 · {parcel.tracking_no}" in actions(html, reship)

    # Too long a description: refused on the field, what was typed kept.
    typed = "快件已到达杭州转运中心" * 20
    response = client.post(movement_url(dispute, parcel), movement(parcel, description=typed))
    assert response.status_code == 422
    html = response.content.decode()
    assert field_error(html, "description")
    assert typed in card(html, reship)

    response = client.post(
        movement_url(dispute, parcel), movement(parcel, description="快件已到达杭州转运中心")
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#order-{reship.number}")
    assert "物流更新已登记" in messages(client, dispute)
    html = page(client, dispute)
    assert "快件已到达杭州转运中心" in text(card(html, reship))
    assert state_of(html, reship) == "已发货"
    moved = timeline(html, "parcel_moved")
    assert len(moved) == 1 and logistics.username in moved[0]

    # Signed for: the carrier's word confirms the delivery of the order.
    response = client.post(
        movement_url(dispute, parcel),
        movement(parcel, description="已签收，本人签收", delivered="on"),
    )
    assert response.status_code == 302
    html = page(client, dispute)
    assert state_of(html, reship) == "已完成"
    assert signed_for(html, reship)
    assert actions(html, reship) == []  # nothing more to do or track
    assert len(timeline(html, "parcel_moved")) == 2


def test_quality_control_may_not_record_a_parcel_movement(client):
    dispute, _agreed = settled()
    reship = shipped_reship(dispute)
    parcel = reship.parcels.get()
    # QC sees the dispute through its task (a repair to start), not the parcels.
    carry_to(hand_order(dispute, "repair"), "received")
    logged_in(client, Role.QUALITY_CONTROL)
    assert actions(page(client, dispute), reship) == []
    response = client.post(movement_url(dispute, parcel), movement(parcel, description="已揽收"))
    assert response.status_code == 403
    html = page(client, dispute)
    assert timeline(html, "parcel_moved") == []
