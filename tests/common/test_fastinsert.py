"""The import path's multi-row INSERT stores what bulk_create would, on both databases."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.common.fastinsert import insert_many
from aftersales.disputes.models import Event
from aftersales.disputes.timeline import DisputeKind
from aftersales.parties.models import Customer, Order
from tests.factories import CustomerFactory, StoreFactory, make_dispute

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_values_round_trip_and_keys_are_set():
    store, customer = StoreFactory(), CustomerFactory()
    paid = dt.datetime(2026, 11, 11, 0, 0, 5, tzinfo=SHANGHAI)
    orders = [
        Order(
            order_no=f"FI{i:04d}",
            store=store,
            customer=customer,
            amount_paid=Decimal("1999.90") + i,
            paid_at=paid,
        )
        for i in range(2500)  # more than one batch
    ]
    insert_many(orders)
    assert all(o.pk for o in orders)
    assert len({o.pk for o in orders}) == 2500
    stored = Order.objects.get(pk=orders[1234].pk)
    assert stored.order_no == "FI1234"
    assert stored.amount_paid == Decimal("3233.90")
    assert stored.paid_at == paid
    assert stored.customer == customer


@pytest.mark.django_db
def test_events_keep_their_order_on_the_timeline():
    dispute = make_dispute()
    at = dispute.received_at
    events = [
        Event(dispute=dispute, kind=DisputeKind.NOTE, reason=f"第{i}条", payload={"i": i}, at=at)
        for i in range(50)
    ]
    insert_many(events)
    notes = list(dispute.events.filter(kind=DisputeKind.NOTE).order_by("at", "id"))
    assert [e.reason for e in notes] == [f"第{i}条" for i in range(50)]
    assert notes[7].payload == {"i": 7}


@pytest.mark.django_db
def test_taken_keys_are_skipped_not_duplicated():
    existing = CustomerFactory(phone="13900001111", name="老顾客")
    fresh = [
        Customer(name="新顾客", phone="13900002222"),
        Customer(name="冒名", phone=existing.phone),
    ]
    insert_many(fresh, skip_taken="phone")
    assert fresh[0].pk is not None
    assert fresh[1].pk is None  # the caller reads the existing record back
    assert Customer.objects.get(phone=existing.phone).name == "老顾客"
    assert Customer.objects.filter(phone="13900002222").count() == 1
