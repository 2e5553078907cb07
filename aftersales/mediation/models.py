"""Commitments (承诺): what an agent promised the customer and by when — call back
tomorrow, send the inspection report by Friday. Unkept ones come back in the next
morning's daily check (三主动, SPEC §8). Written only by `services.py`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from aftersales.disputes.models import Dispute


class Commitment(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("commitment state", "待兑现")
        KEPT = "kept", pgettext_lazy("commitment state", "已兑现")
        CANCELLED = "cancelled", pgettext_lazy("commitment state", "已取消")

    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="commitments", verbose_name="投诉"
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承诺人",
    )
    text = models.CharField("承诺内容", max_length=500)
    due_at = models.DateTimeField("兑现期限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    made_at = models.DateTimeField("承诺时间")
    kept_at = models.DateTimeField("兑现时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)

    class Meta:
        verbose_name = "对顾客的承诺"
        verbose_name_plural = "对顾客的承诺"
        ordering = ["due_at", "id"]
        indexes = [
            # The daily check: open commitments due by the end of today.
            models.Index(
                fields=["due_at"], condition=Q(state="open"), name="commitment_open_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:50]


# --- investigation (调查核实) and escalation ---
# Department reports, case meetings, responsibility findings (investigation.py) and
# escalation to outside bodies (escalation.py); issue 5 items 1 and 7.


class TaskReport(models.Model):
    """A department's result for its task: the QC inspection report, the logistics trace,
    the operations check of live-stream or promotion rules, the legal opinion. One per
    task; filing it completes the task."""

    task = models.OneToOneField(
        "disputes.Task", on_delete=models.PROTECT, related_name="report", verbose_name="部门任务"
    )
    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="task_reports", verbose_name="投诉"
    )
    kind = models.CharField("报告类型", max_length=20)
    text = models.TextField("结论说明", max_length=5000)
    defect_found = models.BooleanField("有无缺陷", null=True, blank=True)
    defect_severity = models.CharField("缺陷严重程度", max_length=10, blank=True)
    trace_status = models.CharField("物流核查结果", max_length=20, blank=True)
    rules_honoured = models.BooleanField("符合活动规则", null=True, blank=True)
    photos = models.ManyToManyField(
        "disputes.Evidence", blank=True, related_name="+", verbose_name="照片（证据）"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报告人",
    )
    filed_at = models.DateTimeField("报告时间")

    class Meta:
        verbose_name = "部门报告"
        verbose_name_plural = "部门报告"
        ordering = ["filed_at", "id"]


class CaseMeeting(models.Model):
    """The case meeting (案件会议) a team lead convenes on a complex or major dispute."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="case_meetings", verbose_name="投诉"
    )
    held_at = models.DateTimeField("会议时间")
    attendees = models.JSONField("参会人员", default=list)
    minutes = models.TextField("会议纪要", max_length=10000)
    decisions = models.JSONField("会议决定", default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="记录人",
    )
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "案件会议"
        verbose_name_plural = "案件会议"
        ordering = ["held_at", "id"]


class ResponsibilityFinding(models.Model):
    """Who is responsible, in percent summing to 100, and the root causes. Never edited:
    a correction is a new finding, and the newest is in force."""

    dispute = models.ForeignKey(
        Dispute,
        on_delete=models.PROTECT,
        related_name="responsibility_findings",
        verbose_name="投诉",
    )
    shares = models.JSONField("责任比例（%）")
    root_causes = models.JSONField("根本原因")
    note = models.TextField("认定说明", max_length=5000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="认定人",
    )
    decided_at = models.DateTimeField("认定时间")

    class Meta:
        verbose_name = "责任认定"
        verbose_name_plural = "责任认定"
        ordering = ["decided_at", "id"]


