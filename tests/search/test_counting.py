"""Capped counts: never more than cap + 1 rows read, the exact count below the cap."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.common.counting import Count, capped_count, estimated_count, list_count
from aftersales.parties.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_exact_below_the_cap():
    CustomerFactory.create_batch(3)
    assert capped_count(Customer.objects.all(), cap=5) == Count(3, True)
    assert capped_count(Customer.objects.all(), cap=3) == Count(3, True)
    assert str(capped_count(Customer.objects.all(), cap=3)) == "3"


def test_capped_above_it():
    CustomerFactory.create_batch(4)
    counted = capped_count(Customer.objects.order_by("name"), cap=3)
    assert counted == Count(3, False)
    assert str(counted) == "3+"
    assert capped_count(Customer.objects.none(), cap=3) == Count(0, True)


def test_one_statement_with_a_limit():
    CustomerFactory.create_batch(2)
    with CaptureQueriesContext(connection) as ctx:
        capped_count(Customer.objects.filter(name__startswith="顾客"), cap=1000)
    [query] = ctx.captured_queries
    assert "LIMIT 1001" in query["sql"].upper()
    assert "COUNT(" in query["sql"].upper()


def test_estimate_only_for_unfiltered_lists_on_postgresql():
    CustomerFactory.create_batch(4)
    assert list_count(Customer.objects.all(), cap=10) == Count(4, True)
    counted = list_count(Customer.objects.all(), cap=3, unfiltered=True)
    assert counted.exact is False and counted.value >= 3
    if connection.vendor != "postgresql":
        assert estimated_count(Customer) is None
        assert counted == Count(3, False)
