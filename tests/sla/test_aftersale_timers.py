"""Issue 12: a clock per after-sale order (售后单). Each order's state events carry
"subject": "aftersale:<id>", so two orders of one dispute keep their own clocks; an
event without a subject stops a kind's clock for every order; a dispute that ends
cancels them all. Events are written as the fulfilment app writes them (the contract's
kind and payload), then heard by the timers as fulfilment hands them over
(`timers.timers_on_events`)."""

import pytest

from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import record
from aftersales.notifications.models import Notification
from aftersales.parties.actors import SYSTEM
from aftersales.sla import services
from aftersales.sla import timers as sla_timers
from aftersales.sla.models import PolicyLimit, Timer, TimerKind
from aftersales.sla.scan import sla_scan
from tests.factories import make_dispute, step

from .conftest import at

pytestmark = pytest.mark.django_db

LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"
SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"
MONDAY = "2026-03-02T10:00:00+08:00"
TRIAGED = at("2026-03-02 10:05")


def triaged(description=LEAK):
    """A dispute taken in on Monday 2026-03-02 10:00 and triaged at 10:05: nothing of
    intake's still runs, so what runs below is the after-sale orders' clocks."""
    d = make_dispute(description=description, received_at=MONDAY)
    return step(d, "triage", at=TRIAGED)


def order_state(dispute, order: int, to: str, when, *, subject=True, source=""):
    """Order `order` entered state `to` at `when`: the `aftersale_state` event, then the
    timers hear it."""
    payload = {
        "aftersale_order": order,
        "number": f"SH-AS-{order}",
        "type": "return_refund",
        "action": "create" if not source else "step",
        "from": source,
        "to": to,
        "route": to,
    }
    if subject:
        payload["subject"] = f"aftersale:{order}"
    event = record("aftersale_state", dispute_id=dispute.pk, at=when, payload=payload)
    sla_timers.timers_on_events(dispute, [event])
    return event


def insurance(dispute, order: int, what: str, when):
    event = record(
        f"shipping_insurance_{what}",
        dispute_id=dispute.pk,
        at=when,
        payload={"subject": f"aftersale:{order}", "aftersale_order": order},
    )
    sla_timers.timers_on_events(dispute, [event])


def clocks(dispute, code=None):
    """The clocks started since triage (intake's stopped ones left out)."""
    qs = (
        Timer.objects.filter(dispute=dispute, started_at__gt=TRIAGED)
        .select_related("kind")
        .order_by("id")
    )
    if code:
        qs = qs.filter(kind__code=code)
    return [(t.kind.code, t.subject, t.state, t.due_at, t.stopped_by) for t in qs]


def due_of(dispute):
    return Dispute.objects.get(pk=dispute.pk).due_at


FINANCE_DUE_MON = at("2026-03-05 23:59:59")  # 3 working days from Monday
FINANCE_DUE_TUE = at("2026-03-06 23:59:59")


def test_two_orders_keep_their_own_finance_clocks():
    d = triaged()
    order_state(d, 1, "awaiting_finance", at("2026-03-02 11:00"))
    order_state(d, 2, "awaiting_finance", at("2026-03-03 09:00"))
    assert clocks(d) == [
        ("finance_payout", "aftersale:1", "running", FINANCE_DUE_MON, ""),
        ("finance_payout", "aftersale:2", "running", FINANCE_DUE_TUE, ""),
    ]
    assert due_of(d) == FINANCE_DUE_MON

    # Order 1 is paid out: its clock stops, order 2's runs on and now sets the queue.
    order_state(d, 1, "awaiting_payout", at("2026-03-03 10:00"), source="awaiting_finance")
    assert clocks(d)[0][2] == "running"  # approved is not paid
    order_state(d, 1, "done", at("2026-03-04 10:00"), source="awaiting_payout")
    assert clocks(d) == [
        ("finance_payout", "aftersale:1", "stopped", FINANCE_DUE_MON, "event:aftersale_state:done"),
        ("finance_payout", "aftersale:2", "running", FINANCE_DUE_TUE, ""),
    ]
    assert due_of(d) == FINANCE_DUE_TUE

    # The payout bounces: order 1 is back with finance, a new clock from the bounce.
    order_state(d, 1, "awaiting_finance", at("2026-03-05 10:00"), source="done")
    assert clocks(d)[2] == (
        "finance_payout",
        "aftersale:1",
        "running",
        at("2026-03-10 23:59:59"),
        "",
    )
    assert due_of(d) == FINANCE_DUE_TUE


