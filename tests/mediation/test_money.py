"""The money of a proposal (issue 10, observations 1 and 6, item 1): refunds capped by what
was paid, every yuan given without the goods coming back under the author's authority,
what the customer pays recorded and printed as owed by them, bundle partial returns, and
the category that never blocks a remedy (observation 7, item 6) — through the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event
from aftersales.mediation import agreement
from aftersales.mediation.models import Proposal, ProposalRevision, SettlementAgreement
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.models import BundleComponent, OrderLine
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, ProductFactory, make_dispute, make_execution

from .proposal_helpers import (
    CustomerClient,
    apply,
    investigating_dispute,
    last_link,
    proposals_url,
    staff,
)

pytestmark = pytest.mark.django_db


def propose(api_as, user, dispute, remedies):
    return api_as(user).post(proposals_url(dispute), {"remedies": remedies})


def created(response) -> dict:
    assert response.status_code == 201, response.content
    (revision,) = response.json()["revisions"]
    return response.json() | {"revision": revision}


# -- observation 1: the authority bypass -------------------------------------------------


def test_a_return_refund_above_what_was_paid_is_refused_naming_what_may_be_refunded(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute(paid="136.50")
    response = propose(api_as, agent, dispute, [{"code": "return_refund", "amount": "999999.00"}])
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    message = error["fields"]["remedies.0.amount"]
    assert "退款合计不能超过可退金额 136.50 元" in message
    assert "订单实付 136.50 元，已退或已约定退还 0.00 元" in message
    assert "赔偿金（compensation）" in message  # where a statutory extra belongs
    assert not Proposal.objects.filter(dispute=dispute).exists()


def test_a_return_refund_of_the_price_paid_is_restitution_within_any_authority(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute(paid="136.50")
    body = created(propose(api_as, agent, dispute, [{"code": "return_refund", "amount": "136.50"}]))
    revision = body["revision"]
    assert (body["state"], revision["authority_amount"], revision["total_amount"]) == (
        "draft",
        "0.00",
        "136.50",
    )
    assert revision["remedies"][0]["authority_amount"] == "0.00"


def test_a_refund_without_return_counts_toward_the_authority(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute(paid="136.50")
    body = created(propose(api_as, agent, dispute, [{"code": "refund", "amount": "136.50"}]))
    assert body["revision"]["authority_amount"] == "136.50"
    # Refunds together are capped: a refund and a return of the same order add up.
    both = propose(
        api_as,
        agent,
        investigating_dispute(paid="136.50", phone="13800000002"),
        [
            {"code": "refund", "amount": "100.00"},
            {"code": "return_refund", "amount": "36.51"},
        ],
    )
    assert both.status_code == 422
    assert list(both.json()["error"]["fields"]) == ["remedies.1.amount"]


def test_the_reported_bypass_cannot_be_sent_or_agreed(api_as):
    """The whole observation: nothing above what was paid goes out as a refund; what goes
    beyond it is compensation, and needs management."""
    agent, management = staff(Role.AGENT), staff(Role.MANAGEMENT)
    dispute = investigating_dispute(paid="136.50")
    assert (
        propose(api_as, agent, dispute, [{"code": "return_refund", "amount": "999999.00"}])
    ).status_code == 422
    body = created(
        propose(
            api_as,
            agent,
            dispute,
            [
                {"code": "return_refund", "amount": "136.50"},
                {"code": "compensation", "amount": "999862.50"},
            ],
        )
    )
    revision = body["revision"]
    assert (revision["total_amount"], revision["authority_amount"]) == ("999999.00", "999862.50")
    assert [(r["role"], r["why"]) for r in revision["required_approvals"]] == [
        ("management", "above_ceiling")
    ]
    pid = body["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 409
    approved = api_as(management).post(
        proposals_url(dispute, pid, "approve"), {"reason": "经公司研究同意"}
    )
    assert approved.status_code == 200, approved.content
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    token, code = last_link(dispute)
    accept = proposals_url(dispute, pid, "accept")
    assert CustomerClient(token).post(accept, {"code": code}).status_code == 200
    record = SettlementAgreement.objects.get(proposal_id=pid)
    data = agreement.agreement_data(
        proposal=record.proposal,
        revision=record.revision,
        method=record.customer_method,
        confirmed_at=record.customer_confirmed_at,
        ip=None,
        generated_at=record.generated_at,
    )
    staff_lines = [f"{c.who} {c.how}" for c in data.staff]
    assert not any("在其权限内" in line for line in staff_lines)
    assert "经公司管理层审批同意后发送" in staff_lines[0]
    assert any("（公司管理层）" in line and "经公司研究同意" in line for line in staff_lines)


def test_refunds_already_made_on_the_order_leave_less_to_refund(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()  # paid 1999.00
    make_execution(dispute, at=timezone.now(), kind="refund", amount=Decimal("99.00"))
    cancelled = make_execution(dispute, at=timezone.now(), kind="refund", amount=Decimal("500"))
    type(cancelled).objects.filter(pk=cancelled.pk).update(state="cancelled")
    response = propose(api_as, agent, dispute, [{"code": "return_refund", "amount": "1900.01"}])
    assert response.status_code == 422
    assert (
        "可退金额 1,900.00 元（订单实付 1,999.00 元，已退或已约定退还 99.00 元）"
        in (response.json()["error"]["fields"]["remedies.0.amount"])
    )
    created(propose(api_as, agent, dispute, [{"code": "return_refund", "amount": "1900.00"}]))


def test_a_price_difference_agreed_on_the_order_comes_off_a_later_refund(api_as):
    """A 100-yuan price protection accepted on one dispute of a 1999 order, not paid out
    yet; a return on a second dispute of the same order refunds 1899 at most."""
    agent = staff(Role.AGENT)
    first = investigating_dispute()
    body = created(propose(api_as, agent, first, [{"code": "price_difference", "amount": "100"}]))
    assert api_as(agent).post(proposals_url(first, body["id"], "send")).status_code == 200
    token, code = last_link(first)
    accept = proposals_url(first, body["id"], "accept")
    assert CustomerClient(token).post(accept, {"code": code}).status_code == 200

    second = investigating_dispute(order=first.order, phone="13800000003")
    full = propose(api_as, agent, second, [{"code": "return_refund", "amount": "1999.00"}])
    assert full.status_code == 422
    assert "可退金额 1,899.00 元" in full.json()["error"]["fields"]["remedies.0.amount"]
    # The acceptance made the price protection's after-sale order: counted once.
    assert first.aftersale_orders.get().amount == Decimal("100.00")
    net = created(propose(api_as, agent, second, [{"code": "return_refund", "amount": "1899.00"}]))
    assert (net["state"], net["revision"]["authority_amount"]) == ("draft", "0.00")


def test_a_return_refunds_at_most_what_the_goods_in_dispute_cost(api_as):
    """A phone (2000) and its case (99) in one order; the dispute is about the phone. A
    return of the whole order's money for the phone is refused; more money for the
    customer is a refund or compensation line, under authority."""
    phone = ProductFactory(name="智能手机 Z3")
    order = OrderFactory(amount_paid=Decimal("2099.00"), line=False)
    OrderLine.objects.create(order=order, product=phone, unit_price=Decimal("2000.00"))
    OrderLine.objects.create(order=order, product=ProductFactory(name="手机保护壳"), unit_price=99)
    dispute = make_dispute(order, product_name="智能手机 Z3", description="手机黑屏，要求退货。")
    apply(dispute, "triage")
    apply(dispute, "investigate")
    agent = staff(Role.AGENT)
    whole = propose(api_as, agent, dispute, [{"code": "return_refund", "amount": "2099.00"}])
    assert whole.status_code == 422
    assert whole.json()["error"]["fields"]["remedies.0.amount"].startswith(
        "退货退款不能超过所退商品的实付金额 2,000.00 元"
    )
    body = created(
        propose(
            api_as,
            agent,
            dispute,
            [
                {"code": "return_refund", "amount": "2000.00"},
                {"code": "refund", "amount": "99.00"},
            ],
        )
    )
    assert (body["revision"]["total_amount"], body["revision"]["authority_amount"]) == (
        "2099.00",
        "99.00",
    )


def test_without_the_orders_amount_every_refund_counts_toward_authority(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    Dispute.objects.filter(pk=dispute.pk).update(order=None)
    body = created(propose(api_as, agent, dispute, [{"code": "return_refund", "amount": "300.00"}]))
    revision = body["revision"]
    assert revision["authority_amount"] == "300.00"
    assert revision["required_approvals"][0]["role"] == "team_lead"
    (warning,) = revision["warnings"]
    assert warning["code"] == "refund_counted_no_order"
    assert warning["field"] == "remedies.0.amount"
    assert "订单实付金额未知" in warning["message"]


# -- observation 6: what the customer pays ----------------------------------------------


def test_an_exchange_to_a_dearer_item_is_owed_by_the_customer(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    body = created(
        propose(api_as, agent, dispute, [{"code": "exchange", "customer_pays": "29.00"}])
    )
    revision = body["revision"]
    (line,) = revision["remedies"]
    assert (line["customer_pays"], line["amount"]) == ("29.00", None)
    assert (
        revision["authority_amount"],
        revision["total_amount"],
        revision["customer_pays_total"],
    ) == ("0.00", "0.00", "29.00")
    assert line["text"].startswith("换货，顾客补差价 29.00 元")
    assert "换货，顾客补差价 29.00 元" in revision["message"]
    assert "需由您支付的金额合计 29.00 元" in revision["message"]
    assert "支付给您的金额" not in revision["message"]
    drafted = Event.objects.get(dispute=dispute, kind=MediationKind.PROPOSAL_DRAFTED)
    assert (drafted.payload["customer_pays_total"], drafted.payload["total_amount"]) == (
        "29.00",
        "0.00",
    )

    pid = body["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    token, code = last_link(dispute)
    seen = CustomerClient(token).get(proposals_url(dispute, pid, "customer")).json()
    assert (seen["total_amount"], seen["customer_pays_total"]) == ("0.00", "29.00")
    assert "authority_amount" not in seen["remedies"][0]  # internal to the staff
    accept = proposals_url(dispute, pid, "accept")
    assert CustomerClient(token).post(accept, {"code": code}).status_code == 200
    record = SettlementAgreement.objects.get(proposal_id=pid)
    data = agreement.agreement_data(
        proposal=record.proposal,
        revision=record.revision,
        method=record.customer_method,
        confirmed_at=record.customer_confirmed_at,
        ip=None,
        generated_at=record.generated_at,
    )
    assert data.remedies[0].startswith("换货，顾客补差价 29.00 元")
    assert (data.total, data.customer_pays) == ("", "29.00")


def test_an_exchange_where_the_merchant_pays_the_difference_counts_toward_authority(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    body = created(propose(api_as, agent, dispute, [{"code": "exchange", "amount": "29.00"}]))
    revision = body["revision"]
    assert (revision["authority_amount"], revision["customer_pays_total"]) == ("29.00", "0.00")
    assert revision["remedies"][0]["text"].startswith("换货，商家退还差价 29.00 元")


@pytest.mark.parametrize(
    ("line", "field", "says"),
    [
        (
            {"code": "exchange", "amount": "10.00", "customer_pays": "29.00"},
            "remedies.0.customer_pays",
            "只填写 amount 或 customer_pays 之一",
        ),
        (
            {"code": "compensation", "amount": "10.00", "customer_pays": "29.00"},
            "remedies.0.customer_pays",
            "只有换货、整机更换或维修可以填写顾客应付的金额",
        ),
        (
            {"code": "exchange", "customer_pays": "-1"},
            "remedies.0.customer_pays",
            "金额不能为负数",
        ),
    ],
)
def test_what_the_customer_pays_is_refused_where_it_makes_no_sense(api_as, line, field, says):
    dispute = investigating_dispute()
    response = propose(api_as, staff(Role.AGENT), dispute, [line])
    assert response.status_code == 422
    assert says in response.json()["error"]["fields"][field]
    assert not Proposal.objects.filter(dispute=dispute).exists()


# -- bundles ---------------------------------------------------------------------------

PARTS = {"空气炸锅主机": "299.00", "炸篮": "39.00", "硅胶垫": "19.00"}


def bundle_dispute():
    """An air fryer bundle paid 329.00; its components listed 299 + 39 + 19."""
    bundle = ProductFactory(name="空气炸锅套餐", list_price=Decimal("329.00"))
    for name, price in PARTS.items():
        BundleComponent.objects.create(
            bundle=bundle, component=ProductFactory(name=name), unit_price=Decimal(price)
        )
    order = OrderFactory(
        amount_paid=Decimal("329.00"),
        line=False,
        received_at=timezone.now() - dt.timedelta(days=20),
    )
    OrderLine.objects.create(order=order, product=bundle, quantity=1, unit_price=order.amount_paid)
    return investigating_dispute(order=order)


def test_a_bundle_partial_return_refunds_the_price_paid_less_what_is_kept(api_as):
    agent = staff(Role.AGENT)
    dispute = bundle_dispute()
    wrong = propose(
        api_as, agent, dispute, [{"code": "return_refund", "amount": "200.00", "kept": ["炸篮"]}]
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"]["remedies.0.amount"] == (
        "套餐部分退货应退 290.00 元（套餐实付 329.00 元减去保留商品的标价 39.00 元）"
    )
    body = created(
        propose(
            api_as,
            agent,
            dispute,
            [{"code": "return_refund", "amount": "290.00", "kept": ["炸篮"]}],
        )
    )
    revision = body["revision"]
    (line,) = revision["remedies"]
    assert (line["kept"], line["amount"], revision["authority_amount"]) == (
        ["炸篮"],
        "290.00",
        "0.00",  # the goods come back: restitution
    )
    assert "顾客保留：炸篮" in line["text"]


def test_an_unknown_bundle_component_is_refused_listing_the_components(api_as):
    dispute = bundle_dispute()
    response = propose(
        api_as,
        staff(Role.AGENT),
        dispute,
        [{"code": "return_refund", "amount": "290.00", "kept": ["炸篮", "烤盘"]}],
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "remedies.0.kept.1": "套餐中没有“烤盘”，套餐包含：空气炸锅主机、炸篮、硅胶垫"
    }


def test_kept_components_on_an_order_without_a_bundle_are_refused(api_as):
    dispute = investigating_dispute()
    response = propose(
        api_as,
        staff(Role.AGENT),
        dispute,
        [{"code": "return_refund", "amount": "100.00", "kept": ["炸篮"]}],
    )
    assert response.status_code == 422
    assert "没有套餐商品" in response.json()["error"]["fields"]["remedies.0.kept"]


# -- observation 7: the category never blocks a lawful remedy ---------------------------


@pytest.mark.parametrize(
    ("category", "line", "says"),
    [
        (
            "price_promotion",
            {"code": "exchange"},
            "“换货”不是“价格与促销纠纷”类投诉的常见解决办法，请确认分类是否准确",
        ),
        (
            "wrong_or_missing",
            {"code": "guidance"},
            "“使用指导”不是“错发漏发”类投诉的常见解决办法，请确认分类是否准确",
        ),
    ],
)
def test_a_remedy_unusual_for_the_category_is_accepted_with_a_warning(api_as, category, line, says):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    Dispute.objects.filter(pk=dispute.pk).update(category=category)
    body = created(propose(api_as, agent, dispute, [line]))
    revision = body["revision"]
    assert revision["warnings"] == [
        {"code": "remedy_unusual_for_category", "field": "remedies.0.code", "message": says}
    ]
    stored = ProposalRevision.objects.get(proposal_id=body["id"])
    assert stored.remedies[0]["warnings"][0]["code"] == "remedy_unusual_for_category"
    assert api_as(agent).post(proposals_url(dispute, body["id"], "send")).status_code == 200
    # The template still suggests the category's standard remedy, and lists every remedy.
    template = api_as(agent).get(proposals_url(dispute, "template")).json()
    assert line["code"] not in [r["code"] for r in template["usual"]]
    assert line["code"] in [r["code"] for r in template["allowed"]]


def test_a_usual_remedy_has_no_warning(api_as):
    dispute = investigating_dispute()
    body = created(propose(api_as, staff(Role.AGENT), dispute, [{"code": "repair"}]))
    assert body["revision"]["warnings"] == []
