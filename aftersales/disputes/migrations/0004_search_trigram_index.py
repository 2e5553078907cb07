"""PostgreSQL: a trigram index so substring search of descriptions (search_text LIKE
'%…%') does not scan every dispute. Needs the pg_trgm extension; where the database
user may not create it, search still works, only unindexed."""

import warnings

from django.db import DatabaseError, migrations, transaction

INDEX = "dispute_search_trgm_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON disputes_dispute "
                "USING gin (search_text gin_trgm_ops)"
            )
    except DatabaseError as exc:  # pragma: no cover - depends on database privileges
        warnings.warn(f"pg_trgm unavailable, search stays unindexed: {exc}", stacklevel=1)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("disputes", "0003_group_detection_indexes")]
    operations = [migrations.RunPython(create, drop)]