def test_an_event_without_a_subject_stops_every_orders_clock_of_the_kind():
    d = triaged()
    order_state(d, 1, "awaiting_finance", at("2026-03-02 11:00"))
    order_state(d, 2, "awaiting_finance", at("2026-03-02 11:30"))
    order_state(d, 3, "awaiting_return", at("2026-03-02 11:30"))
    order_state(d, 0, "cancelled", at("2026-03-02 12:00"), subject=False)
    states = {(code, subject): (state, by) for code, subject, state, _due, by in clocks(d)}
    stopped = ("stopped", "event:aftersale_state:cancelled")
    assert states == {
        ("finance_payout", "aftersale:1"): stopped,
        ("finance_payout", "aftersale:2"): stopped,
        ("customer_return", "aftersale:3"): stopped,
    }
    assert due_of(d) is None


def test_a_signal_with_a_subject_stops_only_that_subjects_clock():
    d = triaged()
    order_state(d, 1, "awaiting_return", at("2026-03-02 11:00"))
    order_state(d, 2, "awaiting_return", at("2026-03-02 11:00"))
    sla_timers.timers_on_signals(
        d, ["event:aftersale_state:return_shipped"], at("2026-03-03 11:00"), subject="aftersale:2"
    )
    assert [(c[1], c[2]) for c in clocks(d, "customer_return")] == [
        ("aftersale:1", "running"),
        ("aftersale:2", "stopped"),
    ]


def test_the_dispute_ending_cancels_every_orders_clock():
    d = triaged()
    order_state(d, 1, "awaiting_finance", at("2026-03-02 11:00"))
    order_state(d, 2, "awaiting_shipment", at("2026-03-02 11:00"))
    step(d, "withdraw", at=at("2026-03-02 15:00"))
    assert {(c[0], c[1], c[2], c[4]) for c in clocks(d)} == {
        ("finance_payout", "aftersale:1", "cancelled", "action:withdraw"),
        ("shipment", "aftersale:2", "cancelled", "action:withdraw"),
    }
    assert due_of(d) is None


def test_a_replayed_state_event_starts_nothing_new():
    d = triaged()
    event = order_state(d, 1, "received", at("2026-03-02 11:00"))
    sla_timers.timers_on_events(d, [event])
    sla_timers.timers_on_events(d, [event, event])
    assert len(clocks(d, "goods_inspection")) == 1


def test_pausing_waits_for_the_customer_on_pausable_clocks_only():
    """After-sale clocks wait on finance, logistics or QC, not the customer: a pause
    leaves them running (the investigation's clock pauses)."""
    d = step(triaged(), "investigate", at=at("2026-03-02 10:10"))
    order_state(d, 1, "awaiting_finance", at("2026-03-02 11:00"))
    sla_timers.timers_pause(
        dispute=d, actor=SYSTEM, reason="等顾客补充照片", at=at("2026-03-02 12:00")
    )
    assert {c[0]: c[2] for c in clocks(d)} == {
        "investigation_general": "paused",
        "finance_payout": "running",
    }
    assert due_of(d) == FINANCE_DUE_MON


# -- each kind: what starts it, what stops it, its limit ------------------------------

START = at("2026-03-02 11:00")
KINDS = {
    # code: (start state or event, its due time from Monday 11:00, stop states)
    "finance_payout": (
        "awaiting_finance",
        FINANCE_DUE_MON,
        ["done", "cancelled", "failed", "awaiting_return_address"],
    ),
    "customer_return": (
        "awaiting_return",
        at("2026-03-09 11:00"),
        ["return_shipped", "cancelled", "failed"],
    ),
    "return_receipt": (
        "return_shipped",
        at("2026-03-09 11:00"),
        ["received", "cancelled", "failed"],
    ),
    "goods_inspection": (
        "received",
        at("2026-03-03 11:00"),
        ["awaiting_finance", "awaiting_shipment", "repairing", "done", "failed", "cancelled"],
    ),
    "shipment": (
        "awaiting_shipment",
        at("2026-03-04 11:00"),
        ["shipped", "done", "cancelled", "failed"],
    ),
    "repair": ("repairing", at("2026-04-01 11:00"), ["awaiting_shipment", "failed", "cancelled"]),
}
CASES = [(code, stop) for code, (_s, _d, stops) in KINDS.items() for stop in stops]


