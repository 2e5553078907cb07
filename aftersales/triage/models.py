"""Triage records: model versions, agents' corrections kept as training feedback, the
routing rules table, and group-complaint candidates."""

from django.conf import settings
from django.db import models
from django.utils.translation import pgettext_lazy

from aftersales.disputes.taxonomy import Category, Severity
from aftersales.parties.roles import Department

CATEGORY_CHOICES = Category.choices
SEVERITY_CHOICES = Severity.choices


class ModelVersion(models.Model):
    """A trained classifier. The committed base model needs no row; `triage retrain`
    records each new one and makes it the active one."""

    version = models.CharField("版本", max_length=60, unique=True)
    path = models.CharField("文件", max_length=300)
    trained_at = models.DateTimeField("训练时间")
    examples = models.PositiveIntegerField("训练样本数")
    feedback_examples = models.PositiveIntegerField("其中人工更正", default=0)
    metrics = models.JSONField("评估", default=dict, blank=True)
    is_active = models.BooleanField("使用中", default=False)

    class Meta:
        verbose_name = "分类模型版本"
        verbose_name_plural = "分类模型版本"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_model_version",
            )
        ]

    def __str__(self) -> str:
        return self.version


class Feedback(models.Model):
    """An agent's correction of a classification: the text and the labels it should have
    had. Retraining learns from these."""

    dispute = models.ForeignKey(
        "disputes.Dispute", on_delete=models.CASCADE, related_name="triage_feedback"
    )
    text = models.TextField("文本")
    category = models.CharField("主分类", max_length=30, choices=CATEGORY_CHOICES)
    secondary_categories = models.JSONField("次要分类", default=list, blank=True)
    severity = models.CharField("严重程度", max_length=10, choices=SEVERITY_CHOICES)
    before = models.JSONField("更正前", default=dict)
    model_version = models.CharField("原模型版本", max_length=60, blank=True)
    reason = models.TextField("原因")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "分类更正"
        verbose_name_plural = "分类更正"


class RoutingRule(models.Model):
    """One row of the routing table. A rule fires when every condition it sets holds;
    blank conditions match anything. Rules run in priority order; all that fire act."""

    code = models.SlugField("规则编码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    priority = models.PositiveSmallIntegerField("优先级（小者先）", default=100)
    is_active = models.BooleanField("启用", default=True)
    # Conditions
    categories = models.JSONField(
        "主分类为其一", default=list, blank=True, help_text="分类编码列表；空表示不限"
    )
    min_severity = models.CharField(
        "严重程度不低于", max_length=10, choices=SEVERITY_CHOICES, blank=True
    )
    escalation_risk = models.BooleanField(
        "有升级风险", null=True, blank=True, help_text="空表示不限"
    )
    channels = models.JSONField("受理渠道为其一", default=list, blank=True)
    # Actions
    task_department = models.CharField(
        "建立部门任务",
        max_length=30,
        choices=Department.choices,
        blank=True,
    )
    task_kind = models.CharField("任务类型", max_length=40, blank=True)
    task_title = models.CharField("任务内容", max_length=200, blank=True)
    team = models.ForeignKey(
        "parties.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="分给小组",
    )
    notify_team_lead = models.BooleanField("通知组长", default=False)
    notify_management = models.BooleanField("通知管理层", default=False)

    class Meta:
        verbose_name = "分派规则"
        verbose_name_plural = "分派规则"
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GroupComplaint(models.Model):
    """Near-identical complaints about one product from different customers within a
    week: a candidate 集体投诉 until a team lead confirms (all become major) or dismisses."""

    class State(models.TextChoices):
        CANDIDATE = "candidate", pgettext_lazy("group complaint state", "待确认")
        CONFIRMED = "confirmed", pgettext_lazy("group complaint state", "已确认")
        DISMISSED = "dismissed", pgettext_lazy("group complaint state", "已排除")

    product = models.ForeignKey(
        "parties.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product_name = models.CharField("商品", max_length=200, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.CANDIDATE)
    disputes = models.ManyToManyField(
        "disputes.Dispute", related_name="group_complaints", verbose_name="投诉"
    )
    created_at = models.DateTimeField("发现时间")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "集体投诉"
        verbose_name_plural = "集体投诉"
        indexes = [models.Index(fields=["state", "created_at"], name="group_state_idx")]
