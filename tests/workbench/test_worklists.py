"""财务付款 and 退货收货: who may open them (the API's grants), the rows in their scope
oldest first, the state filter, the XLSX download, and the forms inline — finance
approves and pays from the list (once per idempotency key), logistics receives a
return from it."""

from __future__ import annotations

from io import BytesIO

import pytest

from aftersales.disputes.models import Event
from aftersales.fulfilment.models import Payout
from aftersales.parties.roles import Role
from tests.workbench.test_aftersale_support import (
    agreed_order_at,
    form_data,
    logged_in,
    order_url,
)

pytestmark = pytest.mark.django_db


def test_finance_approves_and_pays_from_the_payouts_page(client):
    dispute, order = agreed_order_at("awaiting_finance")
    logged_in(client, Role.FINANCE)
    response = client.get("/workbench/payouts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page" data-nav="payouts"' in html
    assert f'id="order-{order.number}"' in html and 'class="cards worklist"' in html
    assert 'data-label="售后单号"' in html
    assert f"¥{order.amount:,.2f}" in html and "财务审核通过" in html

    body = form_data(order, "finance-approval", version=order.version)
    body.update({"next": "payouts", "list_status": "due"})
    response = client.post(order_url(order, "finance-approval"), body)
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/payouts/#order-{order.number}"
    order.refresh_from_db()
    assert order.state == "awaiting_payout"

    html = client.get("/workbench/payouts/?status=awaiting_payout").content.decode()
    assert f'id="order-{order.number}"' in html and "登记打款" in html
    assert f'name="as-{order.pk}-payout-idempotency_key"' in html
    body = form_data(
        order, "payout", version=order.version, reference="WX-PAY-778", idempotency_key="dbl-1"
    )
    body["next"] = "payouts"
    first = client.post(order_url(order, "payout"), body)
    second = client.post(order_url(order, "payout"), body)  # a double click
    assert (first.status_code, second.status_code) == (302, 302)
    assert Payout.objects.filter(aftersale_order=order).count() == 1
    order.refresh_from_db()
    assert order.state == "done"
    assert Event.objects.filter(dispute=dispute, kind="aftersale_state").count() >= 2
    # Gone from the due list; on the done list with its reference.
    assert f'id="order-{order.number}"' not in client.get("/workbench/payouts/").content.decode()
    done = client.get("/workbench/payouts/?status=done").content.decode()
    assert "WX-PAY-778" in done and order.number in done


def test_a_failed_form_comes_back_on_the_payouts_page_with_what_was_typed(client):
    _dispute, order = agreed_order_at("awaiting_payout")
    logged_in(client, Role.FINANCE)
    body = form_data(
        order, "payout", version=order.version, reference="", amount="5", idempotency_key="z"
    )
    body.update({"next": "payouts", "list_status": "due"})
    response = client.post(order_url(order, "payout"), body)
    assert response.status_code == 422
    html = response.content.decode()
    assert "<h1>财务付款</h1>" in html and 'value="5"' in html and "errorlist" in html


def test_the_payouts_page_downloads_its_list_as_xlsx(client):
    from openpyxl import load_workbook

    _dispute, order = agreed_order_at("awaiting_finance")
    logged_in(client, Role.FINANCE)
    response = client.get("/workbench/payouts/?status=due&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("投诉编号", "售后单号")
    assert any(row[1] == order.number for row in rows[1:])


def test_roles_without_the_list_are_refused(client):
    logged_in(client, Role.LOGISTICS)
    assert client.get("/workbench/payouts/").status_code == 403
    client.logout()
    logged_in(client, Role.FINANCE)
    assert client.get("/workbench/returns/").status_code == 403


def test_rows_are_limited_to_the_readers_scope(client):
    _dispute, order = agreed_order_at("awaiting_finance")
    logged_in(client, Role.QUALITY_CONTROL)  # no task on this dispute
    html = client.get("/workbench/returns/").content.decode()
    assert order.number not in html


def test_logistics_receives_a_return_from_the_returns_page(client):
    _dispute, order = agreed_order_at("return_shipped")
    logged_in(client, Role.LOGISTICS)
    html = client.get("/workbench/returns/?status=return_shipped").content.decode()
    assert f'id="order-{order.number}"' in html and "确认收货" in html
    assert order.parcels.get().tracking_no in html
    other = client.get("/workbench/returns/?status=awaiting_shipment").content.decode()
    assert order.number not in other  # the filter by state
    body = form_data(order, "receipt", version=order.version)
    body.update({"next": "returns", "list_status": "return_shipped"})
    response = client.post(order_url(order, "receipt"), body)
    assert response.status_code == 302
    assert response["Location"] == f"/workbench/returns/#order-{order.number}"
    order.refresh_from_db()
    assert order.state == "received"
    xlsx = client.get("/workbench/returns/?format=xlsx")
    assert xlsx["Content-Disposition"].startswith("attachment;")


def test_finance_records_the_insurers_payout_on_the_insurance_page(client):
    from aftersales.disputes.models import Dispute
    from aftersales.fulfilment.models import AfterSaleOrder
    from tests.factories import OrderFactory, carry_to, make_dispute, walk_to

    dispute = walk_to(make_dispute(OrderFactory(return_shipping_insurance=True)), "executing")
    order = AfterSaleOrder.objects.get(dispute=dispute, type="return_refund")
    assert order.shipping_insurance
    carry_to(order, "done")  # the refund paid: the insurer's payout is expected
    order.refresh_from_db()
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"
    logged_in(client, Role.FINANCE)
    html = client.get("/workbench/payouts/insurance/").content.decode()
    assert f'id="order-{order.number}"' in html and "登记运费险理赔" in html
    body = form_data(
        order, "insurance-payout", version=order.version, amount="12.00", reference="PICC-001"
    )
    body["next"] = "insurance"
    response = client.post(order_url(order, "insurance-payout"), body)
    assert response.status_code == 302, response.content.decode()[-1500:]
    assert response["Location"] == f"/workbench/payouts/insurance/#order-{order.number}"
    order.refresh_from_db()
    assert (order.insurance_reference, str(order.insurance_amount)) == ("PICC-001", "12.00")
    paid = client.get("/workbench/payouts/insurance/?status=paid").content.decode()
    assert "PICC-001" in paid and "¥12.00" in paid
    xlsx = client.get("/workbench/payouts/insurance/?status=paid&format=xlsx")
    assert xlsx["Content-Disposition"].startswith("attachment;")


def test_a_bounce_from_the_done_list_sends_the_order_back_to_finance(client):
    from aftersales.disputes.models import Dispute
    from tests.factories import carry_to

    dispute, order = agreed_order_at("awaiting_payout")
    carry_to(order, "done")
    order.refresh_from_db()
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"
    logged_in(client, Role.FINANCE)
    html = client.get("/workbench/payouts/?status=done").content.decode()
    assert "退款被退回" in html and "data-confirm" in html
    body = form_data(order, "bounce", version=order.version, reason="")
    body.update({"next": "payouts", "list_status": "done"})
    response = client.post(order_url(order, "bounce"), body)
    assert response.status_code == 422  # the reason; the done list shown again
    assert "退款被退回" in response.content.decode()
    body[f"as-{order.pk}-bounce-reason"] = "银行卡已注销，退款被退回"
    response = client.post(order_url(order, "bounce"), body)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "awaiting_finance"
    assert order.payouts.get().state == "bounced"
    assert Dispute.objects.get(pk=dispute.pk).status == "executing"


def test_a_handler_confirms_the_refund_arrived_on_the_customers_word(client):
    from tests.factories import carry_to

    dispute, order = agreed_order_at("awaiting_payout")
    carry_to(order, "done")
    logged_in(client, Role.AGENT)
    html = client.get(f"/workbench/disputes/{dispute.number}/").content.decode()
    assert "确认退款到账" in html
    order.refresh_from_db()
    response = client.post(
        order_url(order, "arrival"), form_data(order, "arrival", version=order.version)
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.arrival_confirmed_at is not None
    html = client.get(f"/workbench/disputes/{dispute.number}/").content.decode()
    assert "确认退款到账" not in html.split('id="aftersale-orders"')[1].split("</section>")[0]


def test_the_lists_read_a_fixed_number_of_queries_whatever_the_rows(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agreed_order_at("awaiting_finance")
    agreed_order_at("return_shipped")
    user = logged_in(client, Role.ADMIN)

    def count(url: str) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = {url: count(url) for url in ("/workbench/payouts/", "/workbench/returns/")}
    agreed_order_at("awaiting_finance")
    agreed_order_at("return_shipped")
    after = {url: count(url) for url in ("/workbench/payouts/", "/workbench/returns/")}
    assert after == before
