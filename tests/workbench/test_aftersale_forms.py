"""The dispute page's after-sale orders (售后单) section: the forms each role sees, and
each move made through them with the real fulfilment services — finance approving and
paying (once per idempotency key), logistics shipping, QC failing an inspection, a
refused role, a stale version, bad input kept as typed."""

from __future__ import annotations

import pytest

from aftersales.disputes.models import Dispute, Event
from aftersales.fulfilment.aftersale_orders import aftersale_order_create
from aftersales.fulfilment.models import AfterSaleOrder, Parcel, Payout
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.workbench.test_aftersale_support import (
    agreed_order_at,
    form_data,
    logged_in,
    order_url,
    section,
    settled,
)

pytestmark = pytest.mark.django_db


def page(client, dispute):
    response = client.get(f"/workbench/disputes/{dispute.number}/")
    assert response.status_code == 200
    return response.content.decode()


def test_finance_sees_the_order_and_approves_and_pays_it_from_the_dispute_page(client):
    dispute, order = agreed_order_at("awaiting_finance")
    logged_in(client, Role.FINANCE)
    html = section(page(client, dispute), "aftersale-orders")
    assert order.number in html
    assert "退货退款" in html and "待财审" in html and "财务部" in html
    assert f"¥{order.amount:,.2f}" in html
    assert "财务审核通过" in html
    assert "登记打款" not in html  # not allowed in 待财审
    assert "取消" not in html  # cancelling is the handlers' (RECORD_EXECUTION)

    response = client.post(
        order_url(order, "finance-approval"),
        form_data(order, "finance-approval", version=order.version),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/disputes/{dispute.number}/#order-{order.number}")
    order.refresh_from_db()
    assert order.state == "awaiting_payout"

    html = section(page(client, dispute), "aftersale-orders")
    assert "登记打款" in html and "流水号" in html
    body = form_data(
        order, "payout", version=order.version, reference="BANK-20261205-01", idempotency_key="k1"
    )
    assert client.post(order_url(order, "payout"), body).status_code == 302
    # The same form sent again (a double click): paid once, and no error.
    again = client.post(order_url(order, "payout"), body)
    assert again.status_code == 302
    assert Payout.objects.filter(aftersale_order=order).count() == 1
    order.refresh_from_db()
    assert order.state == "done"
    assert order.paid_amount == order.amount
    paid = [
        e
        for e in Event.objects.filter(dispute=dispute, kind="aftersale_state")
        if (e.payload or {}).get("action") == "record_payout"
    ]
    assert len(paid) == 1
    assert paid[0].payload["reference"] == "BANK-20261205-01"
    dispute.refresh_from_db()
    assert dispute.status == "follow_up"  # the last order done completes the dispute
    html = section(page(client, dispute), "aftersale-orders")
    assert "已完成" in html and "BANK-20261205-01" in html and "已打款" in html


def test_a_role_without_the_grant_sees_no_form_and_is_refused(client):
    dispute, order = agreed_order_at("awaiting_finance")
    logged_in(client, Role.AGENT)  # a handler of the team: sees it, may not pay
    html = section(page(client, dispute), "aftersale-orders")
    assert order.number in html
    assert "财务审核通过" not in html
    response = client.post(
        order_url(order, "finance-approval"),
        form_data(order, "finance-approval", version=order.version),
    )
    assert response.status_code == 403
    # Refused before what was typed is judged: an empty form is refused the same way.
    assert client.post(order_url(order, "finance-approval"), {}).status_code == 403
    assert client.post(order_url(order, "payout"), {}).status_code == 403
    order.refresh_from_db()
    assert order.state == "awaiting_finance"


def test_a_stale_version_is_a_conflict_shown_on_the_page(client):
    _dispute, order = agreed_order_at("awaiting_finance")
    logged_in(client, Role.FINANCE)
    response = client.post(
        order_url(order, "finance-approval"),
        form_data(order, "finance-approval", version=order.version - 1),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'class="notice conflict"' in html and "已被他人修改" in html
    order.refresh_from_db()
    assert order.state == "awaiting_finance"


def test_bad_input_is_422_and_keeps_what_was_typed(client):
    _dispute, order = agreed_order_at("awaiting_payout")
    logged_in(client, Role.FINANCE)
    # The form's own check: no reference.
    body = form_data(order, "payout", version=order.version, amount="12.345", idempotency_key="x")
    response = client.post(order_url(order, "payout"), body)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="12.345"' in html and "errorlist" in html
    # The service's rule: more than is due, on the amount field, the reference kept.
    body = form_data(
        order,
        "payout",
        version=order.version,
        reference="REF-KEPT-1",
        amount=f"{order.amount + 100}",
        idempotency_key="y",
    )
    response = client.post(order_url(order, "payout"), body)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="REF-KEPT-1"' in html
    assert 'aria-invalid="true"' in html
    assert not Payout.objects.filter(aftersale_order=order).exists()


def test_logistics_records_a_shipment_with_carrier_and_tracking_number(client):
    dispute, _order = settled()
    reship = aftersale_order_create(
        dispute=dispute, type="reship", actor=SYSTEM, reason="电话中另行约定补发配件"
    )
    logged_in(client, Role.LOGISTICS)
    html = section(page(client, dispute), "aftersale-orders")
    assert "补发" in html and "待发货" in html and "快递单号" in html
    response = client.post(
        order_url(reship, "shipment"),
        form_data(reship, "shipment", version=reship.version, carrier="顺丰速运", tracking_no=""),
    )
    assert response.status_code == 422  # a tracking number is needed
    assert 'value="顺丰速运"' in response.content.decode()
    response = client.post(
        order_url(reship, "shipment"),
        form_data(
            reship, "shipment", version=reship.version, carrier="顺丰速运", tracking_no="SF1234567"
        ),
    )
    assert response.status_code == 302
    reship.refresh_from_db()
    assert reship.state == "shipped"
    parcel = Parcel.objects.get(aftersale_order=reship)
    assert (parcel.carrier, parcel.tracking_no, parcel.direction) == (
        "顺丰速运",
        "SF1234567",
        "to_customer",
    )
    html = section(page(client, dispute), "aftersale-orders")
    assert "SF1234567" in html and "登记物流轨迹" in html


def test_qc_failing_the_inspection_sends_the_dispute_back_to_mediation(client):
    dispute, order = agreed_order_at("received")
    logged_in(client, Role.QUALITY_CONTROL)
    html = section(page(client, dispute), "aftersale-orders")
    assert "验货报告" in html
    body = form_data(
        order,
        "inspection",
        version=order.version,
        passed="no",
        report="外壳有人为摔裂痕迹，非质量问题",
        good_quantity="0",
        defective_quantity="1",
    )
    response = client.post(order_url(order, "inspection"), body)
    assert response.status_code == 302, response.content.decode()[-2000:]
    order.refresh_from_db()
    assert order.state == "failed"
    assert order.inspections.get().passed is False
    dispute = Dispute.objects.get(pk=dispute.pk)
    assert dispute.status == "investigating"
    assert Event.objects.filter(dispute=dispute, action="renegotiate").exists()


def test_a_handler_adds_an_order_by_hand_with_a_reason(client):
    dispute, _order = settled()
    logged_in(client, Role.AGENT)
    html = section(page(client, dispute), "aftersale-orders")
    assert "手工登记售后单" in html
    url = f"/workbench/disputes/{dispute.number}/aftersale-orders/"
    response = client.post(url, {"as-create-type": "compensation", "as-create-amount": "20"})
    assert response.status_code == 422  # the reason
    assert 'value="20"' in response.content.decode()
    response = client.post(
        url,
        {
            "as-create-type": "compensation",
            "as-create-amount": "20",
            "as-create-compensation_form": "money",
            "as-create-reason": "电话中约定补偿 20 元",
        },
    )
    assert response.status_code == 302
    made = AfterSaleOrder.objects.filter(dispute=dispute, type="compensation").get()
    assert made.reason == "电话中约定补偿 20 元" and made.state == "awaiting_finance"


def test_qc_starts_and_records_a_repair_and_operations_issue_a_coupon(client):
    from django.utils import timezone

    from tests.factories import carry_to

    dispute, _order = settled()
    repair = aftersale_order_create(
        dispute=dispute, type="repair", actor=SYSTEM, reason="电话中约定先维修"
    )
    coupon = aftersale_order_create(
        dispute=dispute,
        type="compensation",
        compensation_form="coupon",
        actor=SYSTEM,
        reason="电话中约定补偿优惠券",
    )
    carry_to(repair, "received")
    repair.refresh_from_db()
    logged_in(client, Role.QUALITY_CONTROL)
    assert "开始维修" in section(page(client, dispute), "aftersale-orders")
    response = client.post(
        order_url(repair, "repair-start"), form_data(repair, "repair-start", version=repair.version)
    )
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.state == "repairing"
    today = timezone.localdate().isoformat()
    fields = dict(
        version=repair.version,
        fault="不加热",
        technician="李师傅",
        fixed="yes",
        started_on=today,
        finished_on=today,
        parts="温控器，加热管",
    )
    response = client.post(order_url(repair, "repair"), form_data(repair, "repair", **fields))
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.state == "awaiting_shipment"
    assert repair.repairs.get().parts == ["温控器", "加热管"]

    client.logout()
    logged_in(client, Role.OPERATIONS)
    html = section(page(client, dispute), "aftersale-orders")
    assert "发放优惠券" in html and "开始维修" not in html
    response = client.post(
        order_url(coupon, "coupon"),
        form_data(coupon, "coupon", version=coupon.version, reference="CPN-2026-88"),
    )
    assert response.status_code == 302
    coupon.refresh_from_db()
    assert coupon.state == "done"