class Escalation(models.Model):
    """One route outside the company (SPEC §9): platform intervention, a consumer
    association, the market regulator (12315), arbitration, a lawsuit. Its outside
    deadlines run as SLA timers; legal always takes part (a legal task)."""

    class State(models.TextChoices):
        FILED = "filed", pgettext_lazy("escalation state", "已登记")
        ACCEPTED = "accepted", pgettext_lazy("escalation state", "已受理")
        CONCLUDED = "concluded", pgettext_lazy("escalation state", "已有结果")

    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="escalations", verbose_name="投诉"
    )
    route = models.CharField("途径", max_length=30)
    body = models.CharField("受理机构", max_length=200, blank=True)
    reference = models.CharField("外部编号", max_length=100, blank=True)
    filed_on = models.DateField("提起日期")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    concluded_on = models.DateField("结果日期", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.FILED)
    outcome = models.CharField("结果", max_length=30, blank=True)
    outcome_note = models.TextField("结果说明", max_length=5000, blank=True)
    legal_task = models.ForeignKey(
        "disputes.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="法务任务",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "外部途径"
        verbose_name_plural = "外部途径"
        ordering = ["filed_on", "id"]
        constraints = [
            # One open case per route: a second 12315 complaint is the same one.
            models.UniqueConstraint(
                fields=["dispute", "route"],
                condition=~Q(state="concluded"),
                name="escalation_one_open_per_route",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.reference}".strip()


# --- proposals (调解方案), negotiation and settlement ---
# Mediation proposals (调解方案) with their revisions, approvals within authority and the
# settlement agreement (调解协议书); issue 5 items 3-6. Written only by `proposals.py`
# and `negotiation.py`; see docs/mediation.md.


class ProposalState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("proposal state", "草拟")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("proposal state", "待审批")
    APPROVED = "approved", pgettext_lazy("proposal state", "已审批")
    REFUSED = "refused", pgettext_lazy("proposal state", "审批驳回")
    SENT = "sent", pgettext_lazy("proposal state", "已发送顾客")
    ACCEPTED = "accepted", pgettext_lazy("proposal state", "顾客已接受")
    REJECTED = "rejected", pgettext_lazy("proposal state", "顾客已拒绝")
    COUNTERED = "countered", pgettext_lazy("proposal state", "顾客已还价")
    SUPERSEDED = "superseded", pgettext_lazy("proposal state", "已被新版本取代")
    WITHDRAWN = "withdrawn", pgettext_lazy("proposal state", "已撤回")


class Proposal(models.Model):
    """A mediation proposal (调解方案) on a dispute: its revisions are kept whole; the
    state is the current revision's. One live proposal per dispute at a time."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="proposals", verbose_name="投诉"
    )
    state = models.CharField(
        "状态", max_length=20, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    current_number = models.PositiveSmallIntegerField("当前版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提出人",
    )
    created_at = models.DateTimeField("提出时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "调解方案"
        verbose_name_plural = "调解方案"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=~Q(state__in=["accepted", "withdrawn"]),
                name="proposal_one_live_per_dispute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}#{self.pk} v{self.current_number}"


class ProposalRevision(models.Model):
    """One version of a proposal, never edited once a newer one exists: the remedies,
    amounts, deadlines and message the customer saw, who wrote it, what the law required
    and what it needed approved."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="revisions", verbose_name="调解方案"
    )
    number = models.PositiveSmallIntegerField("版本")
    state = models.CharField(
        "状态", max_length=20, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    remedies = models.JSONField("解决办法")  # [RemedyItem.as_dict()]
    total_amount = models.DecimalField("金额合计（元）", max_digits=12, decimal_places=2)
    authority_amount = models.DecimalField("权限计算金额（元）", max_digits=12, decimal_places=2)
    message = models.TextField("致顾客的说明")
    change_note = models.TextField("修改原因", blank=True)
    entitlements = models.JSONField("法定权益（比对时）", default=list)
    shortfalls = models.JSONField("低于法定标准之处", default=list)
    below_minimum = models.BooleanField("低于法定标准", default=False)
    major_incident = models.BooleanField("重大质量事故处理申请", default=False)
    required_approvals = models.JSONField("需要的审批", default=list)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="拟定人",
    )
    author_label = models.CharField("拟定人名称", max_length=100, blank=True)
    created_at = models.DateTimeField("拟定时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    answered_at = models.DateTimeField("顾客答复时间", null=True, blank=True)
    # The customer's counter-offer: {"remedy", "amount", "message"}.
    counter = models.JSONField("顾客还价", null=True, blank=True)
    customer_message = models.TextField("顾客留言", blank=True)
    # The one-time code sent with this revision (SHA-256), and wrong tries against it.
    code_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "调解方案版本"
        verbose_name_plural = "调解方案版本"
        ordering = ["proposal_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="proposal_revision_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(total_amount__gte=0) & Q(authority_amount__gte=0),
                name="proposal_revision_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class ProposalApproval(models.Model):
    """An approval or refusal of one revision, for one step (the amount or major-incident
    application; legal review of a below-minimum proposal)."""

    class Decision(models.TextChoices):
        APPROVED = "approved", pgettext_lazy("approval decision", "同意")
        REFUSED = "refused", pgettext_lazy("approval decision", "驳回")

    revision = models.ForeignKey(
        ProposalRevision, on_delete=models.PROTECT, related_name="approvals"
    )
    step = models.CharField("审批环节", max_length=20)
    decision = models.CharField("结论", max_length=10, choices=Decision.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="审批人"
    )
    approver_label = models.CharField("审批人名称", max_length=100, blank=True)
    approver_role = models.CharField("审批人角色", max_length=20)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    reason = models.TextField("理由", blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "调解方案审批"
        verbose_name_plural = "调解方案审批"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "step"], name="proposal_approval_once"),
        ]


class CustomerAccess(models.Model):
    """A customer link (顾客链接令牌) to one dispute: sent in the message that carries a
    proposal, it lets the customer read and answer proposals through the API until it
    expires. Only its SHA-256 is kept."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="customer_accesses")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "顾客链接"
        verbose_name_plural = "顾客链接"


class SettlementAgreement(models.Model):
    """The settlement agreement (调解协议书) generated when the customer accepts: the PDF
    itself, its SHA-256, and both confirmations."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="agreement", verbose_name="调解方案"
    )
    revision = models.OneToOneField(
        ProposalRevision, on_delete=models.PROTECT, related_name="+", verbose_name="方案版本"
    )
    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="agreements", verbose_name="投诉"
    )
    pdf = models.BinaryField("协议书 PDF")
    sha256 = models.CharField("SHA-256", max_length=64)
    customer_method = models.CharField("顾客确认方式", max_length=20)
    customer_confirmed_at = models.DateTimeField("顾客确认时间")
    customer_ip = models.GenericIPAddressField("顾客 IP", null=True, blank=True)
    customer_user_agent = models.CharField("顾客浏览器", max_length=300, blank=True)
    staff_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="公司确认人",
    )
    staff_confirmed_label = models.CharField("公司确认人名称", max_length=100, blank=True)
    staff_confirmed_at = models.DateTimeField("公司确认时间", null=True, blank=True)
    generated_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "调解协议书"
        verbose_name_plural = "调解协议书"


from .facts_models import CaseFact  # noqa: E402, F401  (registered with this app)
