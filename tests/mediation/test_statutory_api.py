"""The statutory check and the agreement's legal basis through the API (issue 10
observations 5, 6 and 8): proposals at or above the law's minimum are not sent to legal,
one below the customer's own request is, and the agreement cites the basis of the
remedies agreed, not every entitlement of the case."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.disputes.models import Task
from aftersales.mediation import entitlements as engine
from aftersales.mediation.models import ProposalRevision, SettlementAgreement
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import BundleComponent, OrderLine, Product
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, ProductFactory, make_dispute

from .proposal_helpers import LEAK, CustomerClient, apply, last_link, proposals_url, staff

pytestmark = pytest.mark.django_db


def dispute_on(order, expectation: str = "other"):
    """A dispute about `order` taken in now, under investigation."""
    dispute = make_dispute(order, description=LEAK, expectation=expectation)
    apply(dispute, "triage")
    return apply(dispute, "investigate")


def signed(days_ago: int, **order) -> dict:
    return {"received_at": timezone.now() - dt.timedelta(days=days_ago), **order}


def qc_defect(dispute):
    from aftersales.mediation.investigation import task_report_file

    task = Task.objects.create(
        dispute=dispute, department="quality_control", kind="qc_inspection", title="质检"
    )
    task_report_file(
        task=task,
        actor=SYSTEM,
        text="通电测试后底部焊缝渗水。",
        defect_found=True,
        defect_severity="major",
    )


def entitlements_of(client, dispute) -> list[str]:
    body = client.get(f"/api/v1/disputes/{dispute.number}/entitlements").json()
    return [e["remedy"] for e in body["entitlements"]]


def propose(client, dispute, remedies):
    response = client.post(proposals_url(dispute), {"remedies": remedies})
    assert response.status_code == 201, response.content
    return response.json()


def revise(client, dispute, proposal, remedies):
    response = client.post(
        proposals_url(dispute, proposal["id"], "revisions"),
        {"remedies": remedies, "reason": "按顾客选择调整"},
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def agent(db):
    return staff(Role.AGENT)


# -- observation 5 ------------------------------------------------------------------------


def test_a_take_back_or_whole_exchange_where_the_engine_gave_repair_is_not_below(api_as, agent):
    # A 三包 product, a performance fault on day 40, inside the validity: free repair only.
    dispute = dispute_on(OrderFactory(**signed(40)))
    qc_defect(dispute)
    client = api_as(agent)
    assert entitlements_of(client, dispute) == ["repair"]

    proposal = propose(client, dispute, [{"code": "take_back", "amount": "1999.00"}])
    (first,) = proposal["revisions"]
    assert (first["below_minimum"], first["shortfalls"]) == (False, [])
    assert "legal" not in [r["step"] for r in first["required_approvals"]]

    second = revise(client, dispute, proposal, [{"code": "whole_exchange"}])["revisions"][-1]
    assert (second["below_minimum"], second["shortfalls"]) == (False, [])
    assert not Task.objects.filter(dispute=dispute, department="legal").exists()


def test_an_exchange_the_customer_chose_within_7_days_is_not_below(api_as, agent):
    # No defect found, day 3: the law gives the no-reason return; the customer asked to
    # exchange instead, which is theirs to choose.
    dispute = dispute_on(OrderFactory(**signed(3)), expectation="exchange")
    client = api_as(agent)
    assert entitlements_of(client, dispute) == ["return_no_reason"]
    proposal = propose(client, dispute, [{"code": "exchange"}])
    (revision,) = proposal["revisions"]
    assert (revision["below_minimum"], revision["shortfalls"]) == (False, [])
    assert proposal["state"] == "draft"  # nothing to approve: the agent may send it


def test_a_repair_to_a_customer_who_asked_for_the_return_the_law_gives_goes_to_legal(api_as, agent):
    order = OrderFactory(**signed(3))
    Product.objects.filter(order_lines__order=order).update(three_guarantees=False)
    dispute = dispute_on(order, expectation="return_refund")
    qc_defect(dispute)
    client = api_as(agent)
    assert "return" in entitlements_of(client, dispute)

    proposal = propose(client, dispute, [{"code": "repair"}])
    (revision,) = proposal["revisions"]
    assert revision["below_minimum"] is True
    (shortfall,) = revision["shortfalls"]
    assert (shortfall["code"], shortfall["remedy"]) == ("remedy_below_request", "return")
    assert "消费者权益保护法第二十四条" in shortfall["basis"]
    assert shortfall["message"].startswith("顾客要求退货退款，依法可以退货退款")
    assert [r["step"] for r in revision["required_approvals"]] == ["legal"]

    # The return the customer asked for, the merchant paying the postage: at the minimum.
    full = [{"code": "return_refund", "amount": "1999.00", "shipping_paid_by": "merchant"}]
    again = revise(client, dispute, proposal, full)["revisions"][-1]
    assert (again["below_minimum"], again["shortfalls"]) == (False, [])


# -- observation 6 --------------------------------------------------------------------------


def test_a_bundle_partial_return_of_the_price_less_what_is_kept_is_not_below(api_as, agent):
    bundle = ProductFactory(name="羊绒礼盒", three_guarantees=False, list_price=Decimal("399"))
    for name, price in (("羊绒大衣", "359.00"), ("羊绒围巾", "199.00")):
        BundleComponent.objects.create(
            bundle=bundle,
            component=ProductFactory(name=name, three_guarantees=False),
            unit_price=Decimal(price),
        )
    order = OrderFactory(**signed(3, amount_paid=Decimal("399.00")), line=False)
    OrderLine.objects.create(order=order, product=bundle, quantity=1, unit_price=Decimal("399"))
    dispute = dispute_on(order, expectation="return_refund")
    client = api_as(agent)
    assert entitlements_of(client, dispute) == ["return_no_reason"]

    partial = [{"code": "return_refund", "amount": "200.00", "kept": ["羊绒围巾"]}]
    proposal = propose(client, dispute, partial)
    (revision,) = proposal["revisions"]
    assert (revision["below_minimum"], revision["shortfalls"]) == (False, [])
    assert revision["remedies"][0]["kept"] == ["羊绒围巾"]


# -- observation 8 --------------------------------------------------------------------------


def fraud_entitlements(price: Decimal) -> list[dict]:
    """What the engine gives once fraud (false advertising) is found, day 3 after signing:
    the no-reason return, the return of the price and CPL 55's punitive damages."""
    today = timezone.localdate()
    facts = engine.Facts(
        channel=engine.Channel.ONLINE,
        price=price,
        received_on=today - dt.timedelta(days=3),
        claim_on=today,
        fraud=True,
    )
    return engine.evaluate(facts).as_dict()["entitlements"]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is missing")
