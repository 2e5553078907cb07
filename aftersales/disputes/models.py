"""The Dispute aggregate: the dispute, its immutable timeline, evidence and department tasks."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import IsNull
from django.utils.translation import pgettext_lazy

from aftersales.parties.models import Customer, Order, Product, Team
from aftersales.parties.roles import Department

from . import timeline_registry
from .lifecycle import OPEN, Status
from .taxonomy import Category, Severity


class Channel(models.TextChoices):
    PORTAL = "portal", pgettext_lazy("intake channel", "顾客门户")
    PHONE = "phone", pgettext_lazy("intake channel", "电话")
    IN_PERSON = "in_person", pgettext_lazy("intake channel", "到店")
    LETTER = "letter", pgettext_lazy("intake channel", "信函")
    EMAIL = "email", pgettext_lazy("intake channel", "电子邮件")
    CHAT = "chat", pgettext_lazy("intake channel", "在线客服")
    SOCIAL = "social", pgettext_lazy("intake channel", "社交媒体")
    PLATFORM = "platform", pgettext_lazy("intake channel", "平台纠纷")
    IMPORT = "import", pgettext_lazy("intake channel", "批量导入")
    API = "api", pgettext_lazy("intake channel", "接口")


class Expectation(models.TextChoices):
    REFUND = "refund", pgettext_lazy("customer expectation", "仅退款")
    RETURN_REFUND = "return_refund", pgettext_lazy("customer expectation", "退货退款")
    EXCHANGE = "exchange", pgettext_lazy("customer expectation", "换货")
    REPAIR = "repair", pgettext_lazy("customer expectation", "维修")
    RESHIP = "reship", pgettext_lazy("customer expectation", "补发")
    COMPENSATION = "compensation", pgettext_lazy("customer expectation", "赔偿")
    APOLOGY = "apology", pgettext_lazy("customer expectation", "道歉")
    OTHER = "other", pgettext_lazy("customer expectation", "其他")


class DaySequence(models.Model):
    """The last number handed out per Asia/Shanghai intake day; advanced by one atomic
    upsert so concurrent intakes never collide."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField()

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"


# Classification confidence below this marks a dispute 待复核 (needs review).
NEEDS_REVIEW_BELOW = 0.5


def needs_review_of(confidence: float | None) -> bool:
    return confidence is not None and confidence < NEEDS_REVIEW_BELOW


def queue_order_index(*lead, name: str, condition=None) -> models.Index:
    """An index in the queue's order (selectors.QUEUE_ORDER: open first, most severe, a
    due time before none, the earliest due, the oldest, then id) after `lead`."""
    return models.Index(
        *lead,
        F("is_open").desc(),
        F("severity_rank").desc(),
        IsNull(F("due_at"), True),
        F("due_at"),
        F("received_at"),
        F("id"),
        name=name,
        condition=condition,
    )


