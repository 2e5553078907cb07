"""The pages benchmark's loader (benchmarks/pages_load.py) at a tiny size: 100 disputes
made by the services, copied to 300. The copies are what the benchmark measures, so
they must be the same shape as the real ones: every per-dispute table multiplied, the
copies' keys unique, their dispute page and timeline open, the search finds them."""

import datetime as dt
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.disputes.models import Dispute
from aftersales.disputes.search import tokens_of

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import pages_load

pytestmark = pytest.mark.django_db


def test_copies_are_shaped_like_the_seed_and_open_on_the_pages():
    agent, _took = pages_load.load(300, 100, timezone.now())

    rows = pages_load.counts(connection)
    for table in ("parties_customer", "parties_order", "parties_orderline", "disputes_dispute"):
        assert rows[table] == 300, table
    assert rows["notifications_outboundmessage"] == 300
    assert rows["sla_timer"] == 4 * 300
    assert 7.5 <= rows["disputes_event"] / 300 <= 8.5
    assert 1 <= rows["disputes_task"] / 300 <= 1.1
    numbers = Dispute.objects.values_list("number", flat=True)
    assert len(set(numbers)) == 300

    seed = Dispute.objects.select_related("customer", "order").get(intake_key="bench:50")
    copy = Dispute.objects.select_related("customer", "order").get(intake_key="bench:250")
    assert copy.order.order_no == "P000000250" and copy.customer.phone == "13900000250"
    assert copy.description == seed.description
    assert copy.search_tokens == tokens_of(copy)
    assert seed.received_at - copy.received_at == dt.timedelta(seconds=2 * 7)
    assert copy.events.count() == seed.events.count()

    client = Client()
    client.force_login(agent)
    page = client.get(reverse("workbench:dispute_detail", args=[copy.number]))
    assert page.status_code == 200
    text = page.content.decode()
    assert copy.number in text and "已致电顾客" in text  # the copied call on the timeline
    found = client.get(reverse("workbench:dispute_list"), {"q": "P000000250"})
    assert copy.number in found.content.decode()
    assert seed.number not in found.content.decode()
    assert pages_load.check_copies(agent, 300, 100) == []
