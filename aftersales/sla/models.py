"""SLA policy (timer kinds, limit overrides, versions) and the timers themselves (SPEC §4).

Admins edit `TimerKind` and `PolicyLimit`; every change publishes a new `PolicyVersion`
holding a snapshot of the whole policy, and a timer keeps the version it started with.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from aftersales.disputes.models import Channel, Dispute
from aftersales.disputes.taxonomy import Category, Severity

from . import policy
from .calendar import Unit

UNIT_CHOICES = [(u.value, u.label) for u in Unit]
CATEGORY_CHOICES = Category.choices
SEVERITY_CHOICES = Severity.choices


class TimerKind(models.Model):
    """One kind of clock: what starts it, what stops it, its default limit."""

    code = models.CharField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    start_signal = models.CharField(
        "开始事件", max_length=80, help_text="如 event:intake、action:investigate"
    )
    stop_signals = models.JSONField(
        "停止事件", default=list, blank=True, help_text='列表，如 ["action:triage"]'
    )
    limit = models.DecimalField("默认时限", max_digits=10, decimal_places=4)
    unit = models.CharField("单位", max_length=20, choices=UNIT_CHOICES)
    pausable = models.BooleanField("等待顾客时暂停", default=False)
    categories = models.JSONField("仅限分类", default=list, blank=True)
    severities = models.JSONField("仅限严重程度", default=list, blank=True)
    channels = models.JSONField("仅限渠道", default=list, blank=True)
    is_active = models.BooleanField("启用", default=True)
    note = models.TextField("说明", blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=100)

    class Meta:
        verbose_name = "计时类型"
        verbose_name_plural = "计时类型"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def clock(self) -> str:
        return policy.clock_of(self.unit)

    def clean(self) -> None:
        from .signals import EMITTED

        problems = policy.kind_problems(
            code=self.code,
            start=self.start_signal,
            stops=self.stop_signals if isinstance(self.stop_signals, list) else None,
            limit=self.limit,
            unit=self.unit,
            active=self.is_active,
            emitted=EMITTED,
        )
        if problems:
            raise ValidationError(problems)


class PolicyLimit(models.Model):
    """A limit for one kind overriding its default for a category, severity and/or
    channel; the most specific matching row wins (category > severity > channel)."""

    kind = models.ForeignKey(
        TimerKind, on_delete=models.CASCADE, related_name="limits", verbose_name="计时类型"
    )
    category = models.CharField("分类", max_length=30, choices=CATEGORY_CHOICES, blank=True)
    severity = models.CharField("严重程度", max_length=10, choices=SEVERITY_CHOICES, blank=True)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices, blank=True)
    limit = models.DecimalField("时限", max_digits=10, decimal_places=4)
    unit = models.CharField("单位", max_length=20, choices=UNIT_CHOICES)

    class Meta:
        verbose_name = "时限覆盖"
        verbose_name_plural = "时限覆盖"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "category", "severity", "channel"], name="policy_limit_once"
            ),
            models.CheckConstraint(condition=Q(limit__gte=0), name="policy_limit_not_negative"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.kind.code} {self.category or '*'}/{self.severity or '*'}/{self.channel or '*'}"
        )

    def clean(self) -> None:
        problems = policy.limit_problems(self.limit, self.unit)
        if problems:
            raise ValidationError(problems)


class PolicyVersion(models.Model):
    """An immutable snapshot of the whole policy; the newest is in force."""

    number = models.PositiveIntegerField("版本", unique=True)
    snapshot = models.JSONField("策略内容")
    note = models.CharField("变更说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )
    created_at = models.DateTimeField("生效时间")

    class Meta:
        verbose_name = "时限策略版本"
        verbose_name_plural = "时限策略版本"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"第 {self.number} 版"


class Timer(models.Model):
    """One running (or finished) clock on a dispute. `due_at` already includes pauses;
    `risk_at` is when it becomes at risk, so the scan is a plain indexed comparison."""

    class State(models.TextChoices):
        RUNNING = "running", pgettext_lazy("timer state", "计时中")
        PAUSED = "paused", pgettext_lazy("timer state", "暂停（等待顾客）")
        BREACHED = "breached", pgettext_lazy("timer state", "已超时")
        STOPPED = "stopped", pgettext_lazy("timer state", "已完成")
        CANCELLED = "cancelled", pgettext_lazy("timer state", "已取消")

    # Still counting: one per dispute, kind and subject, and what Dispute.due_at is made of.
    LIVE = (State.RUNNING, State.PAUSED, State.BREACHED)
    URGENT = (State.RUNNING, State.BREACHED)

    # Looked up through timer_once_per_start (dispute first), so no index of its own.
    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="timers", db_index=False
    )
    # No index of their own on these two: the scan table stays lean at millions of rows.
    kind = models.ForeignKey(
        TimerKind, on_delete=models.PROTECT, related_name="timers", db_index=False
    )
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="timers",
        verbose_name="策略版本",
        db_index=False,
    )
    # What on the dispute the clock is for: "" (the dispute itself) or one of its
    # after-sale orders ("aftersale:<id>"), from the starting event's payload.
    subject = models.CharField("对象", max_length=40, blank=True, default="")
    limit = models.DecimalField("时限", max_digits=10, decimal_places=4)
    unit = models.CharField("单位", max_length=20, choices=UNIT_CHOICES)
    rule = models.CharField("依据", max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField("开始")
    due_at = models.DateTimeField("截止")
    risk_at = models.DateTimeField("预警时间")
    at_risk_notified = models.BooleanField(default=False)
    at_risk_at = models.DateTimeField("已预警", null=True, blank=True)
    breached_at = models.DateTimeField("超时于", null=True, blank=True)
    paused_at = models.DateTimeField("暂停于", null=True, blank=True)
    paused_seconds = models.PositiveIntegerField("累计暂停（秒）", default=0)
    stopped_at = models.DateTimeField("停止", null=True, blank=True)
    stopped_by = models.CharField("停止原因", max_length=80, blank=True)
    # Due time counted across a year with no holidays entered (weekends only); recomputed
    # when the year is entered (services.recompute_provisional).
    provisional = models.BooleanField("暂定", default=False)
    provisional_reason = models.CharField("暂定原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "计时"
        verbose_name_plural = "计时"
        constraints = [
            # One live clock per kind for each subject (each after-sale order its own).
            models.UniqueConstraint(
                fields=["dispute", "kind", "subject"],
                condition=Q(state__in=["running", "paused", "breached"]),
                name="timer_one_live_per_subject",
            ),
            # A replayed event starts nothing new (the same kind and subject at the same
            # instant).
            models.UniqueConstraint(
                fields=["dispute", "kind", "subject", "started_at"], name="timer_once_per_start"
            ),
        ]
        indexes = [
            # The scan: breaches, then at-risk crossings not yet told.
            models.Index(fields=["state", "due_at"], name="timer_state_due_idx"),
            models.Index(
                fields=["state", "risk_at"],
                condition=Q(at_risk_notified=False),
                name="timer_state_risk_idx",
            ),
            # The few provisional timers, found when a year is entered.
            models.Index(
                fields=["state", "due_at"],
                condition=Q(provisional=True),
                name="timer_provisional_idx",
            ),
        ]

    def __str__(self) -> str:
        subject = f":{self.subject}" if self.subject else ""
        return f"{self.dispute_id}:{self.kind_id}{subject}:{self.state}"

    @property
    def clock(self) -> str:
        return policy.clock_of(self.unit)


class CompanyDay(models.Model):
    """A company-specific closed day (e.g. an annual stocktake) or working day (e.g. a
    Saturday before a sales festival), on top of the statutory calendar. A company
    working day counts even on a statutory holiday; see `calendar.WorkCalendar`."""

    class Kind(models.TextChoices):
        CLOSED = "closed", pgettext_lazy("company day", "公司休息日")
        WORKING = "working", pgettext_lazy("company day", "公司工作日")

    day = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "公司日历日"
        verbose_name_plural = "公司日历日"
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["closed", "working"]), name="company_day_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"


class CompanyYear(models.Model):
    """A year whose closed and working days the company has entered in full, so due
    times can be computed for it before the `chinesecalendar` package knows the year
    (weekdays work unless closed, weekends rest unless working)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "公司日历年份（已完整录入）"
        verbose_name_plural = "公司日历年份（已完整录入）"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年"