class Dispute(models.Model):
    number = models.CharField("投诉编号", max_length=16, unique=True)
    channel = models.CharField("受理渠道", max_length=20, choices=Channel.choices)
    status = models.CharField(
        "状态",
        max_length=20,
        choices=Status.choices,
        default=Status.RECEIVED,
    )
    is_open = models.BooleanField("未结", default=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="disputes", verbose_name="顾客"
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="disputes",
        null=True,
        blank=True,
        verbose_name="订单",
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    product_name = models.CharField("商品", max_length=200, blank=True)
    amount_paid = models.DecimalField(
        "实付金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    claimed_amount = models.DecimalField(
        "诉求金额（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    occurred_at = models.DateTimeField("发生时间", null=True, blank=True)
    description = models.TextField("问题描述", max_length=5000)
    # Simplified, case-folded copy of the description: what substring search compares,
    # so Traditional and Simplified queries find the same disputes.
    search_text = models.TextField(editable=False, default="")
    # What the search index holds (aftersales.disputes.search.dispute_tokens):
    # character bigrams of the description and customer name plus the exact keys (order
    # and platform numbers, phone, its last four digits). Indexed by FTS5 on SQLite and a
    # GIN tsvector on PostgreSQL (migration 0014).
    # (db_default too: the benchmarks' COPY loads name their columns and leave it out.)
    search_tokens = models.TextField(editable=False, default="", db_default="")
    expectation = models.CharField(
        "顾客诉求", max_length=20, choices=Expectation.choices, default=Expectation.OTHER
    )
    expectation_text = models.CharField("诉求说明", max_length=500, blank=True)
    category = models.CharField(
        "主分类",
        max_length=30,
        choices=Category.choices,
        default=Category.OTHER,
    )
    secondary_categories = models.JSONField("次要分类", default=list, blank=True)
    severity = models.CharField(
        "严重程度",
        max_length=10,
        choices=Severity.choices,
        default=Severity.GENERAL,
    )
    severity_rank = models.PositiveSmallIntegerField(default=1, editable=False)
    escalation_risk = models.BooleanField("升级风险", default=False)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name="疑似重复于",
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="disputes"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_disputes",
        verbose_name="处理人",
    )
    due_at = models.DateTimeField("最近时限", null=True, blank=True)
    # The classifier's probability for the chosen category at intake (None: not
    # classified by the model); below NEEDS_REVIEW_BELOW the dispute is 待复核 until a
    # person confirms or corrects the classification.
    confidence = models.FloatField("分类置信度", null=True, blank=True, editable=False)
    needs_review = models.BooleanField("待复核", default=False, db_default=False, editable=False)
    external_ref = models.CharField("外部单号", max_length=100, null=True, blank=True)
    # Retries and re-imports collapse on this: "idem:<user>:<Idempotency-Key>" or
    # "row:<sha256 of the imported row>".
    intake_key = models.CharField(max_length=200, null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    # Times the dispute was reopened (an unsatisfied follow-up): `dispute_apply` counts
    # each `reopen`; the reopen rate of SPEC §8 reads it.
    reopen_count = models.PositiveIntegerField("重开次数", default=0)
    received_at = models.DateTimeField("受理时间", db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "售后纠纷"
        verbose_name_plural = "售后纠纷"
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=Q(external_ref__isnull=False),
                name="dispute_external_ref_unique",
            ),
            models.UniqueConstraint(
                fields=["intake_key"],
                condition=Q(intake_key__isnull=False),
                name="dispute_intake_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="dispute_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(claimed_amount__isnull=True) | Q(claimed_amount__gte=0),
                name="dispute_claimed_amount_not_negative",
            ),
        ]
        indexes = [
            # The queue: open first, most severe, earliest due, oldest.
            models.Index(
                fields=["-is_open", "-severity_rank", "due_at", "received_at"],
                name="dispute_queue_idx",
            ),
            # The queue's order as selectors.QUEUE_ORDER writes it (no due time last).
            models.Index(
                F("is_open").desc(),
                F("severity_rank").desc(),
                IsNull(F("due_at"), True),
                F("due_at"),
                F("received_at"),
                name="dispute_queue_order_idx",
            ),
            # The queue filtered to 待复核 (few rows).
            models.Index(
                F("is_open").desc(),
                F("severity_rank").desc(),
                IsNull(F("due_at"), True),
                F("due_at"),
                F("received_at"),
                condition=Q(needs_review=True),
                name="dispute_review_queue_idx",
            ),
            # The queue filtered by status, category or channel, or to 有升级风险, read in
            # its order from an index instead of sorting every match (migration 0016).
            *(
                queue_order_index(F(column), name=f"dispute_queue_{column}_idx")
                for column in ("status", "category", "channel")
            ),
            queue_order_index(name="dispute_risk_queue_idx", condition=Q(escalation_risk=True)),
            models.Index(fields=["status", "received_at"], name="dispute_status_idx"),
            models.Index(fields=["team", "is_open"], name="dispute_team_idx"),
            models.Index(fields=["assignee", "is_open"], name="dispute_assignee_idx"),
            models.Index(fields=["category", "received_at"], name="dispute_category_idx"),
            models.Index(fields=["order", "is_open"], name="dispute_order_open_idx"),
            models.Index(fields=["customer", "is_open"], name="dispute_customer_open_idx"),
            # Group-complaint detection: the last week's disputes about one product.
            models.Index(fields=["product", "received_at"], name="dispute_product_recent_idx"),
            models.Index(fields=["product_name", "received_at"], name="dispute_pname_recent_idx"),
        ]

    # The timeline as intake wrote it, set on a dispute just created so the reply need
    # not read it back; None on disputes loaded from the database.
    known_events: list["Event"] | None = None

    def __str__(self) -> str:
        return self.number

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @staticmethod
    def open_statuses() -> list[str]:
        return [s.value for s in OPEN]


class Event(models.Model):
    """One entry on a dispute's timeline. Never updated or deleted: corrections are new
    events."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")
    # A code registered by the app that writes it (aftersales.disputes.timeline_registry):
    # no choices, so a new kind needs no migration; the writer refuses unknown codes.
    kind = models.CharField("类型", max_length=30)
    action = models.CharField("操作", max_length=30, blank=True)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作方", max_length=100, blank=True)
    reason = models.TextField("原因", blank=True)
    payload = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "时间线事件"
        verbose_name_plural = "时间线事件"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dispute", "at"], name="event_dispute_at_idx")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Timeline events are immutable; append a new event instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Timeline events are never deleted.")

    def __str__(self) -> str:
        return f"{self.dispute_id}:{self.kind}:{self.action}"

    @property
    def kind_label(self) -> str:
        """The kind in the reader's language."""
        return timeline_registry.kind_label(self.kind)

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language when the system wrote it; as typed when a
        person did."""
        return timeline_registry.render_reason(self.reason, self.payload)


def evidence_path(instance: "Evidence", filename: str) -> str:
    """Named by the hash of the stored bytes (the cleaned copy of an image)."""
    digest = instance.stored_sha256 or instance.sha256
    return f"evidence/{digest[:2]}/{digest}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", pgettext_lazy("evidence kind", "图片")
        VIDEO = "video", pgettext_lazy("evidence kind", "视频")
        PDF = "pdf", pgettext_lazy("evidence kind", "PDF 文件")
        TEXT = "text", pgettext_lazy("evidence kind", "文本")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField("文件名", max_length=255)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    # The SHA-256 of the bytes as received: what evidence integrity rests on, and what a
    # second upload of the same file is recognised by.
    sha256 = models.CharField(max_length=64)
    # What is stored and served: the same bytes, or for an image a copy without its
    # metadata (EXIF location, camera, XMP; aftersales.disputes.image_metadata).
    stored_sha256 = models.CharField("存储文件 SHA-256", max_length=64, blank=True)
    metadata_removed = models.BooleanField("已去除元数据", default=False)
    # False: the format could not be examined (HEIC, videos, files before the check).
    metadata_checked = models.BooleanField("已检查元数据", default=False)
    note = models.CharField("说明", max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "证据"
        verbose_name_plural = "证据"
        constraints = [
            models.UniqueConstraint(fields=["dispute", "sha256"], name="evidence_once_per_dispute")
        ]


class Task(models.Model):
    """Work a department must do on a dispute (QC inspection, logistics trace, …). The
    detail of each kind comes with investigation; here it decides who may see the dispute."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("task state", "待处理")
        DONE = "done", pgettext_lazy("task state", "已完成")
        CANCELLED = "cancelled", pgettext_lazy("task state", "已取消")

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="tasks")
    department = models.CharField("部门", max_length=30, choices=Department.choices)
    kind = models.CharField("任务类型", max_length=40)
    title = models.CharField("任务", max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "部门任务"
        verbose_name_plural = "部门任务"
        indexes = [models.Index(fields=["department", "state"], name="task_department_idx")]
