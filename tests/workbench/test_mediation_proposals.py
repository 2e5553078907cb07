"""The proposal builder and approval panel on the dispute page, through Django's test
client: drafting (pre-filled with the category's standard remedy), the check before
drafting (authority and statutory verdict, nothing stored), revising, sending,
withdrawing, and approving within authority — the same services as the API."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from aftersales.disputes.models import Event
from aftersales.mediation.models import Proposal, ProposalState
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.models import BundleComponent, OrderLine
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, ProductFactory
from tests.mediation.proposal_helpers import investigating_dispute, staff

pytestmark = pytest.mark.django_db


def page_url(dispute) -> str:
    return f"/workbench/disputes/{dispute.number}/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def events(dispute, kind) -> int:
    return Event.objects.filter(dispute=dispute, kind=kind).count()


def builder(lines, *, note="", reason=None, revision=None, rows=4) -> dict:
    """The builder's POST: `lines` as (code, amount) or dicts, padded with empty rows."""
    data = {
        "line-TOTAL_FORMS": str(max(rows, len(lines))),
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "20",
        "proposal-note": note,
    }
    for i, line in enumerate(lines):
        if isinstance(line, tuple):
            line = {"code": line[0], "amount": line[1]}
        for key, value in line.items():
            data[f"line-{i}-{key}"] = value
    if reason is not None:
        data["proposal-reason"] = reason
    if revision is not None:
        data["proposal-revision"] = str(revision)
    return data


@pytest.fixture
def dispute():
    return investigating_dispute()


@pytest.fixture
def agent():
    return staff(Role.AGENT)


@pytest.fixture
def lead():
    return staff(Role.TEAM_LEAD)


def test_the_builder_starts_from_the_standard_remedy_and_shows_the_authors_authority(
    dispute, agent
):
    page = client_for(agent).get(page_url(dispute)).content.decode()
    assert 'id="proposal-builder"' in page
    # A quality dispute: the standard remedy is a return with refund of the price.
    assert '<option value="return_refund" selected>' in page
    assert 'name="line-0-amount"' in page and 'name="line-3-amount"' in page  # no-JS rows
    assert 'id="line-template"' in page
    assert "您的权限：计入权限的金额在 ¥200.00 以内可自行决定" in page


