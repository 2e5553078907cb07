"""After-sale orders (售后单) through the staff API: every type walked end to end with the
role each step belongs to (finance pays, logistics ships and receives, QC inspects), the
failure paths, and bad input answered with a 4xx naming the field and nothing changed."""

import pytest

from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import AfterSaleOrder, Parcel, Payout
from aftersales.parties.roles import Role
from tests.api.aftersale_helpers import (
    actions,
    client,
    create,
    created,
    department_staff,
    executing,
    move,
    moved,
    orders_url,
    rewalk,
)
from tests.conftest import ApiClient
from tests.factories import TeamFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(default_team):
    return department_staff()


def status(dispute) -> str:
    return Dispute.objects.get(pk=dispute.pk).status


_keys = iter(range(10**6))


def pay(finance, dispute, order, **body) -> dict:
    """Finance approves and records the payout of an order waiting for finance."""
    order = moved(finance, dispute, order, "finance-approval")
    assert order["state"] == "awaiting_payout"
    body.setdefault("reference", f"ALI20261205{next(_keys):06d}")
    return moved(
        finance, dispute, order, "payout", body, headers={"Idempotency-Key": f"k{next(_keys)}"}
    )


def send_back(staff, dispute, order, tracking="SF1234567890") -> dict:
    """The return leg: address sent (agent), tracking filled (agent on the customer's
    word), goods received (logistics)."""
    agent, logistics = staff["agent"], staff["logistics"]
    order = moved(agent, dispute, order, "return-address", {"address": "上海市浦东新区售后仓 1 号"})
    assert order["state"] == "awaiting_return"
    assert order["return_address"] == "上海市浦东新区售后仓 1 号"
    order = moved(
        agent, dispute, order, "return-shipment", {"carrier": "顺丰", "tracking_no": tracking}
    )
    assert order["state"] == "return_shipped"
    assert order["parcels"][0]["tracking_no"] == tracking
    assert "receive" in actions(logistics.get(orders_url(dispute, order["number"])).json())
    order = moved(logistics, dispute, order, "receipt")
    assert order["state"] == "received"
    assert order["parcels"][0]["delivered_at"] is not None
    return order


def inspect(qc, dispute, order, *, passed=True, report="外观完好，功能正常") -> dict:
    return moved(
        qc,
        dispute,
        order,
        "inspection",
        {
            "passed": passed,
            "report": report,
            "good_quantity": 1 if passed else 0,
            "defective_quantity": 0 if passed else 1,
        },
    )


def ship_out(staff, dispute, order, tracking="YT9876543210") -> dict:
    order = moved(
        staff["logistics"], dispute, order, "shipment", {"carrier": "圆通", "tracking_no": tracking}
    )
    assert order["state"] == "shipped"
    order = moved(staff["agent"], dispute, order, "delivery")
    assert order["state"] == "done"
    return order


# -- money -------------------------------------------------------------------------------


def test_refund_walked_to_done(staff):
    dispute = executing()
    agent, finance = staff["agent"], staff["finance"]
    order = created(agent, dispute, "refund_shipped", amount="300")
    assert (order["state"], order["state_label"]) == ("awaiting_finance", "待财审")
    assert (order["amount"], order["paid_amount"]) == ("300.00", "0.00")
    assert (order["department"], order["department_label"]) == ("finance", "财务部")
    assert order["reason"] == "电话中另行约定"
    assert actions(order) == ["cancel"]  # the agent may not approve money
    seen = finance.get(orders_url(dispute, order["number"])).json()
    assert actions(seen) == ["finance_approve"]  # cancelling is the case handlers'
    order = moved(finance, dispute, order, "finance-approval", {"version": seen["version"]})
    assert order["state"] == "awaiting_payout"
    order = moved(
        finance,
        dispute,
        order,
        "payout",
        {"reference": "ALI2026120500001"},
        headers={"Idempotency-Key": "pay-1"},
    )
    assert order["state"] == "done"
    assert order["paid_amount"] == "300.00"
    assert order["payouts"][0]["reference"] == "ALI2026120500001"
    assert order["payouts"][0]["state"] == "paid"
    assert order["expected_by"] is not None and order["expected_rule"]
    assert order["allowed_actions"] == [] or actions(order) == ["bounce"]
    # The last order finished: the dispute goes on to the follow-up visit.
    assert status(dispute) == "follow_up"
    # The customer said it arrived (staff record it on their word).
    order = moved(agent, dispute, order, "arrival")
    assert order["arrival_confirmed_at"] is not None


