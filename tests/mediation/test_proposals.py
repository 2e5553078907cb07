"""Proposals (调解方案): the remedy catalogue per category with the standard remedy
pre-filled, bad input refused with a clear message, the statutory minimum compared with
the entitlements, and revisions kept whole."""

from decimal import Decimal

import pytest

from aftersales.disputes.models import Event, Task
from aftersales.disputes.taxonomy import Category
from aftersales.mediation import money, remedies, remedy_lines, statutory
from aftersales.mediation.models import Proposal, ProposalRevision
from aftersales.mediation.remedies import RemedyCode, RemedyItem
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, make_dispute

from .proposal_helpers import apply, comp, investigating_dispute, proposals_url, staff

# -- the catalogue (pure) ---------------------------------------------------------------


@pytest.mark.parametrize("category", list(Category))
def test_every_category_has_a_standard_remedy_usual_for_it(category):
    items = remedies.standard_items(category, Decimal("99.00"))
    assert items
    assert all(i.code in remedies.usual(category) for i in items)
    lines = [i.as_dict() for i in items]
    for line in lines:  # what only the agent knows, e.g. the price difference
        if remedies.SPECS[line["code"]].amount == "required" and line["amount"] is None:
            line["amount"] = "12.00"
    parsed, problems = remedy_lines.parse_items(lines, category)
    assert problems == []
    assert [i.code for i in parsed] == [i.code for i in items]
    assert remedy_lines.category_warnings(parsed, category) == []


def test_a_counterfeit_starts_from_the_fraud_damages():
    refund, damages = remedies.standard_items("counterfeit", Decimal("100.00"))
    assert (refund.code, refund.amount) == (RemedyCode.RETURN_REFUND, Decimal("100.00"))
    assert (damages.code, damages.amount) == (RemedyCode.COMPENSATION, Decimal("500.00"))


def test_the_standard_remedy_for_quality_is_return_and_refund_of_the_price():
    (item,) = remedies.standard_items("quality", Decimal("1999"))
    assert (item.code, item.amount, item.shipping_paid_by) == (
        RemedyCode.RETURN_REFUND,
        Decimal("1999.00"),
        "merchant",
    )


@pytest.mark.parametrize(
    ("line", "field", "code"),
    [
        ({"code": "compensation", "amount": "-5"}, "remedies.0.amount", "amount_negative"),
        ({"code": "compensation", "amount": "0"}, "remedies.0.amount", "amount_required"),
        ({"code": "compensation"}, "remedies.0.amount", "amount_required"),
        ({"code": "compensation", "amount": "1.005"}, "remedies.0.amount", "amount_too_precise"),
        ({"code": "compensation", "amount": 9.9}, "remedies.0.amount", "amount_not_decimal"),
        ({"code": "compensation", "amount": "abc"}, "remedies.0.amount", "amount_not_decimal"),
        ({"code": "apology", "amount": "5"}, "remedies.0.amount", "amount_not_applicable"),
        (
            {"code": "exchange", "amount": "5", "customer_pays": "5"},
            "remedies.0.customer_pays",
            "customer_pays_with_amount",
        ),
        (
            {"code": "coupon", "amount": "5", "customer_pays": "5"},
            "remedies.0.customer_pays",
            "customer_pays_not_applicable",
        ),
        (
            {"code": "refund", "amount": "5", "kept": ["炸篮"]},
            "remedies.0.kept",
            "kept_not_applicable",
        ),
        (
            {"code": "return_refund", "amount": "5", "kept": "炸篮"},
            "remedies.0.kept",
            "kept_not_list",
        ),
        ({"code": "teleport"}, "remedies.0.code", "remedy_unknown"),
        ({"code": "repair", "deadline_days": -1}, "remedies.0.deadline_days", "deadline_invalid"),
        (
            {"code": "repair", "shipping_paid_by": "nobody"},
            "remedies.0.shipping_paid_by",
            "payer_invalid",
        ),
    ],
)
def test_bad_remedy_lines_are_refused_naming_the_field(line, field, code):
    items, problems = remedy_lines.parse_items([line], "quality")
    assert items == []
    assert [(p.field, p.code) for p in problems] == [(field, code)]