def test_an_agent_drafts_a_proposal_within_authority_and_sends_it(dispute, agent):
    client = client_for(agent)
    response = client.post(
        f"{page_url(dispute)}proposals/",
        builder([("compensation", "80.00"), ("apology", "")], note="给您添麻烦了"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert events(dispute, MediationKind.PROPOSAL_DRAFTED) == 1
    proposal = Proposal.objects.get(dispute=dispute)
    revision = proposal.revisions.get()
    assert revision.state == ProposalState.DRAFT
    assert [line["code"] for line in revision.remedies] == ["compensation", "apology"]
    assert "给您添麻烦了" in revision.message
    page = client.get(page_url(dispute)).content.decode()
    assert "无需审批：在拟定人权限内且不低于法定标准。" in page
    assert f"/proposals/{proposal.pk}/send" in page
    response = client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/send", {"send-revision": "1"}
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_SENT) == 1
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SENT


def test_a_bad_line_is_marked_on_its_row_and_what_was_typed_is_kept(dispute, agent):
    response = client_for(agent).post(
        f"{page_url(dispute)}proposals/",
        builder([("apology", ""), ("compensation", "12.345")], note="附言保留"),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "金额最多保留两位小数（精确到分）" in body
    assert 'value="12.345"' in body
    assert "附言保留" in body
    assert Proposal.objects.filter(dispute=dispute).count() == 0


def test_an_empty_builder_asks_for_a_line(dispute, agent):
    response = client_for(agent).post(f"{page_url(dispute)}proposals/", builder([]))
    assert response.status_code == 422
    assert "请至少填写一项解决办法" in response.content.decode()


def test_the_check_shows_authority_and_the_statutory_verdict_without_storing(dispute, agent):
    client = client_for(agent)
    url = f"{page_url(dispute)}proposals/check"
    data = builder([("compensation", "300.00")])
    partial = client.post(url, data, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body
    assert "计入权限的金额 ¥300.00" in body
    assert "您可自行决定 ¥200.00 以内" in body
    assert "超出拟定人权限（200.00 元），须调解小组组长或以上审批" in body
    assert "顾客将收到的消息" in body and "赔偿金 300.00 元" in body
    # Without JavaScript: the whole page, the builder kept, the check below it.
    page = client.post(url, data)
    assert page.status_code == 200
    assert 'value="300.00"' in page.content.decode()
    assert "保存后须经审批才能发送" in page.content.decode()
    assert Proposal.objects.filter(dispute=dispute).count() == 0
    assert events(dispute, MediationKind.PROPOSAL_DRAFTED) == 0


def test_the_check_names_the_shortfall_below_the_statutory_minimum(agent):
    # Signed for three days ago: the no-reason return is the customer's right.
    dispute = investigating_dispute(received_days_ago=3)
    body = (
        client_for(agent)
        .post(
            f"{page_url(dispute)}proposals/check",
            builder([("coupon", "20.00")]),
            headers={"HX-Request": "true"},
        )
        .content.decode()
    )
    assert "法定标准检查：低于法定标准，须法务审核。" in body
    assert "低于法定标准，须法务部门审核" in body


def test_above_the_agents_authority_it_waits_for_the_team_lead(dispute, agent, lead):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "300.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    assert proposal.state == ProposalState.PENDING_APPROVAL
    page = client.get(page_url(dispute)).content.decode()
    assert f"/proposals/{proposal.pk}/send" not in page  # nothing to send yet
    assert 'id="approval-panel"' not in page  # the author never approves their own
    # Sending anyway (a stale page) is refused as a conflict.
    response = client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/send", {"send-revision": "1"}
    )
    assert response.status_code == 409
    assert "调解方案尚未获得必要的审批" in response.content.decode()

    lead_client = client_for(lead)
    page = lead_client.get(page_url(dispute)).content.decode()
    assert 'id="approval-panel"' in page
    url = f"{page_url(dispute)}proposals/{proposal.pk}/decision"
    # Refusing needs a reason.
    response = lead_client.post(
        url, {"decision-revision": "1", "decision-decision": "refuse", "decision-reason": ""}
    )
    assert response.status_code == 422
    assert "驳回必须填写理由" in response.content.decode()
    response = lead_client.post(
        url, {"decision-revision": "1", "decision-decision": "approve", "decision-reason": "同意"}
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_APPROVED) == 1
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.APPROVED
    assert f"/proposals/{proposal.pk}/send" in client.get(page_url(dispute)).content.decode()


def test_an_approval_on_an_older_revision_is_a_conflict(dispute, agent, lead):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "300.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    response = client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/revisions",
        builder([("compensation", "350.00")], reason="顾客补充了照片", revision=1),
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_REVISED) == 1
    response = client_for(lead).post(
        f"{page_url(dispute)}proposals/{proposal.pk}/decision",
        {"decision-revision": "1", "decision-decision": "approve", "decision-reason": ""},
    )
    assert response.status_code == 409
    assert "调解方案已有新的版本（第 2 版）" in response.content.decode()
    assert events(dispute, MediationKind.PROPOSAL_APPROVED) == 0


def test_revising_needs_a_reason_and_keeps_the_lines(dispute, agent):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "50.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    page = client.get(page_url(dispute)).content.decode()
    assert f"/proposals/{proposal.pk}/revisions" in page
    response = client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/revisions",
        builder([("compensation", "60.00")], reason="", revision=1),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "修改调解方案必须填写修改原因" in body
    assert 'value="60.00"' in body


def test_withdrawing_needs_a_reason(dispute, agent):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "50.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    url = f"{page_url(dispute)}proposals/{proposal.pk}/withdraw"
    response = client.post(url, {"withdraw-revision": "1", "withdraw-reason": ""})
    assert response.status_code == 422
    response = client.post(url, {"withdraw-revision": "1", "withdraw-reason": "改由消协调解"})
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_WITHDRAWN) == 1