@pytest.mark.parametrize(
    ("type_", "extra"),
    [
        ("refund_unshipped", {}),
        ("price_protection", {}),
        ("shipping_compensation", {}),
        ("compensation", {"compensation_form": "money"}),
    ],
)
def test_money_types_are_paid_by_finance(staff, type_, extra):
    dispute = executing()
    order = created(staff["agent"], dispute, type_, amount="50.00", **extra)
    assert order["state"] == "awaiting_finance"
    # Logistics may not touch money.
    assert move(staff["logistics"], dispute, order, "finance-approval").status_code in (403, 404)
    order = pay(staff["finance"], dispute, order)
    assert (order["state"], order["paid_amount"]) == ("done", "50.00")


def test_a_bounced_refund_goes_back_to_finance_with_the_reason(staff):
    dispute = executing()
    finance = staff["finance"]
    order = created(staff["agent"], dispute, "refund_shipped", amount="120.00")
    created(staff["agent"], dispute, "reship", replacement="滤芯")  # keeps the dispute executing
    order = pay(finance, dispute, order)
    assert "bounce" in actions(order)
    order = moved(finance, dispute, order, "bounce", {"reason": "银行卡已注销"})
    assert order["state"] == "awaiting_finance"
    assert order["department"] == "finance"
    assert order["paid_amount"] == "0.00"
    assert order["payouts"][0]["state"] == "bounced"
    assert order["payouts"][0]["bounce_reason"] == "银行卡已注销"
    # Paid again to another account.
    order = pay(finance, dispute, order, channel="platform_balance")
    assert (order["state"], order["paid_amount"]) == ("done", "120.00")


def test_compensation_coupon_and_gift(staff):
    dispute = executing()
    agent = staff["agent"]
    coupon = created(agent, dispute, "compensation", compensation_form="coupon")
    gift = created(agent, dispute, "compensation", compensation_form="gift", replacement="保温杯")
    assert (coupon["state"], coupon["state_label"]) == ("awaiting_issue", "待发券")
    assert coupon["compensation_form_label"] == "优惠券"
    assert move(agent, dispute, coupon, "coupon", {"reference": ""}).json()["error"]["fields"] == {
        "reference": "请填写优惠券券码或批次号"
    }
    coupon = moved(agent, dispute, coupon, "coupon", {"reference": "CPN-2026-0001"})
    assert coupon["state"] == "done"
    assert gift["state"] == "awaiting_shipment"
    ship_out(staff, dispute, gift)
    assert status(dispute) == "follow_up"


# -- goods -------------------------------------------------------------------------------


def test_return_refund_waits_for_the_goods(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "return_refund", amount="1999.00")
    assert order["state"] == "awaiting_return_address"
    assert actions(order)[0] == "send_return_address"
    order = send_back(staff, dispute, order)
    assert actions(staff["qc"].get(orders_url(dispute, order["number"])).json())[0] == "inspect"
    order = inspect(staff["qc"], dispute, order)
    assert order["state"] == "awaiting_finance"
    assert order["inspections"][0]["passed"] is True
    order = pay(staff["finance"], dispute, order)
    assert (order["state"], order["paid_amount"]) == ("done", "1999.00")
    assert status(dispute) == "follow_up"


def test_return_refund_refund_first(staff):
    dispute = executing()
    order = created(
        staff["agent"], dispute, "return_refund", amount="1999.00", variant="refund_first"
    )
    assert (order["state"], order["variant_label"]) == ("awaiting_finance", "先退款后退货")
    order = pay(staff["finance"], dispute, order)
    assert order["state"] == "awaiting_return_address"
    order = send_back(staff, dispute, order)
    order = inspect(staff["qc"], dispute, order)
    assert order["state"] == "done"


def test_exchange_with_a_price_difference(staff):
    dispute = executing()
    order = created(
        staff["agent"], dispute, "exchange", customer_pays="100.00", replacement="升级款热水器"
    )
    assert (order["state"], order["customer_pays"]) == ("awaiting_customer_payment", "100.00")
    order = moved(
        staff["finance"],
        dispute,
        order,
        "customer-payment",
        {"amount": "100.00", "reference": "WX-PAY-1", "idempotency_key": "diff-1"},
    )
    assert order["state"] == "awaiting_return_address"
    assert order["customer_paid_at"] is not None
    order = send_back(staff, dispute, order)
    order = inspect(staff["qc"], dispute, order)
    assert order["state"] == "awaiting_shipment"
    ship_out(staff, dispute, order)


