"""A customer's request to erase their personal data (PIPL §47), waiting in the admins'
queue until one of them decides it (aftersales.privacy.requests)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class ErasureRequest(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("erasure request", "待处理")
        DONE = "done", pgettext_lazy("erasure request", "已删除")
        REFUSED = "refused", pgettext_lazy("erasure request", "已拒绝")

    customer = models.ForeignKey(
        "parties.Customer",
        on_delete=models.PROTECT,
        related_name="erasure_requests",
        verbose_name="顾客",
    )
    requested_at = models.DateTimeField("申请时间")
    reason = models.TextField("申请理由", blank=True)
    ip = models.GenericIPAddressField("申请 IP", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.TextField("处理说明", blank=True)
    # What the erasure did: the disputes erased and those kept, with why (erase.ErasureReport).
    report = models.JSONField("处理结果", default=dict, blank=True)

    class Meta:
        verbose_name = "个人信息删除申请"
        verbose_name_plural = "个人信息删除申请"
        ordering = ["requested_at", "id"]
        constraints = [
            # One pending request per customer: a second one is the first (requests).
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(state="pending"),
                name="erasure_one_pending_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_state_display()}"