def test_qc_sees_no_builder_and_may_not_draft(dispute):
    qc = staff(Role.QUALITY_CONTROL)
    client = client_for(qc)
    assert 'id="proposal-builder"' not in client.get(page_url(dispute)).content.decode()
    response = client.post(f"{page_url(dispute)}proposals/", builder([("apology", "")]))
    assert response.status_code == 403
    assert Proposal.objects.filter(dispute=dispute).count() == 0


def test_an_agent_may_not_approve(dispute, agent):
    author = staff(Role.AGENT)
    client_for(author).post(f"{page_url(dispute)}proposals/", builder([("compensation", "300.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    response = client_for(agent).post(
        f"{page_url(dispute)}proposals/{proposal.pk}/decision",
        {"decision-revision": "1", "decision-decision": "approve"},
    )
    assert response.status_code == 403
    assert events(dispute, MediationKind.PROPOSAL_APPROVED) == 0


# -- the line options the API takes ------------------------------------------------------------


def options(page: str, row: int) -> str:
    """The row's "其他选项" as the page shows them."""
    start = page.index(f'name="line-{row}-customer_pays"')
    return page[start : page.index("</details>", start)]


def test_an_exchange_to_a_dearer_item_says_what_the_customer_pays_and_ships_first(dispute, agent):
    client = client_for(agent)
    line = {"code": "exchange", "customer_pays": "50.00", "ship_first": "on"}
    response = client.post(f"{page_url(dispute)}proposals/", builder([line]))
    assert response.status_code == 302, response.content.decode()[:2000]
    (saved,) = Proposal.objects.get(dispute=dispute).revisions.get().remedies
    assert (saved["customer_pays"], saved.get("ship_first")) == ("50.00", True)
    page = client.get(page_url(dispute)).content.decode()
    assert "换货，顾客补差价 50.00 元" in page
    # The builder (the draft may be revised) shows the options it was saved with.
    row = options(page, 0)
    assert 'value="50.00"' in row
    assert re.search(r'name="line-0-ship_first"[^>]*checked', row)
    assert not re.search(r'name="line-0-refund_first"[^>]*checked', row)


def test_a_return_refunded_first_is_saved_and_shown_ticked(dispute, agent):
    client = client_for(agent)
    line = {"code": "return_refund", "amount": "1999.00", "refund_first": "on"}
    assert client.post(f"{page_url(dispute)}proposals/", builder([line])).status_code == 302
    (saved,) = Proposal.objects.get(dispute=dispute).revisions.get().remedies
    assert saved["refund_first"] is True and saved["amount"] == "1999.00"
    page = client.get(page_url(dispute)).content.decode()
    assert re.search(r'name="line-0-refund_first"[^>]*checked', options(page, 0))


def test_an_option_on_a_line_it_does_not_fit_is_marked_on_its_row(dispute, agent):
    response = client_for(agent).post(
        f"{page_url(dispute)}proposals/",
        builder([("apology", ""), {"code": "compensation", "amount": "20.00", "ship_first": "on"}]),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "只适用于" in body and "换货" in body  # the service's words, on row 2
    assert re.search(r'<details class="line-options" open>', body)
    assert Proposal.objects.filter(dispute=dispute).count() == 0


@pytest.fixture
def bundle_dispute():
    """A gift box (羊绒礼盒, paid 399.00) of a coat (359.00) and a scarf (199.00)."""
    box = ProductFactory(name="羊绒礼盒", three_guarantees=False, list_price=Decimal("399"))
    for name, price in (("羊绒大衣", "359.00"), ("羊绒围巾", "199.00")):
        BundleComponent.objects.create(
            bundle=box,
            component=ProductFactory(name=name, three_guarantees=False),
            unit_price=Decimal(price),
        )
    order = OrderFactory(amount_paid=Decimal("399.00"), line=False)
    OrderLine.objects.create(order=order, product=box, quantity=1, unit_price=Decimal("399"))
    return investigating_dispute(order=order)


def test_a_bundle_partial_return_refunds_the_price_less_what_is_kept(bundle_dispute, agent):
    client = client_for(agent)
    url = f"{page_url(bundle_dispute)}proposals/"
    # A typed amount that is not the bundle's price less the scarf: refused on its row.
    wrong = {"code": "return_refund", "amount": "300.00", "kept": "羊绒围巾"}
    response = client.post(url, builder([wrong]))
    assert response.status_code == 422
    body = response.content.decode()
    assert "套餐部分退货应退 200.00 元（套餐实付 399.00 元减去保留商品的标价 199.00 元）" in body
    assert 'value="羊绒围巾"' in body
    # Left empty, the amount is the money rule's: 399.00 − 199.00.
    response = client.post(url, builder([{"code": "return_refund", "kept": "羊绒围巾"}]))
    assert response.status_code == 302, response.content.decode()[:2000]
    revision = Proposal.objects.get(dispute=bundle_dispute).revisions.get()
    (saved,) = revision.remedies
    assert (saved["amount"], saved["kept"]) == ("200.00", ["羊绒围巾"])
    assert revision.total_amount == Decimal("200.00")
    page = client.get(page_url(bundle_dispute)).content.decode()
    assert "退货退款 200.00 元（套餐部分退货，顾客保留：羊绒围巾）" in page
    assert 'value="羊绒围巾"' in options(page, 0)


def test_a_kept_component_not_in_the_bundle_names_what_is(bundle_dispute, agent):
    response = client_for(agent).post(
        f"{page_url(bundle_dispute)}proposals/",
        builder([{"code": "return_refund", "amount": "200.00", "kept": "羊绒帽子"}]),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "套餐中没有“羊绒帽子”，套餐包含：羊绒大衣、羊绒围巾" in options(body, 0)


# -- a stale form: what changed since the page was loaded, and who ------------------------------


def conflict_notice(body: str) -> str:
    start = body.index('id="conflict"')
    return body[start : body.index("</div>", start)]


def test_a_stale_approval_lists_what_changed_since_the_page_was_loaded_and_who(
    dispute, agent, lead
):
    client = client_for(agent)
    client.post(f"{page_url(dispute)}proposals/", builder([("compensation", "300.00")]))
    proposal = Proposal.objects.get(dispute=dispute)
    page = client_for(lead).get(page_url(dispute)).content.decode()
    seen = re.search(r'name="decision-seen" value="(\d+)"', page).group(1)
    # The author revises it while the lead reads.
    client.post(
        f"{page_url(dispute)}proposals/{proposal.pk}/revisions",
        builder([("compensation", "350.00")], reason="顾客补充了照片", revision=1),
    )
    response = client_for(lead).post(
        f"{page_url(dispute)}proposals/{proposal.pk}/decision",
        {
            "decision-revision": "1",
            "decision-seen": seen,
            "decision-decision": "approve",
            "decision-reason": "同意赔偿",
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    notice = conflict_notice(body)
    assert "操作未完成：投诉在您查看之后已被更新" in notice
    assert "调解方案已有新的版本（第 2 版）" in notice
    revised = Event.objects.get(dispute=dispute, kind=MediationKind.PROPOSAL_REVISED)
    assert "修改调解方案" in notice and revised.actor_label in notice  # what, and who
    assert "拟定调解方案" not in notice  # seen already
    # The form says where to look, and keeps what was typed.
    assert "未保存：投诉已被他人更新，请看页面顶部列出的变化后再提交。" in body
    assert "同意赔偿" in body
    assert events(dispute, MediationKind.PROPOSAL_APPROVED) == 0
    # It comes back on the current revision: sent again once looked at, it goes through.
    assert 'name="decision-revision" value="2"' in body
    response = client_for(lead).post(
        f"{page_url(dispute)}proposals/{proposal.pk}/decision",
        {"decision-revision": "2", "decision-decision": "approve", "decision-reason": "同意赔偿"},
    )
    assert response.status_code == 302
    assert events(dispute, MediationKind.PROPOSAL_APPROVED) == 1