def test_exchange_ship_first_once_the_return_moves(staff):
    dispute = executing()
    agent, logistics = staff["agent"], staff["logistics"]
    order = created(agent, dispute, "exchange", variant="ship_first", replacement="同款新品")
    order = moved(agent, dispute, order, "return-address", {"address": "上海市售后仓"})
    order = moved(
        agent, dispute, order, "return-shipment", {"carrier": "顺丰", "tracking_no": "SF100"}
    )
    ship = {"carrier": "圆通", "tracking_no": "YT200"}
    early = move(logistics, dispute, order, "shipment", ship)
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "return_not_moving"
    parcel = order["parcels"][0]["id"]
    url = f"/api/v1/disputes/{dispute.number}/parcels/{parcel}/movements"
    scanned = logistics.post(url, {"description": "【上海】已揽收"})
    assert scanned.status_code == 200 and scanned.json()["moved"] is True
    order = moved(logistics, dispute, order, "shipment", ship)
    assert order["state"] == "shipped"
    order = moved(logistics, dispute, order, "receipt")
    assert order["state"] == "received"
    order = inspect(staff["qc"], dispute, order)
    assert order["state"] == "done"


def test_reship(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "reship", replacement="漏发的安装配件")
    assert (order["state"], order["department"]) == ("awaiting_shipment", "logistics")
    order = ship_out(staff, dispute, order)
    assert order["parcels"][0]["direction"] == "to_customer"
    assert order["parcels"][0]["delivered_at"] is not None


def repair_body(fixed: bool) -> dict:
    return {
        "fault": "加热管不加热",
        "technician": "李师傅",
        "fixed": fixed,
        "started_on": "2026-12-01",
        "finished_on": "2026-12-02",
        "parts": ["加热管"],
    }


def test_repair_fixed(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "repair")
    order = send_back(staff, dispute, order)
    order = moved(staff["qc"], dispute, order, "repair-start")
    assert order["state"] == "repairing"
    order = moved(staff["qc"], dispute, order, "repair", repair_body(True))
    assert order["state"] == "awaiting_shipment"
    assert order["repairs"][0]["result"] == "fixed"
    ship_out(staff, dispute, order)


# -- failure paths -----------------------------------------------------------------------


def test_a_failed_inspection_sends_the_dispute_back_to_mediation(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "return_refund", amount="1999.00")
    order = send_back(staff, dispute, order)
    order = inspect(staff["qc"], dispute, order, passed=False, report="人为摔坏，外壳破裂")
    assert order["state"] == "failed"
    assert "人为摔坏" in order["cancel_reason"]
    assert status(dispute) == "investigating"


def test_out_of_stock_sends_the_dispute_back_to_mediation(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "exchange", replacement="限量款")
    order = inspect(staff["qc"], dispute, send_back(staff, dispute, order))
    assert order["state"] == "awaiting_shipment"
    refused = move(staff["logistics"], dispute, order, "out-of-stock", {"reason": ""})
    assert refused.status_code == 422 and "reason" in refused.json()["error"]["fields"]
    order = moved(staff["logistics"], dispute, order, "out-of-stock", {"reason": "限量款已售罄"})
    assert (order["state"], order["cancel_reason"]) == ("failed", "限量款已售罄")
    assert status(dispute) == "investigating"


def _paid_exchange(staff, dispute) -> dict:
    order = created(
        staff["agent"], dispute, "exchange", customer_pays="100.00", replacement="升级款热水器"
    )
    return moved(
        staff["finance"],
        dispute,
        order,
        "customer-payment",
        {"amount": "100.00", "reference": "WX-PAY-1", "idempotency_key": "diff-1"},
    )


def _difference_refund(dispute, exchange: dict) -> AfterSaleOrder:
    (refund,) = AfterSaleOrder.objects.filter(dispute=dispute).exclude(number=exchange["number"])
    return refund


def test_the_difference_paid_for_an_exchange_out_of_stock_goes_back_to_the_customer(staff):
    dispute = executing()
    exchange = _paid_exchange(staff, dispute)
    exchange = inspect(staff["qc"], dispute, send_back(staff, dispute, exchange))
    exchange = moved(
        staff["logistics"], dispute, exchange, "out-of-stock", {"reason": "升级款已停产"}
    )
    assert exchange["state"] == "failed" and status(dispute) == "investigating"
    refund = _difference_refund(dispute, exchange)
    assert (refund.type, refund.state, refund.amount) == ("refund_shipped", "awaiting_finance", 100)
    assert exchange["number"] in refund.reason and "100.00" in refund.reason
    seen = staff["finance"].get(orders_url(dispute, refund.number)).json()
    assert seen["state_label"] == "待财审"
    paid = pay(staff["finance"], dispute, seen)
    assert (paid["state"], paid["paid_amount"]) == ("done", "100.00")
    assert status(dispute) == "investigating"  # still to be agreed again


