"""The dispute page's mediation sections in real headless Chromium: the statutory
entitlements with their basis and deadlines, the investigation (QC report, case meeting,
responsibility) and the proposals with their revisions, approvals and agreement."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.disputes.models import Task
from aftersales.mediation import negotiation, proposal_approvals, proposals
from aftersales.mediation.investigation import (
    case_meeting_record,
    responsibility_determine,
    task_report_file,
)
from aftersales.mediation.models import Proposal
from aftersales.parties.roles import Role
from tests.mediation.proposal_helpers import comp, investigating_dispute, last_link, staff

from .test_pages_browser import CHROMIUM, PASSWORD, page  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def login(page, base, user):  # noqa: F811
    page.goto(f"{base}/accounts/login/?next=/workbench/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def settled_dispute():
    """Signed for three days ago (the 7-day no-reason return applies); QC found a defect;
    a case meeting and a finding; two revisions, the second approved by the team lead
    and accepted by the customer."""
    agent, lead, qc = staff(Role.AGENT), staff(Role.TEAM_LEAD), staff(Role.QUALITY_CONTROL)
    dispute = investigating_dispute(received_days_ago=3, customer_name="周晓燕")
    task = Task.objects.get(dispute=dispute, kind="qc_inspection")
    task_report_file(
        task=task,
        actor=qc,
        text="通电 30 分钟后底部焊缝渗水，属生产焊接缺陷。",
        defect_found=True,
        defect_severity="major",
    )
    case_meeting_record(
        dispute=dispute,
        actor=lead,
        held_at=timezone.now(),
        attendees=["李组长", "质检陈工", "法务刘律师"],
        minutes="质检确认焊缝缺陷，法务意见：顾客可无理由退货。",
        decisions=["退货退款并补偿地板损失"],
    )
    responsibility_determine(
        dispute=dispute,
        actor=lead,
        shares={"merchant": 60, "supplier": 40},
        root_causes=["supplier_quality", "process_gap"],
        note="供应商焊接工艺不合格，入库抽检未发现",
    )
    refund = [{"code": "return_refund", "amount": "1999.00", "shipping_paid_by": "merchant"}]
    proposal = proposals.proposal_create(
        dispute=dispute, actor=agent, remedies_raw=refund + comp("150.00")
    )
    proposals.proposal_send(proposal=proposal, actor=agent)
    token, _code = last_link(dispute)
    access = negotiation.customer_access_for(token)
    negotiation.proposal_counter(
        proposal=proposal, access=access, remedy="compensation", amount="400", message="地板坏了"
    )
    proposals.proposal_revise(
        proposal=proposal,
        actor=agent,
        remedies_raw=refund + comp("300.00"),
        reason="顾客还价后提高补偿",
    )
    proposal_approvals.proposal_approve(
        proposal=proposal, approver=lead, reason="地板损失有照片为证"
    )
    proposals.proposal_send(proposal=proposal, actor=agent)
    token, code = last_link(dispute)
    negotiation.proposal_accept(
        proposal=proposal,
        access=negotiation.customer_access_for(token),
        code=code,
        ip="203.0.113.9",
    )
    return agent, dispute, Proposal.objects.get(pk=proposal.pk)


def test_the_dispute_page_shows_entitlements_investigation_and_proposals(live_server, page):  # noqa: F811
    from playwright.sync_api import expect

    agent, dispute, proposal = settled_dispute()
    base = live_server.url
    login(page, base, agent)
    page.goto(f"{base}/workbench/disputes/{dispute.number}/")

    # Entitlements: the no-reason return with its basis and the deadlines it implies.
    section = page.locator("#entitlements")
    expect(section.get_by_role("heading", level=2)).to_have_text("法定权益")
    no_reason = section.locator("tr.entitlement[data-remedy='return_no_reason']")
    expect(no_reason).to_contain_text("七日无理由退货")
    expect(no_reason).to_contain_text("消费者权益保护法第二十五条")
    expect(no_reason).to_contain_text("自经营者收到退回商品之日起 7 日内")
    expect(section.locator("thead")).to_contain_text("逾期即属故意拖延")
    expect(no_reason).to_contain_text(
        "后（处理退货申请，网络购买商品七日无理由退货暂行办法第三十一条）"
    )
    signed = (timezone.localdate() - dt.timedelta(days=3) + dt.timedelta(days=7)).isoformat()
    expect(section.locator("#windows")).to_contain_text(f"至 {signed}")
    expect(section.locator("#windows")).to_contain_text("投诉时在期限内")

    # Investigation: the QC report, the case meeting, the responsibility finding.
    inv = page.locator("#investigation")
    expect(inv.locator("#reports")).to_contain_text("质检报告：有缺陷，严重缺陷")
    expect(inv.locator("#reports")).to_contain_text("底部焊缝渗水")
    expect(inv.locator(".meeting")).to_contain_text("李组长、质检陈工、法务刘律师")
    expect(inv.locator(".meeting")).to_contain_text("决定：退货退款并补偿地板损失")
    expect(inv.locator("#responsibility")).to_contain_text(
        "责任比例：商家 60%，供应商 40%；根本原因：供应商质量、流程缺陷"
    )

    # Proposals: newest revision first, with its approval; the agreement and its PDF.
    section = page.locator("#proposals")
    expect(section.locator(".proposal h3")).to_contain_text("顾客已接受 · 第 2 版")
    revisions = section.locator("li.revision")
    expect(revisions).to_have_count(2)
    expect(revisions.nth(0)).to_contain_text("第 2 版 · 顾客已接受")
    expect(revisions.nth(0)).to_contain_text("赔偿金 300.00 元")
    expect(revisions.nth(0)).to_contain_text(
        "超出拟定人权限（200.00 元），须调解小组组长或以上审批（已同意）"
    )
    expect(revisions.nth(0).locator(".approval")).to_contain_text("同意")
    expect(revisions.nth(0).locator(".approval")).to_contain_text("地板损失有照片为证")
    expect(revisions.nth(1)).to_contain_text("第 1 版 · 顾客已还价")
    expect(revisions.nth(1)).to_contain_text("顾客还价：¥400.00 地板坏了")
    expect(section.locator(".agreement")).to_contain_text("调解协议书")
    href = section.get_by_role("link", name="下载 PDF").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")  # with the browser's session cookie
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert pdf.headers["x-content-sha256"] == proposal.agreement.sha256


def test_a_dispute_without_facts_says_what_is_missing_and_qc_sees_no_proposals(
    live_server,
    page,  # noqa: F811
):
    from playwright.sync_api import expect

    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    qc = staff(Role.QUALITY_CONTROL)  # sees the dispute through its inspection task
    proposals.proposal_create(dispute=dispute, actor=agent, remedies_raw=comp("50.00"))
    base = live_server.url
    login(page, base, qc)
    page.goto(f"{base}/workbench/disputes/{dispute.number}/")
    expect(page.locator("#investigation #reports")).to_contain_text("尚未提交报告")
    expect(page.locator("#entitlements")).to_be_visible()
    expect(page.locator("#proposals")).to_have_count(0)
