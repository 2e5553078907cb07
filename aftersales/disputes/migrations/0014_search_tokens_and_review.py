"""Search that finds two-character Chinese words on both databases (search_tokens: the
bigrams and exact keys of aftersales.disputes.search, indexed by FTS5 on SQLite and a GIN
tsvector on PostgreSQL), and the classification confidence with its 待复核 flag, both
filled for the disputes already stored."""

import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

from aftersales.disputes.search import dispute_tokens, drop_index, install_index

BATCH = 2000
REVIEW_BELOW = 0.5  # aftersales.disputes.models.NEEDS_REVIEW_BELOW when written


def backfill(apps, schema_editor):
    Dispute = apps.get_model("disputes", "Dispute")
    Event = apps.get_model("disputes", "Event")
    db = schema_editor.connection.alias
    last = 0
    while True:
        batch = list(
            Dispute.objects.using(db)
            .filter(pk__gt=last)
            .order_by("pk")
            .select_related("customer", "order")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1].pk
        ids = [d.pk for d in batch]
        confidence = {}
        for dispute_id, payload in (
            Event.objects.using(db)
            .filter(dispute_id__in=ids, kind="classified")
            .order_by("at", "id")
            .values_list("dispute_id", "payload")
        ):
            value = (payload or {}).get("confidence")
            if isinstance(value, (int, float)):
                confidence[dispute_id] = float(value)
        corrected = set(
            Event.objects.using(db)
            .filter(dispute_id__in=ids, kind="reclassified")
            .values_list("dispute_id", flat=True)
        )
        for d in batch:
            order = d.order
            d.search_tokens = dispute_tokens(
                description=d.description,
                customer_name=d.customer.name,
                customer_phone=d.customer.phone,
                order_no=order.order_no if order else "",
                platform_order_no=order.platform_order_no if order else "",
                external_ref=d.external_ref,
            )
            d.confidence = confidence.get(d.pk)
            d.needs_review = (
                d.is_open
                and d.pk not in corrected
                and d.confidence is not None
                and d.confidence < REVIEW_BELOW
            )
        Dispute.objects.using(db).bulk_update(
            batch, ["search_tokens", "confidence", "needs_review"], batch_size=500
        )


def index(apps, schema_editor):
    install_index(schema_editor)


def unindex(apps, schema_editor):
    drop_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0013_dispute_reopen_count"),
        ("parties", "0005_order_return_shipping_insurance"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="dispute",
            name="confidence",
            field=models.FloatField(
                blank=True, editable=False, null=True, verbose_name="分类置信度"
            ),
        ),
        migrations.AddField(
            model_name="dispute",
            name="needs_review",
            field=models.BooleanField(
                db_default=False, default=False, editable=False, verbose_name="待复核"
            ),
        ),
        migrations.AddField(
            model_name="dispute",
            name="search_tokens",
            field=models.TextField(db_default="", default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(
                models.OrderBy(models.F("is_open"), descending=True),
                models.OrderBy(models.F("severity_rank"), descending=True),
                django.db.models.lookups.IsNull(models.F("due_at"), True),
                models.F("due_at"),
                models.F("received_at"),
                condition=models.Q(("needs_review", True)),
                name="dispute_review_queue_idx",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]
