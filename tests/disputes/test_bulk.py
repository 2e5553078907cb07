import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.disputes.bulk import BulkRow, HistoryStep, OrderFacts, row_hash
from aftersales.disputes.intake import validate_intake
from aftersales.disputes.lifecycle import Status, owner_of, path_to
from aftersales.disputes.models import Dispute, Event
from aftersales.intake.bulk import bulk_intake
from aftersales.notifications.models import OutboundMessage

pytestmark = pytest.mark.django_db


def _row(line, order_no, phone="13800000001", received=None, history=(), **extra):
    received = received or timezone.now() - dt.timedelta(days=1)
    data = {
        "channel": "import",
        "order_no": order_no,
        "customer": {"name": "李四", "phone": phone},
        "description": f"第{line}行：收到的手机屏幕有划痕",
        "received_at": received,
        **extra,
    }
    request = validate_intake(data)
    facts = OrderFacts(
        store_code="jd-flagship",
        store_name="京东旗舰店",
        platform="jd",
        amount_paid=Decimal("2999.00"),
        product_name="手机",
    )
    return BulkRow(
        line=line,
        request=request,
        intake_key="row:" + row_hash([line, order_no, phone]),
        order=facts,
        history=tuple(history),
    )


def test_bulk_intake_creates_orders_customers_numbers_and_timeline():
    rows = [_row(i, f"JD{i}", phone=f"1380000{i:04d}") for i in range(1, 6)]
    result = bulk_intake(rows)
    assert len(result.created) == 5 and not result.failed
    numbers = [n for _line, n in result.created]
    assert len(set(numbers)) == 5
    day = (timezone.now() - dt.timedelta(days=1)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert all(n.startswith(f"SH{day:%Y%m%d}") for n in numbers)
    d = Dispute.objects.get(number=numbers[0])
    assert d.order.order_no == "JD1" and d.order.lines.count() == 1
    kinds = list(d.events.values_list("kind", flat=True))
    assert kinds.count("intake") == 1 and kinds.count("acknowledgement") == 1
    assert OutboundMessage.objects.filter(dispute=d, template="acknowledgement").count() == 1


def test_bulk_intake_is_idempotent_and_flags_duplicates_within_batch():
    rows = [_row(1, "JD9"), _row(2, "JD9")]
    first = bulk_intake(rows)
    assert len(first.created) == 2
    second_dispute = Dispute.objects.get(number=first.created[1][1])
    assert second_dispute.duplicate_of.number == first.created[0][1]
    assert second_dispute.events.filter(kind="duplicate_flagged").count() == 1
    again = bulk_intake(rows)
    assert not again.created and len(again.skipped) == 2
    assert Dispute.objects.count() == 2


def test_bulk_history_is_judged_by_the_lifecycle():
    now = timezone.now()
    # A history replays moves made elsewhere: its owned steps (propose, settle) name the
    # workflow that made them, as they would live.
    steps = [
        HistoryStep(
            action=a,
            at=now - dt.timedelta(hours=10 - i),
            reason="原因",
            payload={"customer_confirmed": True} if a == "close" else {},
            via=owner_of(a),
        )
        for i, a in enumerate(path_to(Status.CLOSED))
    ]
    good = _row(1, "JD20", received=now - dt.timedelta(days=1), history=steps)
    bad = _row(2, "JD21", history=[HistoryStep(action="close", at=now)])
    # An owned step without its workflow is refused, as at the generic door.
    unowned = _row(
        3,
        "JD22",
        received=now - dt.timedelta(days=1),
        history=[
            HistoryStep(action=a, at=now - dt.timedelta(hours=5 - i))
            for i, a in enumerate(["triage", "investigate", "propose"])
        ],
    )
    # A withdrawal without the customer's confirmation is refused too.
    unconfirmed = _row(
        4, "JD23", history=[HistoryStep(action="withdraw", at=now, reason="顾客撤回")]
    )
    result = bulk_intake([good, bad, unowned, unconfirmed])
    assert [line for line, _n in result.created] == [1]
    assert [line for line, _m in result.failed] == [2, 3, 4]
    d = Dispute.objects.get(number=result.created[0][1])
    assert d.status == "closed" and not d.is_open and d.closed_at is not None
    assert d.version == 1 + len(steps)
    assert Event.objects.filter(dispute=d, kind="action").count() == len(steps)
    assert not Dispute.objects.filter(order__order_no="JD21").exists()


def test_unknown_order_without_facts_fails_that_row_only():
    row = _row(1, "NOPE")
    row = BulkRow(line=1, request=row.request, intake_key="row:x", order=None)
    ok = _row(2, "JD30")
    result = bulk_intake([row, ok])
    assert [line for line, _ in result.failed] == [1]
    assert "NOPE" in result.failed[0][1]
    assert [line for line, _ in result.created] == [2]