def test_a_paid_exchange_cancelled_keeps_the_dispute_open_until_the_difference_is_back(staff):
    dispute = executing()
    exchange = _paid_exchange(staff, dispute)
    exchange = moved(staff["agent"], dispute, exchange, "cancel", {"reason": "顾客改为退款"})
    refund = _difference_refund(dispute, exchange)
    assert refund.amount == 100 and status(dispute) == "executing"
    pay(staff["finance"], dispute, staff["finance"].get(orders_url(dispute, refund.number)).json())
    assert status(dispute) == "follow_up"


def test_a_repair_failing_twice_counts_two_failed_repairs(staff):
    dispute = executing()
    for _attempt in range(2):
        order = created(staff["agent"], dispute, "repair")
        order = send_back(staff, dispute, order, tracking=f"SF{_attempt}00")
        order = moved(staff["qc"], dispute, order, "repair-start")
        order = moved(staff["qc"], dispute, order, "repair", repair_body(False))
        assert order["state"] == "failed"
        assert status(dispute) == "investigating"
        if _attempt == 0:
            dispute = rewalk(dispute)
    listed = staff["agent"].get(orders_url(dispute)).json()
    repairs = [r for o in listed for r in o["repairs"]]
    assert [r["failed"] for r in repairs] == [True, True]
    entitlements = staff["agent"].get(f"/api/v1/disputes/{dispute.number}/entitlements").json()
    assert entitlements["facts"].get("failed_repairs") == 2


# -- bad input: a 4xx naming the field, nothing changed -----------------------------------


def test_a_refund_above_what_remains_refundable(staff):
    dispute = executing()
    created(staff["agent"], dispute, "refund_shipped", amount="1500.00")
    response = create(staff["agent"], dispute, "refund_shipped", amount="500.00")
    assert response.status_code == 422
    assert "amount" in response.json()["error"]["fields"]
    assert "499.00" in response.json()["error"]["fields"]["amount"]
    assert AfterSaleOrder.objects.filter(dispute=dispute).count() == 1


@pytest.mark.parametrize("tracking", ["", "   ", "SF 123 456", "顺丰123"])
def test_a_tracking_number_blank_or_with_spaces(staff, tracking):
    dispute = executing()
    order = created(staff["agent"], dispute, "reship")
    response = move(
        staff["logistics"], dispute, order, "shipment", {"carrier": "顺丰", "tracking_no": tracking}
    )
    assert response.status_code == 422
    assert "tracking_no" in response.json()["error"]["fields"]
    again = staff["agent"].get(orders_url(dispute, order["number"])).json()
    assert (again["state"], again["version"], again["parcels"]) == ("awaiting_shipment", 1, [])


def test_a_tracking_number_typed_in_full_width_is_stored_as_printed(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "reship")
    order = moved(
        staff["logistics"],
        dispute,
        order,
        "shipment",
        {"carrier": "顺丰", "tracking_no": "ＳＦ１２３４５６７８９０"},
    )
    assert order["parcels"][0]["tracking_no"] == "SF1234567890"


def test_confirming_a_payout_twice(staff):
    dispute = executing()
    finance = staff["finance"]
    order = created(staff["agent"], dispute, "refund_shipped", amount="80.00")
    created(staff["agent"], dispute, "reship")
    order = moved(finance, dispute, order, "finance-approval")
    body = {"reference": "ALI-1"}
    first = move(finance, dispute, order, "payout", body, headers={"Idempotency-Key": "same"})
    assert first.status_code == 200
    # The same click retried: one payout, the same answer.
    retried = move(finance, dispute, order, "payout", body, headers={"Idempotency-Key": "same"})
    assert retried.status_code == 200
    assert Payout.objects.filter(aftersale_order__number=order["number"]).count() == 1
    # A second confirmation (another key): refused.
    second = move(
        finance, dispute, order, "payout", {"reference": "ALI-2", "idempotency_key": "other"}
    )
    assert second.status_code == 409
    assert Payout.objects.filter(aftersale_order__number=order["number"]).count() == 1
    # No key at all: the field is named.
    order2 = created(staff["agent"], dispute, "price_protection", amount="10.00")
    order2 = moved(finance, dispute, order2, "finance-approval")
    missing = move(finance, dispute, order2, "payout", {"reference": "X"})
    assert missing.status_code == 422
    assert "idempotency_key" in missing.json()["error"]["fields"]