def test_a_false_advertising_agreement_cites_cpl_55_not_the_no_reason_return(api_as, tmp_path):
    dispute = dispute_on(OrderFactory(**signed(3, amount_paid=Decimal("100.00"))), "refund")
    agent, supervisor = staff(Role.AGENT), staff(Role.SUPERVISOR)
    found = fraud_entitlements(Decimal("100.00"))
    assert [e["remedy"] for e in found] == ["return_no_reason", "return", "punitive_damages"]
    client = api_as(agent)
    lines = [
        {"code": "return_refund", "amount": "100.00", "shipping_paid_by": "merchant"},
        {"code": "compensation", "amount": "500.00"},
    ]
    proposal = propose(client, dispute, lines)
    # The case's facts as legal found them (fraud), recorded with the revision.
    ProposalRevision.objects.filter(proposal_id=proposal["id"]).update(entitlements=found)
    approved = api_as(supervisor).post(
        proposals_url(dispute, proposal["id"], "approve"), {"reason": "虚假宣传，退一赔三"}
    )
    assert approved.status_code == 200, approved.content
    assert client.post(proposals_url(dispute, proposal["id"], "send")).status_code == 200
    token, code = last_link(dispute)
    accepted = CustomerClient(token).post(
        proposals_url(dispute, proposal["id"], "accept"), {"code": code}
    )
    assert accepted.status_code == 200, accepted.content

    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(bytes(SettlementAgreement.objects.get(proposal_id=proposal["id"]).pdf))
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    text = "".join(out.stdout.split())
    basis = text[text.index("法律依据") :]
    assert "消费者权益保护法第五十五条第一款" in basis
    assert "消费者权益保护法实施条例第四十九条" in basis
    assert "第二十五条" not in basis and "七日无理由" not in basis
    assert "消费者权益保护法》第三十九条" in basis  # the settlement itself