@pytest.mark.parametrize(("code", "stop"), CASES)
def test_each_order_kind_starts_and_stops_on_its_states(code, stop):
    start, due, _stops = KINDS[code]
    d = triaged()
    order_state(d, 7, start, START)
    order_state(d, 8, start, START)  # another order, untouched by order 7's stop
    assert clocks(d, code) == [
        (code, "aftersale:7", "running", due, ""),
        (code, "aftersale:8", "running", due, ""),
    ]
    order_state(d, 7, stop, at("2026-03-02 12:00"), source=start)
    assert clocks(d, code) == [
        (code, "aftersale:7", "stopped", due, f"event:aftersale_state:{stop}"),
        (code, "aftersale:8", "running", due, ""),
    ]


def test_states_nobody_times_start_nothing():
    d = triaged()
    for state in ("awaiting_payout", "awaiting_customer_payment", "awaiting_return_address"):
        order_state(d, 1, state, START)
    order_state(d, 2, "shipped", START)
    order_state(d, 3, "awaiting_issue", START)
    assert clocks(d) == []


def test_the_shipping_insurance_payout_is_due_72_hours_after_the_refund():
    d = triaged()
    insurance(d, 4, "expected", START)
    assert clocks(d) == [
        ("shipping_insurance", "aftersale:4", "running", at("2026-03-05 11:00"), "")
    ]
    insurance(d, 4, "paid", at("2026-03-04 09:00"))
    assert clocks(d)[0][2:] == ("stopped", at("2026-03-05 11:00"), "event:shipping_insurance_paid")


def test_a_return_that_never_arrives_breaches_and_goes_to_the_team_lead(lead):
    d = triaged()
    order_state(d, 5, "awaiting_return", START)
    order_state(d, 5, "return_shipped", at("2026-03-03 09:00"), source="awaiting_return")
    # Seven days on, the parcel has not arrived.
    result = sla_scan(now=at("2026-03-10 09:01"))
    assert result.breached == 1
    timer = Timer.objects.get(dispute=d, kind__code="return_receipt")
    assert (timer.subject, timer.state) == ("aftersale:5", "breached")
    event = Event.objects.get(dispute=d, kind="sla_breached")
    assert (event.payload["timer_kind"], event.payload["timer_subject"]) == (
        "return_receipt",
        "aftersale:5",
    )
    note = Notification.objects.get(dispute=d, kind="sla_breached")
    assert note.recipient == lead
    assert "退货签收" in note.title and "已超时" in note.title
    # It arrives after all: the breached clock stops, the deadline stays missed.
    order_state(d, 5, "received", at("2026-03-11 10:00"), source="return_shipped")
    timer.refresh_from_db()
    assert (timer.state, timer.breached_at) == ("stopped", at("2026-03-10 09:01"))


def test_a_limit_per_severity_overrides_the_default(lead):
    kind = TimerKind.objects.get(code="shipment")
    services.policy_limit_save(
        limit=PolicyLimit(kind=kind, severity="major", limit=24, unit="hours"),
        actor=SYSTEM,
        note="重大纠纷 24 小时内发货",
    )
    general = triaged()
    major = triaged(SHOCK)
    assert (general.severity, major.severity) == ("general", "major")
    for d in (general, major):
        order_state(d, 1, "awaiting_shipment", START)
    assert Timer.objects.get(dispute=general, kind=kind).due_at == at("2026-03-04 11:00")
    timer = Timer.objects.get(dispute=major, kind=kind)
    assert timer.due_at == at("2026-03-03 11:00")
    assert "严重程度=major" in timer.rule


def test_the_timers_api_names_each_clocks_order(api_as, agent):
    d = triaged()
    d.assignee = agent
    d.save(update_fields=["assignee"])
    order_state(d, 1, "awaiting_finance", START)
    order_state(d, 2, "awaiting_finance", START)
    body = api_as(agent).get(f"/api/v1/disputes/{d.number}/timers").json()
    payouts = [(t["kind"], t["subject"], t["state"]) for t in body if t["kind"] == "finance_payout"]
    assert payouts == [
        ("finance_payout", "aftersale:1", "running"),
        ("finance_payout", "aftersale:2", "running"),
    ]
    assert {t["subject"] for t in body if t["kind"] != "finance_payout"} <= {""}
