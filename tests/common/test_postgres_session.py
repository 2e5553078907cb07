"""What every PostgreSQL connection of the product runs with (issue 13): prepared
statements keep custom plans (a generic plan scanned a whole index for a rare search term:
6 ms → 590 ms) and no JIT (41 ms of compiling on a capped count of a million disputes)."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_statements_are_planned_for_their_values_and_never_jit_compiled():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
