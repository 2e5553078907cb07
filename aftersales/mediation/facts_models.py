"""Case facts (案件事实) recorded by people: the findings the entitlements engine needs and
no order, product or department report carries — fraud, a proven loss, earlier failed
repairs, whether the goods came back intact, the signing date of an imported order.

Append-only: every change is a new row, never an update, and the newest row per fact is
in force (a row whose value is null withdraws the finding, so the fact falls back to what
the order or the investigation says). The rows are the history with their reasons and
evidence; each PUT that changes something also writes one FACTS_RECORDED timeline event
with before and after, which the row points to. A current-value table would need the
history kept twice; reading "newest per name" for one dispute is one indexed query.
Written only by `aftersales.mediation.facts`, read by `aftersales.mediation.selectors`.
Imported by `models.py` so Django registers it with the mediation app."""

from django.conf import settings
from django.db import models

from aftersales.disputes.models import Dispute, Event


class CaseFact(models.Model):
    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="case_facts", verbose_name="投诉"
    )
    name = models.CharField("事实", max_length=40)
    # The `aftersales entitlements` contract's JSON form: ISO dates, money as a decimal
    # string, booleans, whole numbers, enum codes; null withdraws the recorded finding.
    value = models.JSONField("取值", null=True, blank=True)
    reason = models.TextField("依据说明", max_length=2000)
    evidence_ids = models.JSONField("证据", default=list, blank=True)
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="+", verbose_name="时间线事件"
    )
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
        verbose_name = "案件事实"
        verbose_name_plural = "案件事实"
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["dispute", "name", "-id"], name="casefact_current_idx")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Case facts are append-only; record a new value instead.")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.dispute_id}:{self.name}"
