"""The demo's text generator: seeded, and people, orders and stores that pass intake."""

from django.utils import timezone

from aftersales.common.phones import normalize_phone
from aftersales.demo.text import PRODUCT_LINES, STORES, DemoTextGenerator
from aftersales.disputes.models import Expectation
from aftersales.disputes.taxonomy import Category, Severity


def test_generator_is_seeded_and_writes_valid_people_and_orders():
    first = DemoTextGenerator(11)
    second = DemoTextGenerator(11)
    for category in Category:
        for severity in Severity:
            a = first.complaint(category, severity, channel="letter", customer_name="王伟")
            b = second.complaint(category, severity, channel="letter", customer_name="王伟")
            assert a == b
            assert a.category == category and a.severity == severity
            assert a.expectation in Expectation.values
            assert a.amount_paid > 0
    gen = DemoTextGenerator(3)
    phones = [gen.person().phone for _ in range(500)]
    assert len(set(phones)) == 500
    assert all(normalize_phone(p) == p and len(p) == 11 for p in phones)
    now = timezone.now()
    orders = [gen.order_no(s.platform, now) for s in STORES for _ in range(20)]
    assert len(set(orders)) == len(orders)
    assert all(s.sale_channel == ("live_stream" if s.platform in ("douyin", "kuaishou") else
                                  "online") for s in STORES)  # fmt: skip
    sold = {code for s in STORES for code in s.lines}
    assert sold == {line.code for line in PRODUCT_LINES}
