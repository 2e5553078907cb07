"""The settlement agreement (调解协议书): when the customer accepts a proposal, a PDF in
Chinese with the parties, the facts, the responsibility finding (when one is recorded),
the agreed remedies, amounts and deadlines, the legal basis, and both confirmations.

The PDF is drawn with fpdf2, which embeds (and subsets) the CFF-flavoured OpenType faces
of Debian's fonts-noto-cjk .ttc collections; reportlab cannot embed CFF outlines, and
nothing is downloaded at run time. Its SHA-256 is stored with it."""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from aftersales.common.errors import DomainError
from aftersales.disputes.taxonomy import Category
from aftersales.disputes.timeline import actor_label
from aftersales.parties.roles import Role

from . import investigation_rules as rules
from . import statutory
from .models import (
    Proposal,
    ProposalApproval,
    ProposalRevision,
    ResponsibilityFinding,
    SettlementAgreement,
    TaskReport,
)
from .proposal_messages import remedy_line
from .proposal_selectors import order_money
from .remedies import RemedyItem
from .timeline import agreement_generated_event

FONT_GLOBS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/**/NotoSansCJK*-{weight}.ttc",
    "/usr/share/fonts/**/NotoSerifCJK*-{weight}.ttc",
)
FONT_FACE = "SC"  # the Simplified Chinese face of the collection


class ConfirmationMethod(TextChoices):
    """How the customer accepted the proposal the agreement records."""

    # agreements made before the code was required
    PORTAL_CLICK = "portal_click", pgettext_lazy("confirmation method", "顾客门户点击确认")
    ONE_TIME_CODE = "one_time_code", pgettext_lazy("confirmation method", "一次性验证码确认")


# The parties may settle by negotiation: the basis of every agreement, and the only one
# of a line that delivers no statutory entitlement (goodwill).
SETTLEMENT_BASIS = "《中华人民共和国消费者权益保护法》第三十九条（与经营者协商和解）"


class FontMissing(DomainError):
    status = 500
    code = "cjk_font_missing"


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    detail: str


@dataclass(frozen=True)
class Confirmation:
    who: str
    how: str
    at: str
    ip: str = ""


@dataclass(frozen=True)
class AgreementData:
    """Everything printed, as text, so rendering reads no database."""

    number: str
    proposal: str
    parties: tuple[Party, ...]
    facts: tuple[str, ...]
    findings: tuple[str, ...]
    responsibility: str | None
    remedies: tuple[str, ...]
    total: str  # what the merchant gives the customer
    legal_basis: tuple[str, ...]
    customer: Confirmation
    staff: tuple[Confirmation, ...]
    generated_at: dt.datetime
    customer_pays: str = ""  # what the customer owes (买家应补), never part of `total`


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@lru_cache(maxsize=4)
def cjk_font(weight: str = "Regular") -> tuple[str, int]:
    """The .ttc holding Noto Sans CJK, and the index of its Simplified Chinese face."""
    from fontTools.ttLib import TTCollection

    for pattern in FONT_GLOBS:
        for path in sorted(glob.glob(pattern.format(weight=weight), recursive=True)):
            collection = TTCollection(path, lazy=True)
            for index, font in enumerate(collection.fonts):
                name = font["name"].getDebugName(4) or ""
                if name.split(" Bold")[0].endswith(f"CJK {FONT_FACE}"):
                    return path, index
    raise FontMissing(_("服务器缺少中文字体（Debian 软件包 fonts-noto-cjk），无法生成调解协议书"))