def test_the_category_never_refuses_a_remedy_it_warns():
    items, problems = remedy_lines.parse_items(
        [{"code": "price_difference", "amount": "5"}, {"code": "repair"}], "quality"
    )
    assert problems == []
    (warning,) = remedy_lines.category_warnings(items, "quality")
    assert (warning.field, warning.code, warning.params) == (
        "remedies.0.code",
        "remedy_unusual_for_category",
        {"code": "price_difference", "category": "quality"},
    )


def test_authority_counts_goodwill_and_compensation_not_a_refund_against_returned_goods():
    items = [
        RemedyItem(RemedyCode.RETURN_REFUND, Decimal("1999.00")),
        RemedyItem(RemedyCode.COMPENSATION, Decimal("150.00")),
        RemedyItem(RemedyCode.COUPON, Decimal("20.00")),
    ]
    order = money.OrderMoney(paid=Decimal("1999.00"))
    assert money.assess(items, order).total == Decimal("2169.00")
    assert money.authority_amount(items, order) == Decimal("170.00")
    # Beyond what the goods cost, a return's refund is a concession too.
    cheaper = money.OrderMoney(paid=Decimal("1999.00"), goods_paid=Decimal("1500.00"))
    assert money.authority_amount(items, cheaper) == Decimal("669.00")
    # The order's amount unknown: nothing can be checked, every refund counts.
    assert money.authority_amount(items) == Decimal("2169.00")
    assert not remedies.is_major_incident(items)
    assert remedies.is_major_incident([RemedyItem(RemedyCode.TAKE_BACK, Decimal("1.00"))])


# -- the statutory minimum (pure, over the engine's output shape) -----------------------

RETURN = {
    "remedy": "return",
    "basis": "消费者权益保护法第二十四条",
    "amount": "1999.00",
    "shipping_paid_by": "merchant",
    "merchant_deadline_days": None,
}
NO_REASON = {
    "remedy": "return_no_reason",
    "basis": "消费者权益保护法第二十五条",
    "amount": "1999.00",
    "shipping_paid_by": "consumer",
    "merchant_deadline_days": 7,
}
EXCHANGE = {
    "remedy": "exchange",
    "basis": "部分商品修理更换退货责任规定第十条",
    "amount": None,
    "shipping_paid_by": "merchant",
    "merchant_deadline_days": None,
}
FRAUD = {
    "remedy": "punitive_damages",
    "basis": "消费者权益保护法第五十五条第一款",
    "amount": "500.00",
    "shipping_paid_by": None,
    "merchant_deadline_days": None,
}
HARM = {
    "remedy": "harm_punitive_damages",
    "basis": "消费者权益保护法第五十五条第二款",
    "amount": "200000.00",
    "shipping_paid_by": None,
    "merchant_deadline_days": None,
}


def item(code, amount=None, **kw):
    return RemedyItem(RemedyCode(code), None if amount is None else Decimal(amount), **kw)


def codes(found):
    return [s.code for s in found]


def test_a_refund_below_the_price_when_a_return_is_due_is_below_the_minimum():
    (found,) = statutory.shortfalls([item("refund", "500.00")], [RETURN])
    assert (found.code, found.required, found.offered) == (
        "refund_below_price",
        Decimal("1999.00"),
        Decimal("500.00"),
    )


def test_a_full_return_and_refund_meets_the_minimum():
    assert statutory.shortfalls([item("return_refund", "1999.00")], [RETURN]) == []
    assert statutory.shortfalls([item("refund", "1999.00")], [NO_REASON]) == []


def test_goodwill_alone_where_the_law_gives_a_return_is_below_the_minimum():
    found = statutory.shortfalls([item("compensation", "100.00")], [NO_REASON])
    assert codes(found) == ["statutory_remedy_missing"]


def test_any_remedy_the_law_lets_the_customer_choose_meets_it():
    assert statutory.shortfalls([item("exchange")], [RETURN, EXCHANGE]) == []
    # An exchange where the law only gives a return is not one of the customer's choices.
    assert codes(statutory.shortfalls([item("exchange")], [RETURN])) == ["statutory_remedy_missing"]


