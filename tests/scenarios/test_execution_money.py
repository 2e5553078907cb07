"""The money side of execution (issue 12) as a client of the API sees it: refunds that
together pass what was paid on the order, across disputes; a payout retried with one
key; a bounce paid again; amounts that are not money; coupons and gifts that are not
cash; the customer's view of the expected arrival and the 运费险 payout; the timeline
event of every move; 409 (the state) against 422 (the input), each error naming the
field, in Chinese and on request in English, with nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import AfterSaleOrder, Payout
from aftersales.parties.roles import Role
from tests.api.aftersale_helpers import (
    client,
    create,
    created,
    department_staff,
    executing,
    move,
    moved,
    rewalk,
)
from tests.customer_link import last_link
from tests.factories import OrderFactory, make_dispute, walk_to
from tests.mediation.proposal_helpers import CustomerClient

pytestmark = pytest.mark.django_db
WORK = "/api/v1/aftersale-orders"


@pytest.fixture
def team(default_team):
    cache.clear()
    yield {**department_staff(), "finance_en": client(Role.FINANCE, language="en")}
    cache.clear()


def snapshot(number: str) -> tuple:
    order = AfterSaleOrder.objects.get(number=number)
    payouts = list(
        Payout.objects.filter(aftersale_order=order).order_by("id").values_list("amount", "state")
    )
    return order.state, order.version, order.paid_amount, order.insurance_paid_at, payouts


def approved(team, dispute, type_="refund_shipped", amount="80.00", **body) -> dict:
    order = created(team["agent"], dispute, type_, amount=amount, **body)
    return moved(team["finance"], dispute, order, "finance-approval")


def payout_try(team, dispute, order, key: str, body: dict):
    """Finance records a payout with `key` (the Idempotency-Key header): the response."""
    return move(team["finance"], dispute, order, "payout", body, headers={"Idempotency-Key": key})


def pay(team, dispute, order, key: str, **body) -> dict:
    body.setdefault("reference", f"LS-{key}")
    response = payout_try(team, dispute, order, key, body)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()["error"]


def timeline(api, dispute) -> list[dict]:
    response = api.get(f"/api/v1/disputes/{dispute.number}")
    assert response.status_code == 200
    return response.json()["timeline"]


# -- refunds on one sales order -----------------------------------------------------------


def test_a_price_difference_counts_against_what_was_paid_a_postage_refund_does_not(team):
    dispute = executing()  # paid 1999.00
    created(team["agent"], dispute, "refund_shipped", amount="1500.00")
    over = create(team["agent"], dispute, "price_protection", amount="500.00")
    fields = error(over, 422)["fields"]
    assert "499.00" in fields["amount"] and "实付" in fields["amount"]
    # Postage is not a refund of the price: not capped by it.
    created(team["agent"], dispute, "shipping_compensation", amount="500.00")
    created(team["agent"], dispute, "price_protection", amount="499.00")
    assert AfterSaleOrder.objects.filter(dispute=dispute).count() == 3


def test_a_refund_on_a_second_dispute_of_the_same_order_counts_the_first(team):
    sales_order = OrderFactory(amount_paid=Decimal("300.00"))
    first = walk_to(make_dispute(sales_order, amount_paid="100.00"), "executing")
    AfterSaleOrder.objects.filter(dispute=first, version=1).delete()
    order = approved(team, first, amount="200.00")
    pay(team, first, order, "first-200")
    second = walk_to(
        make_dispute(sales_order, amount_paid="100.00", description="另一件配件也坏了，要求退款。"),
        "executing",
    )
    AfterSaleOrder.objects.filter(dispute=second, version=1).delete()
    over = create(team["agent"], second, "refund_shipped", amount="100.01")
    assert "100.00" in error(over, 422)["fields"]["amount"]
    assert not AfterSaleOrder.objects.filter(dispute=second).exists()
    created(team["agent"], second, "refund_shipped", amount="100.00")


# -- payouts and their keys ---------------------------------------------------------------


def test_the_same_key_with_another_amount_is_refused_not_paid(team):
    dispute = executing()
    created(team["agent"], dispute, "reship")  # keeps the dispute executing
    order = approved(team, dispute, amount="80.00")
    paid = pay(team, dispute, order, "k-80", amount="80.00")
    assert paid["paid_amount"] == "80.00"
    before = snapshot(order["number"])
    again = payout_try(team, dispute, order, "k-80", {"reference": "LS-k-80", "amount": "70.00"})
    err = error(again, 422)
    assert "idempotency_key" in err["fields"] and "80.00" in err["fields"]["idempotency_key"]
    assert snapshot(order["number"]) == before
    # The same request again is the same answer.
    same = payout_try(team, dispute, order, "k-80", {"reference": "LS-k-80", "amount": "80.00"})
    assert same.status_code == 200 and same.json()["paid_amount"] == "80.00"
    assert snapshot(order["number"]) == before


def test_a_bounce_then_paid_again_with_a_new_key_on_the_timeline_and_the_lists(team):
    dispute = executing()
    created(team["agent"], dispute, "reship")
    order = approved(team, dispute, amount="120.00")
    order = pay(team, dispute, order, "b-1", channel="bank_quickpay")
    order = moved(team["finance"], dispute, order, "bounce", {"reason": "银行卡已注销"})
    assert (order["state"], order["paid_amount"]) == ("awaiting_finance", "0.00")
    assert (order["expected_by"], order["expected_rule"]) == (None, "")
    # Paying a bounced order needs finance's approval again, then a new key.
    early = payout_try(team, dispute, order, "b-2", {"reference": "LS-b-2"})
    assert error(early, 409)["code"] == "step_not_allowed"
    order = moved(team["finance"], dispute, order, "finance-approval")
    order = pay(team, dispute, order, "b-2", channel="platform_balance")
    assert (order["state"], order["paid_amount"]) == ("done", "120.00")
    assert [(p["reference"], p["state"]) for p in order["payouts"]] == [
        ("LS-b-1", "bounced"),
        ("LS-b-2", "paid"),
    ]
    assert order["expected_from"] == order["expected_by"]  # platform balance: at once
    moves = [
        e["payload"].get("action")
        for e in timeline(team["agent"], dispute)
        if e["kind"] == "aftersale_state" and e["payload"].get("aftersale_order")
    ]
    number_moves = [m for m in moves if m in ("finance_approve", "record_payout", "bounce")]
    assert number_moves == [
        "finance_approve",
        "record_payout",
        "bounce",
        "finance_approve",
        "record_payout",
    ]
    done = team["finance"].get(f"{WORK}/payouts", status="done").json()["items"]
    rows = sorted((r["reference"], r["payout_state"], r["bounce_reason"]) for r in done)
    assert rows == [("LS-b-1", "bounced", "银行卡已注销"), ("LS-b-2", "paid", "")]


def test_409_for_the_state_422_for_the_input(team):
    dispute = executing()
    created(team["agent"], dispute, "reship")
    order = created(team["agent"], dispute, "refund_shipped", amount="50.00")
    finance = team["finance"]
    # Not approved yet: the state refuses (409), whatever the body.
    assert (
        error(
            move(
                finance,
                dispute,
                order,
                "payout",
                {"reference": "X"},
                headers={"Idempotency-Key": "s-1"},
            ),
            409,
        )["code"]
        == "step_not_allowed"
    )
    assert error(move(finance, dispute, order, "bounce", {"reason": "退回"}), 409)["code"] == (
        "not_paid"
    )
    assert error(move(team["agent"], dispute, order, "arrival"), 409)["code"] == "not_paid"
    order = moved(finance, dispute, order, "finance-approval")
    # The input refuses (422), naming the field.
    for key, field, body in (
        ("s-2", "amount", {"reference": "X", "amount": "49.99"}),
        ("s-3", "reference", {"reference": "  "}),
        ("s-4", "channel", {"reference": "X", "channel": "bitcoin"}),
    ):
        response = move(finance, dispute, order, "payout", body, headers={"Idempotency-Key": key})
        assert field in error(response, 422)["fields"]
    assert Payout.objects.filter(aftersale_order__number=order["number"]).count() == 0
    order = pay(team, dispute, order, "s-5")
    assert (
        error(
            move(
                finance,
                dispute,
                order,
                "payout",
                {"reference": "Y"},
                headers={"Idempotency-Key": "s-6"},
            ),
            409,
        )["code"]
        == "already_paid"
    )
    assert (
        "reason" in error(move(finance, dispute, order, "bounce", {"reason": " "}), 422)["fields"]
    )
    moved(team["agent"], dispute, order, "arrival")
    assert error(move(team["agent"], dispute, order, "arrival"), 409)["code"] == (
        "already_confirmed"
    )


# -- amounts that are not money -----------------------------------------------------------

NOT_MONEY = ["12.345", "-1", "abc", "1e3", 12.5, True, [1], {"yuan": 1}, "NaN", "12,34"]


@pytest.mark.parametrize("amount", NOT_MONEY)
def test_a_payout_amount_that_is_not_money_names_the_field(team, amount):
    dispute = executing()
    order = approved(team, dispute, amount="80.00")
    before = snapshot(order["number"])
    response = payout_try(team, dispute, order, "n-1", {"reference": "LS-1", "amount": amount})
    fields = error(response, 422)["fields"]
    assert list(fields) == ["amount"] and "金额" in fields["amount"]
    english = move(
        team["finance_en"],
        dispute,
        order,
        "payout",
        {"reference": "LS-1", "amount": amount},
        headers={"Idempotency-Key": "n-1"},
    )
    err = error(english, 422)
    assert err["message"].isascii() and err["fields"]["amount"].isascii()
    assert snapshot(order["number"]) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "12.345"),
        ("amount", "-1"),
        ("amount", "abc"),
        ("customer_pays", "-0.01"),
        ("customer_pays", "1.001"),
    ],
)
def test_an_order_amount_that_is_not_money_names_the_field(team, field, value):
    dispute = executing()
    type_ = "exchange" if field == "customer_pays" else "refund_shipped"
    response = create(team["agent"], dispute, type_, **{field: value})
    assert field in error(response, 422)["fields"]
    assert not AfterSaleOrder.objects.filter(dispute=dispute).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": "abc", "reference": "X"}, "version"),
        ({"reference": ["X"]}, "reference"),
        ({"reference": "X" * 101}, "reference"),
        ({"reference": "X", "channel": 3}, "channel"),
    ],
)
def test_wrong_types_name_the_field(team, body, field):
    dispute = executing()
    order = approved(team, dispute)
    before = snapshot(order["number"])
    response = move(
        team["finance"], dispute, order, "payout", body, headers={"Idempotency-Key": "t-1"}
    )
    err = error(response, 422)
    assert field in err["fields"], err
    assert snapshot(order["number"]) == before


@pytest.mark.parametrize(
    ("amount", "reference", "field"),
    [
        ("-5", "CLM-1", "amount"),
        ("0", "CLM-1", "amount"),
        ("8.888", "CLM-1", "amount"),
        ("8.00", "  ", "reference"),
    ],
)
def test_an_insurance_payout_that_is_not_right_names_the_field(team, amount, reference, field):
    dispute = executing(return_shipping_insurance=True)
    order = created(team["agent"], dispute, "refund_shipped", amount="10.00")
    ret = created(team["agent"], dispute, "return_refund", amount="100.00", variant="refund_first")
    assert ret["shipping_insurance"] is True and order["shipping_insurance"] is False
    before = snapshot(ret["number"])
    response = move(
        team["finance"],
        dispute,
        ret,
        "insurance-payout",
        {"amount": amount, "reference": reference},
    )
    assert field in error(response, 422)["fields"]
    assert snapshot(ret["number"]) == before


def test_a_customer_payment_that_is_negative_or_not_what_is_owed(team):
    dispute = executing()
    order = created(team["agent"], dispute, "exchange", customer_pays="100.00", replacement="X")
    before = snapshot(order["number"])
    for amount in ("-100.00", "99.99", "100.001", "abc"):
        response = move(
            team["finance"],
            dispute,
            order,
            "customer-payment",
            {"amount": amount, "reference": "WX-1", "idempotency_key": f"c{amount}"},
        )
        assert "amount" in error(response, 422)["fields"], amount
    assert snapshot(order["number"]) == before


# -- coupons and gifts are not cash -------------------------------------------------------


def test_coupons_and_gifts_are_neither_refunds_nor_payouts(team):
    dispute = executing()  # paid 1999.00
    refund = approved(team, dispute, amount="1999.00")
    coupon = created(
        team["agent"], dispute, "compensation", compensation_form="coupon", amount="50.00"
    )
    gift = created(
        team["agent"], dispute, "compensation", compensation_form="gift", replacement="保温杯"
    )
    due = team["finance"].get(f"{WORK}/payouts").json()["items"]
    assert [r["number"] for r in due] == [refund["number"]]
    coupon = moved(team["agent"], dispute, coupon, "coupon", {"reference": "CPN-1"})
    assert (coupon["state"], coupon["paid_amount"], coupon["payouts"]) == ("done", "0.00", [])
    assert "payout" not in [a["endpoint"] for a in gift["allowed_actions"]]
    pay(team, dispute, refund, "full")
    done = team["finance"].get(f"{WORK}/payouts", status="done").json()["items"]
    assert [r["number"] for r in done] == [refund["number"]]


# -- the XLSX adds up ---------------------------------------------------------------------


def test_the_finance_export_has_its_columns_and_adds_up(team):
    dispute = executing()
    created(team["agent"], dispute, "reship")
    amounts = ["100.00", "20.50", "0.01"]
    orders = [approved(team, dispute, amount=a) for a in amounts]
    pay(team, dispute, orders[0], "x-1")
    pay(team, dispute, orders[1], "x-2")
    moved(team["finance"], dispute, orders[1], "bounce", {"reason": "账户冻结"})

    def sheet(**params):
        response = team["finance"].get(f"{WORK}/payouts", format="xlsx", **params)
        assert response.status_code == 200
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
        return list(rows[0]), rows[1:]

    header, rows = sheet(status="done")
    for name in ("投诉编号", "售后单号", "实退金额", "流水号", "退款渠道", "打款时间"):
        assert name in header
    column = header.index("实退金额")
    assert len(rows) == 2
    paid = [r for r in rows if r[header.index("流水号")] == "LS-x-1"]
    assert paid[0][column] == 100.0
    json_done = team["finance"].get(f"{WORK}/payouts", status="done").json()["items"]
    assert sum(Decimal(str(r[column])) for r in rows) == sum(
        Decimal(r["paid_amount"]) for r in json_done
    )
    header, rows = sheet(status="due")
    assert len(rows) == 2  # the bounced one back with finance, and the unpaid one
    column = header.index("应退金额")
    assert sum(Decimal(str(r[column])).quantize(Decimal("0.01")) for r in rows) == Decimal("20.51")


# -- what the customer sees ---------------------------------------------------------------


def test_the_customer_sees_the_arrival_range_and_the_insurers_payout(team, settings):
    settings.SHIPPING_INSURANCE_PAYOUT_HOURS = 72
    dispute = executing(return_shipping_insurance=True, payment_channel="credit_card")
    created(team["agent"], dispute, "reship")
    ret = created(team["agent"], dispute, "return_refund", amount="300.00", variant="refund_first")
    exchange = created(team["agent"], dispute, "exchange", replacement="新品")
    assert exchange["shipping_insurance"] is False
    ret = moved(team["finance"], dispute, ret, "finance-approval")
    ret = pay(team, dispute, ret, "ins-1")
    paid_at = dt.datetime.fromisoformat(ret["payouts"][0]["paid_at"])
    token, _code = last_link(dispute)
    customer = CustomerClient(token)
    url = f"/api/v1/disputes/{dispute.number}/customer/aftersale-orders"
    rows = {r["number"]: r for r in customer.get(url).json()}
    seen = rows[ret["number"]]
    assert seen["paid_amount"] == "300.00"
    assert dt.datetime.fromisoformat(seen["expected_from"]) == paid_at + dt.timedelta(days=3)
    assert dt.datetime.fromisoformat(seen["expected_by"]) == paid_at + dt.timedelta(days=7)
    assert "3" in seen["expected_rule"] and "7" in seen["expected_rule"]
    assert seen["shipping_insurance"] is True and seen["insurance_paid"] is False
    due = paid_at + dt.timedelta(hours=72)
    assert dt.datetime.fromisoformat(seen["insurance_expected_by"]) == due
    assert rows[exchange["number"]]["shipping_insurance"] is False
    assert seen["can_confirm_arrival"] is True

    # Past 72 hours with nothing recorded (the due time moved back rather than the
    # server's clock): 'missing' on finance's list and a daily-check item.
    AfterSaleOrder.objects.filter(number=ret["number"]).update(
        insurance_expected_by=timezone.now() - dt.timedelta(hours=1)
    )
    listed = team["finance"].get(f"{WORK}/insurance", status="missing").json()["items"]
    assert [r["number"] for r in listed] == [ret["number"]]
    checks = client(Role.SUPERVISOR).get("/api/v1/daily-checks").json()
    flagged = [
        item for agent in checks["agents"] for item in agent.get("missing_insurance_payouts", [])
    ]
    assert any(ret["number"] in str(item) for item in flagged), checks

    # The insurer pays its tariff (not the customer's cost); the customer sees it.
    ret = moved(
        team["finance"],
        dispute,
        ret,
        "insurance-payout",
        {"amount": "12.00", "reference": "CLM-88"},
    )
    assert (ret["insurance_amount"], ret["insurance_reference"]) == ("12.00", "CLM-88")
    seen = {r["number"]: r for r in customer.get(url).json()}[ret["number"]]
    assert (seen["insurance_paid"], seen["insurance_amount"]) == (True, "12.00")
    twice = move(
        team["finance"],
        dispute,
        ret,
        "insurance-payout",
        {"amount": "12.00", "reference": "CLM-89"},
    )
    assert error(twice, 409)["code"] == "insurance_already_paid"
    kinds = [e["kind"] for e in timeline(team["agent"], dispute)]
    assert "shipping_insurance_expected" in kinds and "shipping_insurance_paid" in kinds

    # The customer confirms the refund arrived, once; the timeline says so.
    confirmed = customer.post(f"{url}/{ret['number']}/arrival", {})
    assert confirmed.status_code == 200 and confirmed.json()["arrival_confirmed"] is True
    assert customer.post(f"{url}/{ret['number']}/arrival", {}).status_code == 409
    kinds = [e["kind"] for e in timeline(team["agent"], dispute)]
    assert kinds.count("refund_arrival_confirmed") == 1


def test_executed_money_matches_the_agreement_when_the_dispute_moves_on(team):
    dispute = executing()
    order = approved(team, dispute, amount="66.60")
    order = pay(team, dispute, order, "only")
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"
    detail = team["agent"].get(f"/api/v1/disputes/{dispute.number}").json()
    assert detail["status"] == "follow_up"
    assert order["paid_amount"] == order["amount"] == "66.60"


def test_a_customer_payment_retried_under_its_key_with_another_amount(team):
    dispute = executing()
    order = created(team["agent"], dispute, "exchange", customer_pays="100.00", replacement="X")
    body = {"amount": "100.00", "reference": "WX-1", "idempotency_key": "diff-1"}
    order = moved(team["finance"], dispute, order, "customer-payment", body)
    before = snapshot(order["number"])
    response = move(team["finance"], dispute, order, "customer-payment", body | {"amount": "90"})
    assert "idempotency_key" in error(response, 422)["fields"]
    assert snapshot(order["number"]) == before


@pytest.mark.parametrize("amount", [None, "", "0", "0.00"])
def test_a_refund_without_an_amount_names_the_field(team, amount):
    dispute = executing()
    response = create(team["agent"], dispute, "refund_shipped", amount=amount)
    assert "amount" in error(response, 422)["fields"]
    assert not AfterSaleOrder.objects.filter(dispute=dispute).exists()


def _fail_inspection(team, dispute, order) -> dict:
    order = moved(team["agent"], dispute, order, "return-address", {"address": "上海市售后仓"})
    order = moved(
        team["agent"], dispute, order, "return-shipment", {"carrier": "顺丰", "tracking_no": "SF1"}
    )
    order = moved(team["logistics"], dispute, order, "receipt")
    body = {"passed": False, "report": "人为损坏", "good_quantity": 0, "defective_quantity": 1}
    return moved(team["qc"], dispute, order, "inspection", body)


def test_a_refund_paid_before_a_failed_inspection_still_counts_against_what_was_paid(team):
    dispute = executing()  # paid 1999.00
    first = created(
        team["agent"], dispute, "return_refund", amount="1999.00", variant="refund_first"
    )
    first = moved(team["finance"], dispute, first, "finance-approval")
    first = pay(team, dispute, first, "rf-1")
    first = _fail_inspection(team, dispute, first)
    assert (first["state"], first["paid_amount"]) == ("failed", "1999.00")
    dispute = rewalk(dispute)
    # The 1999.00 went out and did not come back: no room for another refund.
    response = create(team["agent"], dispute, "refund_shipped", amount="1.00")
    assert "0.00" in error(response, 422)["fields"]["amount"]
    assert AfterSaleOrder.objects.filter(dispute=dispute).count() == 1


def test_a_failed_inspection_with_another_open_order_goes_back_to_mediation(team):
    dispute = executing()
    other = created(team["agent"], dispute, "reship")
    order = created(team["agent"], dispute, "return_refund", amount="100.00")
    order = _fail_inspection(team, dispute, order)
    assert order["state"] == "failed"
    assert AfterSaleOrder.objects.get(number=other["number"]).state == "cancelled"
    assert Dispute.objects.get(pk=dispute.pk).status == "investigating"