def render_pdf(data: AgreementData) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import WrapMode, XPos, YPos

    number = data.number

    class Document(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("cjk", size=8)
            self.cell(
                0,
                8,
                f"投诉编号 {number} · 第 {self.page_no()} 页",
                align="C",
            )

    pdf = Document(format="A4")
    regular, bold = cjk_font("Regular"), cjk_font("Bold")
    pdf.add_font("cjk", "", regular[0], collection_font_number=regular[1])
    pdf.add_font("cjk", "B", bold[0], collection_font_number=bold[1])
    pdf.set_creation_date(data.generated_at)
    pdf.set_title(f"调解协议书 {number}")
    pdf.set_lang("zh-CN")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, 20)
    pdf.add_page()

    def text(body: str, size: float = 11, style: str = "", height: float = 7) -> None:
        pdf.set_font("cjk", style, size)
        pdf.multi_cell(0, height, body, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(title: str) -> None:
        pdf.ln(2)
        text(title, 12, "B", 8)

    pdf.set_font("cjk", "B", 18)
    pdf.cell(0, 12, "调解协议书", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    text(f"投诉编号：{number}    调解方案：{data.proposal}", 10)

    heading("一、当事人")
    for party in data.parties:
        text(f"{party.role}：{party.name}（{party.detail}）")
    heading("二、纠纷事实")
    for line in data.facts:
        text(line)
    if data.findings:
        text("调查核实：")
        for line in data.findings:
            text(f"  {line}")
    if data.responsibility:
        heading("三、责任认定")
        text(data.responsibility)
    n = 4 if data.responsibility else 3
    numerals = "一二三四五六七八九十"
    heading(f"{numerals[n - 1]}、协议内容")
    text("经双方平等协商，自愿达成如下协议，由乙方按下列方式和期限履行：")
    for i, line in enumerate(data.remedies, 1):
        text(f"{i}. {line}")
    if data.total:
        text(f"以上由乙方支付给甲方的金额合计人民币 {data.total} 元。")
    if data.customer_pays:
        text(f"以上由甲方支付给乙方的金额（补差价等）合计人民币 {data.customer_pays} 元。")
    heading(f"{numerals[n]}、法律依据")
    for line in data.legal_basis:
        text(line)
    heading(f"{numerals[n + 1]}、双方确认")
    text("甲方确认已阅读并接受本协议内容；本协议自双方确认之时起生效，对双方具有约束力。")
    c = data.customer
    text(f"甲方确认：{c.who}，{c.how}，时间 {c.at}，IP {c.ip or '未记录'}")
    for s in data.staff:
        text(f"乙方确认：{s.who}，{s.how}，时间 {s.at}")
    text(f"生成时间：{_local(data.generated_at)}（北京时间）", 9)
    return bytes(pdf.output())


def _responsibility(finding: ResponsibilityFinding | None) -> str | None:
    if finding is None:
        return None
    shares = "，".join(f"{rules.Party(p).label} {pct}%" for p, pct in finding.shares.items() if pct)
    causes = "、".join(str(rules.RootCause(c).label) for c in finding.root_causes)
    text = f"责任比例：{shares}"
    if causes:
        text += f"；根本原因：{causes}"
    if finding.note:
        text += f"。{finding.note}"
    return text


def _agreed_basis(dispute, items: list[RemedyItem], entitlements: list) -> tuple[str, ...]:
    """The bases of the entitlements the agreed lines deliver (statutory.line_entitlements),
    not of every entitlement the case had: a line that delivers none (goodwill) rests on
    the settlement itself, SETTLEMENT_BASIS."""
    case = statutory.Case(dispute.expectation, dispute.claimed_amount, order_money(dispute))
    return statutory.agreed_basis(items, entitlements, case)


def _customer_pays(items: list[RemedyItem]) -> str:
    owed = sum((i.customer_pays for i in items if i.customer_pays), Decimal("0.00"))
    return f"{owed:,.2f}" if owed else ""


def _staff_confirmations(
    revision: ProposalRevision, approvals: list[ProposalApproval]
) -> tuple[Confirmation, ...]:
    """The author, then every approval with approver and role. "在其权限内" only when the
    revision needed no approval at all; else the approvals it needed are named."""
    author = revision.author_label or actor_label(revision.author)
    sent = _local(revision.sent_at or revision.created_at)
    if not revision.required_approvals:
        return (Confirmation(author, "在其权限内拟定并发送", sent),)
    needed = "、".join(
        dict.fromkeys(str(Role(r["role"]).label) for r in revision.required_approvals)
    )
    return (
        Confirmation(author, f"拟定，经{needed}审批同意后发送", sent),
        *(
            Confirmation(
                f"{a.approver_label}（{Role(a.approver_role).label}）",
                "审批同意" + (f"：{a.reason}" if a.reason else ""),
                _local(a.at),
            )
            for a in approvals
        ),
    )


def _method_label(method: str) -> str:
    try:
        return str(ConfirmationMethod(method).label)
    except ValueError:
        return method


def agreement_data(
    *,
    proposal: Proposal,
    revision: ProposalRevision,
    method: str,
    confirmed_at: dt.datetime,
    ip: str | None,
    generated_at: dt.datetime,
) -> AgreementData:
    """What the agreement says, in Chinese whatever the language of the request that
    settled the dispute: the agreement is one document for both parties."""
    with translation.override("zh-hans"):
        return _agreement_data(
            proposal=proposal,
            revision=revision,
            method=method,
            confirmed_at=confirmed_at,
            ip=ip,
            generated_at=generated_at,
        )


def _agreement_data(
    *,
    proposal: Proposal,
    revision: ProposalRevision,
    method: str,
    confirmed_at: dt.datetime,
    ip: str | None,
    generated_at: dt.datetime,
) -> AgreementData:
    dispute = (
        type(proposal.dispute)
        .objects.select_related("customer", "order", "order__store")
        .get(pk=proposal.dispute_id)
    )
    customer, order = dispute.customer, dispute.order
    merchant = order.store.name if order is not None else _("本公司")
    parties = (
        Party("甲方（消费者）", customer.name, f"手机 {customer.masked_phone}"),
        Party(
            "乙方（经营者）",
            merchant,
            order.store.get_platform_display() if order is not None else "",
        ),
    )
    facts = [
        f"纠纷类型：{Category(dispute.category).label}；受理时间：{_local(dispute.received_at)}",
    ]
    if order is not None:
        line = f"订单号：{order.order_no}"
        if dispute.product_name:
            line += f"；商品：{dispute.product_name}"
        if dispute.amount_paid is not None:
            line += f"；实付金额：{dispute.amount_paid:,.2f} 元"
        facts.append(line)
    facts.append(f"顾客反映：{dispute.description}")
    if dispute.expectation_text:
        facts.append(f"顾客诉求：{dispute.expectation_text}")
    findings = tuple(
        f"{r.task.title}：{r.text}"
        for r in TaskReport.objects.filter(dispute=dispute).select_related("task")
    )
    finding = ResponsibilityFinding.objects.filter(dispute=dispute).order_by("decided_at", "id")
    items = [RemedyItem.from_dict(d) for d in revision.remedies]
    # What the law gave the customer on the facts compared, then the settlement itself.
    basis = (*_agreed_basis(dispute, items, revision.entitlements), SETTLEMENT_BASIS)
    approvals = list(
        ProposalApproval.objects.filter(
            revision=revision, decision=ProposalApproval.Decision.APPROVED
        ).order_by("at", "id")
    )
    staff = _staff_confirmations(revision, approvals)
    return AgreementData(
        number=dispute.number,
        proposal=f"编号 {proposal.pk} 第 {revision.number} 版",
        parties=parties,
        facts=tuple(facts),
        findings=findings,
        responsibility=_responsibility(finding.last()),
        remedies=tuple(remedy_line(i) for i in items),
        total=f"{revision.total_amount:,.2f}" if revision.total_amount else "",
        customer_pays=_customer_pays(items),
        legal_basis=basis,
        customer=Confirmation(
            customer.name,
            _method_label(method),
            _local(confirmed_at),
            ip or "",
        ),
        staff=staff,
        generated_at=generated_at,
    )


def agreement_generate(
    *,
    proposal: Proposal,
    revision: ProposalRevision,
    method: str,
    confirmed_at: dt.datetime,
    ip: str | None,
    user_agent: str = "",
) -> SettlementAgreement:
    """Render and store the agreement of an accepted revision, with its SHA-256, and put
    it on the timeline. Called inside the acceptance's transaction."""
    data = agreement_data(
        proposal=proposal,
        revision=revision,
        method=method,
        confirmed_at=confirmed_at,
        ip=ip,
        generated_at=confirmed_at,
    )
    pdf = render_pdf(data)
    digest = hashlib.sha256(pdf).hexdigest()
    confirming = (
        ProposalApproval.objects.filter(
            revision=revision, decision=ProposalApproval.Decision.APPROVED
        )
        .order_by("-at", "-id")
        .first()
    )
    record = SettlementAgreement.objects.create(
        proposal=proposal,
        revision=revision,
        dispute_id=proposal.dispute_id,
        pdf=pdf,
        sha256=digest,
        customer_method=method,
        customer_confirmed_at=confirmed_at,
        customer_ip=ip,
        customer_user_agent=user_agent,
        staff_confirmed_by=confirming.approver if confirming else revision.author,
        staff_confirmed_label=confirming.approver_label if confirming else revision.author_label,
        staff_confirmed_at=confirming.at if confirming else revision.sent_at,
        generated_at=confirmed_at,
    )
    agreement_generated_event(record, revision_number=revision.number, at=confirmed_at).save()
    return record