def test_a_negative_exchange_difference(staff):
    dispute = executing()
    response = create(staff["agent"], dispute, "exchange", customer_pays="-10.00")
    assert response.status_code == 422
    assert "customer_pays" in response.json()["error"]["fields"]
    assert not AfterSaleOrder.objects.filter(dispute=dispute).exists()


def test_a_hand_made_order_needs_a_reason_and_a_known_type(staff):
    dispute = executing()
    no_reason = create(staff["agent"], dispute, "refund_shipped", amount="1.00", reason="  ")
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["error"]["fields"]
    unknown = create(staff["agent"], dispute, "teleport")
    assert unknown.status_code == 422 and "type" in unknown.json()["error"]["fields"]
    no_type = staff["agent"].post(orders_url(dispute), {"reason": "x"})
    assert no_type.status_code == 422 and "type" in no_type.json()["error"]["fields"]
    assert not AfterSaleOrder.objects.filter(dispute=dispute).exists()


def test_a_stale_version_is_a_conflict(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "refund_shipped", amount="10.00")
    moved(staff["finance"], dispute, order, "finance-approval")
    stale = move(staff["agent"], dispute, order, "cancel", {"reason": "顾客改主意", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert AfterSaleOrder.objects.get(number=order["number"]).state == "awaiting_payout"


def test_a_move_the_state_does_not_allow(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "reship")
    response = move(staff["logistics"], dispute, order, "receipt")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "step_not_allowed"
    # Said in words: the state, the step, what the order takes now.
    assert response.json()["error"]["message"] == (
        "售后单当前为“待发货”，不能“确认收货”；现在可以：发货、取消"
    )


def test_a_role_without_the_grant_is_refused_and_nothing_changes(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "refund_shipped", amount="10.00")
    refused = move(staff["agent"], dispute, order, "finance-approval")
    assert refused.status_code == 403
    assert AfterSaleOrder.objects.get(number=order["number"]).state == "awaiting_finance"


def test_out_of_scope_disputes_answer_404(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "refund_shipped", amount="10.00")
    stranger = ApiClient(make_staff(Role.AGENT, team=TeamFactory()))
    assert stranger.get(orders_url(dispute)).status_code == 404
    assert stranger.get(orders_url(dispute, order["number"])).status_code == 404
    assert move(stranger, dispute, order, "cancel", {"reason": "x"}).status_code == 404
    assert staff["agent"].get(orders_url(dispute, "SH-nope-01")).status_code == 404


def test_errors_in_english_on_request(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "reship")
    english = client(Role.LOGISTICS, language="en")
    response = move(english, dispute, order, "shipment", {"carrier": "SF", "tracking_no": "a b"})
    assert response.status_code == 422
    assert response.json()["error"]["message"].isascii()
    chinese = move(staff["logistics"], dispute, order, "shipment", {"carrier": "SF"})
    assert chinese.json()["error"]["message"] == "提交的内容有误，请按提示修改"


def test_cancel_needs_a_reason(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "reship")
    created(staff["agent"], dispute, "reship")
    refused = move(staff["agent"], dispute, order, "cancel", {})
    assert refused.status_code == 422 and "reason" in refused.json()["error"]["fields"]
    order = moved(staff["agent"], dispute, order, "cancel", {"reason": "顾客已在门店自提"})
    assert (order["state"], order["cancel_reason"]) == ("cancelled", "顾客已在门店自提")
    assert not Parcel.objects.filter(aftersale_order__number=order["number"]).exists()


def test_the_orders_read_in_a_fixed_number_of_queries(staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dispute = executing()
    agent = staff["agent"]
    agent.get(orders_url(dispute))  # the token's first use is recorded once

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert agent.get(orders_url(dispute)).status_code == 200
        return len(ctx)

    def add(n):
        for i in range(n):
            order = created(agent, dispute, "repair")
            moved(agent, dispute, order, "return-address", {"address": "上海市售后仓"})
            moved(
                agent,
                dispute,
                order,
                "return-shipment",
                {"carrier": "顺丰", "tracking_no": f"SF{len(order['number'])}{i}{n}"},
            )

    add(2)
    few = count()
    add(6)
    assert count() == few
    assert few <= 12
