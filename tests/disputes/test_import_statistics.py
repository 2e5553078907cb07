"""After a large import every table it wrote has fresh planner statistics (issue 13: with
only the disputes table analysed, the 4-million-row events table had none and the
timeline read ran a parallel plan, 9.6 ms instead of 0.07 ms)."""

import pytest
from django.apps import apps
from django.db import connection

from aftersales.intake import importing
from aftersales.intake.importing import run_import
from tests.disputes.test_import import good, write_csv

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def planner_rows(table: str) -> float:
    """What PostgreSQL believes the table holds (-1: never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_an_import_past_the_threshold_refreshes_every_table_it_wrote(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    monkeypatch.setattr(importing, "ANALYZE_AFTER_ROWS", 20)
    result = run_import(write_csv(tmp_path / "a.csv", [good(i) for i in range(30)]))
    assert result.created == 30

    for label in importing.WRITTEN:
        model = apps.get_model(label)
        table, rows = model._meta.db_table, model.objects.count()
        if rows:
            assert planner_rows(table) == rows, f"{table}: statistics not refreshed"
    # The import wrote the customers and the timeline, not only the disputes.
    assert planner_rows("disputes_event") >= 30
    assert planner_rows("parties_customer") > 0