def test_return_shipping_on_the_customer_where_the_merchant_pays_by_law_is_flagged():
    found = statutory.shortfalls(
        [item("return_refund", "1999.00", shipping_paid_by="consumer")], [RETURN]
    )
    assert codes(found) == ["shipping_on_customer"]
    # The no-reason return is the customer's postage by law: no flag.
    ok = [item("return_refund", "1999.00", shipping_paid_by="consumer", deadline_days=7)]
    assert statutory.shortfalls(ok, [NO_REASON]) == []


def test_a_refund_later_than_the_law_allows_is_flagged():
    found = statutory.shortfalls([item("return_refund", "1999.00", deadline_days=10)], [NO_REASON])
    assert codes(found) == ["deadline_too_long"]
    assert found[0].params == {"days": 10, "limit": 7}


def test_compensation_below_the_punitive_amount_is_flagged_and_equal_meets_it():
    (found,) = statutory.shortfalls(
        [item("return_refund", "100.00"), item("compensation", "300.00")],
        [{**RETURN, "amount": "100.00"}, FRAUD],
    )
    assert (found.code, found.required, found.offered) == (
        "compensation_below_statutory",
        Decimal("500.00"),
        Decimal("300.00"),
    )
    enough = [item("return_refund", "100.00"), item("compensation", "500.00")]
    assert statutory.shortfalls(enough, [{**RETURN, "amount": "100.00"}, FRAUD]) == []


def test_the_harm_punitive_ceiling_is_not_a_floor_and_no_entitlement_means_no_minimum():
    assert statutory.shortfalls([item("apology")], [HARM]) == []
    assert statutory.shortfalls([item("apology")], []) == []


# -- through the API --------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return staff(Role.AGENT)


@pytest.mark.django_db
def test_a_new_proposal_starts_from_the_standard_remedy_with_the_price(api_as, agent):
    dispute = investigating_dispute(received_days_ago=3)
    client = api_as(agent)
    template = client.get(proposals_url(dispute, "template")).json()
    assert [r["code"] for r in template["standard"]] == ["return_refund"]
    assert template["your_ceiling"] == "200.00"
    assert {"code": "repair", "label": "维修"} in template["usual"]
    assert {"code": "price_difference", "label": "退还差价"} in template["allowed"]
    assert {"code": "price_difference", "label": "退还差价"} not in template["usual"]

    response = client.post(proposals_url(dispute), {})
    assert response.status_code == 201, response.content
    body = response.json()
    (revision,) = body["revisions"]
    assert revision["remedies"][0]["code"] == "return_refund"
    assert revision["remedies"][0]["amount"] == "1999.00"
    # A refund of the price against the goods is not compensation: within any authority,
    # and it meets the 7-day no-reason return.
    assert (body["state"], revision["below_minimum"], revision["required_approvals"]) == (
        "draft",
        False,
        [],
    )
    assert "退货退款 1,999.00 元" in revision["message"]
    assert dispute.customer.name in revision["message"]
    drafted = Event.objects.get(dispute=dispute, kind=MediationKind.PROPOSAL_DRAFTED)
    assert drafted.actor == agent and drafted.payload["total_amount"] == "1999.00"


@pytest.mark.django_db
def test_a_negative_amount_is_refused_with_a_clear_message(api_as, agent):
    dispute = investigating_dispute()
    response = api_as(agent).post(proposals_url(dispute), {"remedies": comp("-50.00")})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == {"remedies.0.amount": "金额不能为负数"}
    assert error["message"] == "金额不能为负数"
    assert not Proposal.objects.filter(dispute=dispute).exists()


@pytest.mark.django_db
def test_a_remedy_unusual_for_the_category_is_drafted_with_a_warning(api_as, agent):
    dispute = investigating_dispute()
    english = api_as(agent, language="en").post(proposals_url(dispute), {"remedies": comp("-1")})
    assert english.status_code == 422
    response = api_as(agent).post(
        proposals_url(dispute), {"remedies": [{"code": "price_difference", "amount": "30"}]}
    )
    assert response.status_code == 201, response.content
    (warning,) = response.json()["revisions"][0]["warnings"]
    assert warning["field"] == "remedies.0.code"
    assert warning["message"].startswith("“退还差价”不是“商品质量问题”类投诉的常见解决办法")
    assert response.json()["state"] == "draft"  # a warning asks for a look, not an approval


