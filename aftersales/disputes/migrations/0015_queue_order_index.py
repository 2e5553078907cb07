"""The queue's order as an index both databases read a page from without sorting every
match: open first, most severe, those with a due time before those without, the earliest
due, the oldest (disputes.selectors.QUEUE_ORDER). dispute_queue_idx's "due_at" cannot give
"due_at ASC NULLS LAST" on SQLite, which then sorted the whole table for each page."""

import django.db.models.lookups
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("disputes", "0014_search_tokens_and_review")]

    operations = [
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(
                models.OrderBy(models.F("is_open"), descending=True),
                models.OrderBy(models.F("severity_rank"), descending=True),
                django.db.models.lookups.IsNull(models.F("due_at"), True),
                models.F("due_at"),
                models.F("received_at"),
                name="dispute_queue_order_idx",
            ),
        ),
    ]