@pytest.mark.django_db
def test_a_proposal_below_the_statutory_minimum_is_flagged_for_legal(api_as, agent):
    dispute = investigating_dispute(received_days_ago=3)
    response = api_as(agent).post(proposals_url(dispute), {"remedies": comp("100.00")})
    assert response.status_code == 201
    revision = response.json()["revisions"][0]
    assert revision["below_minimum"] is True
    (shortfall,) = revision["shortfalls"]
    assert shortfall["code"] == "statutory_remedy_missing"
    assert "七日无理由退货" in shortfall["basis"] or "第二十五条" in shortfall["basis"]
    assert "退货、换货或修理" in shortfall["message"]
    assert [(r["step"], r["role"]) for r in revision["required_approvals"]] == [("legal", "legal")]
    assert response.json()["state"] == "pending_approval"
    # Legal gets a task, which is also what lets legal see the dispute.
    task = Task.objects.get(dispute=dispute, department="legal")
    assert (task.kind, task.state) == ("proposal_review", "open")


@pytest.mark.django_db
def test_revisions_are_kept_whole(api_as, agent):
    dispute = investigating_dispute()
    client = api_as(agent)
    proposal = client.post(proposals_url(dispute), {"remedies": comp("80.00")}).json()
    missing_reason = client.post(
        proposals_url(dispute, proposal["id"], "revisions"), {"remedies": comp("90"), "reason": ""}
    )
    assert missing_reason.status_code == 422
    assert missing_reason.json()["error"]["fields"]["reason"] == "修改调解方案必须填写修改原因"
    revised = client.post(
        proposals_url(dispute, proposal["id"], "revisions"),
        {"remedies": comp("120.00"), "reason": "组长建议提高补偿", "note": "感谢您的耐心"},
    )
    assert revised.status_code == 201, revised.content
    first, second = revised.json()["revisions"]
    assert (first["number"], first["state"], first["total_amount"]) == (1, "superseded", "80.00")
    assert (second["number"], second["state"], second["total_amount"]) == (2, "draft", "120.00")
    assert second["change_note"] == "组长建议提高补偿"
    assert "感谢您的耐心" in second["message"]
    assert ProposalRevision.objects.filter(proposal_id=proposal["id"]).count() == 2


@pytest.mark.django_db
def test_one_live_proposal_per_dispute_and_none_before_the_investigation(api_as, agent):
    dispute = investigating_dispute()
    client = api_as(agent)
    assert client.post(proposals_url(dispute), {}).status_code == 201
    again = client.post(proposals_url(dispute), {})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "proposal_exists"

    # Taken in and triaged, not yet investigated: too early for a proposal.
    fresh = make_dispute(OrderFactory(), customer={"name": "李四", "phone": "13900000001"})
    apply(fresh, "triage")
    closed = client.post(proposals_url(fresh), {})
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "not_mediating"


@pytest.mark.django_db
def test_people_without_a_part_in_mediation_cannot_propose(api_as):
    dispute = investigating_dispute()
    qc = staff(Role.QUALITY_CONTROL)  # sees the dispute through its inspection task
    looked = api_as(qc).post(proposals_url(dispute), {})
    assert looked.status_code == 403
    assert looked.json()["error"]["message"] == "您没有查看调解方案的权限"
    supervisor = staff(Role.SUPERVISOR)
    refused = api_as(supervisor).post(proposals_url(dispute), {})
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "您没有提出调解方案的权限"
    assert not Proposal.objects.filter(dispute=dispute).exists()


def test_the_customer_reads_when_the_refund_or_the_replacement_comes_first():
    """先退款后退货 and 先发后退 change what the customer must wait for: the proposal's
    lines (message and agreement) say so."""
    from aftersales.mediation.proposal_messages import remedy_line

    refund_first = remedy_line(
        RemedyItem(code=RemedyCode.RETURN_REFUND, amount=Decimal("199.00"), refund_first=True)
    )
    ship_first = remedy_line(RemedyItem(code=RemedyCode.EXCHANGE, ship_first=True))
    plain = remedy_line(RemedyItem(code=RemedyCode.RETURN_REFUND, amount=Decimal("199.00")))
    assert "先退款后退货" in refund_first and "199.00" in refund_first
    assert "先发后退" in ship_first
    assert "先退款" not in plain and "先发后退" not in plain
