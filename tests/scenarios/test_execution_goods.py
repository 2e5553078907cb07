"""Issue 12, the goods and closure side, as a client of the REST API meets it: a return
that never arrives (its clock, the team lead, the daily check), bad input on the goods
steps refused naming the field with nothing changed (quantities above the order's, a
tracking movement in the future, a carrier name that does not fit), the logistics work
lists, and a dispute walked from its after-sale orders through an unsatisfied follow-up,
its reopening and a second execution to closure with its summary. Every state change is
read back from the dispute's timeline. Time travels by the clock every part reads
(`timezone.now`) and by the SLA sweep the product runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import AfterSaleOrder, Parcel, ReturnInspection
from aftersales.notifications.models import Notification
from aftersales.parties.roles import Role
from aftersales.sla.models import Timer
from aftersales.sla.scan import sla_scan
from tests.api.aftersale_helpers import (
    URL,
    client,
    created,
    department_staff,
    executing,
    move,
    moved,
    orders_url,
    rewalk,
)
from tests.factories import make_staff, walk_to

from .helpers import Clock

pytestmark = pytest.mark.django_db

WAREHOUSE = "上海市浦东新区售后仓 1 号"


@pytest.fixture
def staff(default_team):
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    default_team.lead = lead
    default_team.save(update_fields=["lead"])
    return {**department_staff(), "lead": client(Role.TEAM_LEAD), "lead_user": lead}


def timeline(api, dispute) -> list[dict]:
    body = api.get(f"{URL}/{dispute.number}").json()
    return body["timeline"]


def order_moves(api, dispute, number: str) -> list[tuple[str, str, str]]:
    """(action, from, to) of every `aftersale_state` event of one order, oldest first.
    (By id: the helper's `executing` removed the proposal's own order of that number.)"""
    pk = AfterSaleOrder.objects.get(number=number).pk
    return [
        (e["payload"]["action"], e["payload"]["from"], e["payload"]["to"])
        for e in sorted(timeline(api, dispute), key=lambda e: e["at"])
        if e["kind"] == "aftersale_state" and e["payload"].get("aftersale_order") == pk
    ]


def sent_back(staff, dispute, order, tracking="SF1234567890") -> dict:
    order = moved(staff["agent"], dispute, order, "return-address", {"address": WAREHOUSE})
    return moved(
        staff["agent"],
        dispute,
        order,
        "return-shipment",
        {"carrier": "顺丰", "tracking_no": tracking},
    )


def received(staff, dispute, order, tracking="SF1234567890") -> dict:
    order = sent_back(staff, dispute, order, tracking)
    return moved(staff["logistics"], dispute, order, "receipt")


def state_of(number: str) -> tuple[str, int]:
    o = AfterSaleOrder.objects.get(number=number)
    return o.state, o.version


def assign_to(lead, dispute, agent) -> None:
    assigned = lead.post(
        f"{URL}/{dispute.number}/assignment",
        {"assignee": agent.user.username, "version": dispute.version},
    )
    assert assigned.status_code == 200, assigned.content.decode()


def ship_first_returned(staff, dispute, author) -> dict:
    """A ship-first exchange (先发后退) whose return parcel the carrier picked up."""
    order = created(author, dispute, "exchange", variant="ship_first", replacement="新款")
    order = sent_back(staff, dispute, order)
    parcel = Parcel.objects.get(aftersale_order__number=order["number"])
    tracked = staff["logistics"].post(
        f"{URL}/{dispute.number}/parcels/{parcel.pk}/movements", {"description": "已揽收"}
    )
    assert tracked.status_code == 200, tracked.content.decode()
    return order


def record_visit(api, dispute, **answers):
    """The follow-up call recorded through the API: reached, resolved, the refund
    arrived, satisfied (4) unless `answers` say otherwise."""
    body = {"reached": True, "resolved": True, "refund_arrived": True, "satisfaction": 4}
    return api.post(follow_up_url(dispute), {**body, "channel": "phone", **answers})


def running_clocks(dispute) -> set[str]:
    timers = Timer.objects.filter(dispute=dispute, state="running")
    return set(timers.values_list("kind__code", flat=True))


# -- the return that never arrives ----------------------------------------------------------


def test_a_return_that_never_arrives_breaches_goes_to_the_lead_and_the_daily_check(
    staff, monkeypatch
):
    dispute = executing()
    agent = staff["agent"]
    assign_to(staff["lead"], dispute, agent)
    order = created(agent, dispute, "return_refund", amount="1999.00")
    order = sent_back(staff, dispute, order)
    assert order["state"] == "return_shipped"
    timer = Timer.objects.get(
        dispute=dispute,
        kind__code="return_receipt",
        subject=f"aftersale:{AfterSaleOrder.objects.get(number=order['number']).pk}",
    )
    assert timer.state == "running"
    # Eight days on, the parcel has neither moved nor arrived.
    later = timezone.now() + dt.timedelta(days=8)
    sla_scan(now=later)
    timer.refresh_from_db()
    assert timer.state == "breached"
    note = Notification.objects.get(dispute=dispute, kind="sla_breached")
    assert note.recipient == staff["lead_user"]
    Clock(monkeypatch).set(later.isoformat())
    checks = agent.get("/api/v1/daily-checks").json()
    (mine,) = checks["agents"]
    stale = [p for p in mine["stale_parcels"] if p["number"] == dispute.number]
    assert [(p["tracking_no"], p["aftersale_order"]) for p in stale] == [
        ("SF1234567890", order["number"])
    ]
    # The warehouse lists it as awaiting receipt.
    rows = staff["logistics"].get("/api/v1/aftersale-orders/returns").json()["items"]
    assert [r["number"] for r in rows] == [order["number"]]
    # The timeline tells the whole story.
    kinds = [e["kind"] for e in timeline(agent, dispute)]
    assert "sla_breached" in kinds
    assert order_moves(agent, dispute, order["number"]) == [
        ("create", "", "awaiting_return_address"),
        ("send_return_address", "awaiting_return_address", "awaiting_return"),
        ("return_ship", "awaiting_return", "return_shipped"),
    ]
    # It turns up at last: received, inspected, paid, visited; the summary counts the miss.
    order = moved(staff["logistics"], dispute, order, "receipt")
    order = moved(
        staff["qc"],
        dispute,
        order,
        "inspection",
        {"passed": True, "report": "外观完好", "good_quantity": 1, "defective_quantity": 0},
    )
    order = moved(staff["finance"], dispute, order, "finance-approval")
    order = moved(
        staff["finance"],
        dispute,
        order,
        "payout",
        {"reference": "ALI202612050003"},
        headers={"Idempotency-Key": "late-1"},
    )
    closed = staff["lead"].post(
        follow_up_url(dispute),
        {
            "reached": True,
            "resolved": True,
            "refund_arrived": True,
            "satisfaction": 3,
            "channel": "phone",
        },
    )
    assert closed.status_code == 201, closed.content.decode()
    missed = closed.json()["closure_summary"]["deadlines_missed"]
    assert "return_receipt" in missed["kinds"] and missed["count"] >= 1
    assert [m[0] for m in order_moves(agent, dispute, order["number"])][3:] == [
        "receive",
        "inspect",
        "finance_approve",
        "record_payout",
    ]


# -- bad input on the goods steps ----------------------------------------------------------


def test_inspected_quantities_above_the_orders_are_refused_naming_the_field(staff):
    dispute = executing()  # one item bought
    order = received(
        staff, dispute, created(staff["agent"], dispute, "return_refund", amount="1999.00")
    )
    before = state_of(order["number"])
    for good, defective in ((2, 0), (1, 1), (0, 5)):
        response = move(
            staff["qc"],
            dispute,
            order,
            "inspection",
            {
                "passed": True,
                "report": "外观完好",
                "good_quantity": good,
                "defective_quantity": defective,
            },
        )
        assert response.status_code == 422, response.content.decode()
        assert "good_quantity" in response.json()["error"]["fields"]
    assert state_of(order["number"]) == before
    assert not ReturnInspection.objects.filter(aftersale_order__number=order["number"]).exists()


def test_inspected_quantities_of_a_bigger_order_are_accepted(staff):
    dispute = executing()
    line = dispute.order.lines.get()
    line.quantity = 3
    line.save(update_fields=["quantity"])
    order = received(
        staff, dispute, created(staff["agent"], dispute, "return_refund", amount="1999.00")
    )
    done = moved(
        staff["qc"],
        dispute,
        order,
        "inspection",
        {"passed": True, "report": "两件良品一件次品", "good_quantity": 2, "defective_quantity": 1},
    )
    assert done["state"] == "awaiting_finance"


def test_a_bundles_pieces_count_as_bought(staff):
    from decimal import Decimal

    from aftersales.parties.models import BundleComponent
    from tests.factories import ProductFactory

    dispute = executing()
    line = dispute.order.lines.get()  # one bundle: a heater, its bracket, two hoses
    for quantity in (1, 1, 2):
        BundleComponent.objects.create(
            bundle=line.product,
            component=ProductFactory(),
            quantity=quantity,
            unit_price=Decimal("100.00"),
        )
    order = received(
        staff, dispute, created(staff["agent"], dispute, "return_refund", amount="1999.00")
    )
    body = {"passed": True, "report": "套餐齐全", "good_quantity": 4, "defective_quantity": 1}
    too_many = move(staff["qc"], dispute, order, "inspection", body)
    assert too_many.status_code == 422 and "good_quantity" in too_many.json()["error"]["fields"]
    done = moved(staff["qc"], dispute, order, "inspection", {**body, "defective_quantity": 0})
    assert done["inspections"][0]["good_quantity"] == 4


def test_a_tracking_movement_in_the_future_is_refused_naming_at(staff):
    dispute = executing()
    order = sent_back(
        staff, dispute, created(staff["agent"], dispute, "return_refund", amount="1999.00")
    )
    parcel = Parcel.objects.get(aftersale_order__number=order["number"])
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    response = staff["logistics"].post(
        f"{URL}/{dispute.number}/parcels/{parcel.pk}/movements",
        {"at": future, "description": "已揽收"},
    )
    assert response.status_code == 422, response.content.decode()
    assert "at" in response.json()["error"]["fields"]
    parcel.refresh_from_db()
    assert (parcel.moved, parcel.last_movement) == (False, "")
    english = client(Role.LOGISTICS, "en").post(
        f"{URL}/{dispute.number}/parcels/{parcel.pk}/movements", {"at": future}
    )
    assert english.status_code == 422 and "at" in english.json()["error"]["fields"]


def test_a_carrier_name_too_long_is_refused_not_cut(staff):
    dispute = executing()
    order = moved(
        staff["agent"],
        dispute,
        created(staff["agent"], dispute, "return_refund", amount="1999.00"),
        "return-address",
        {"address": WAREHOUSE},
    )
    before = state_of(order["number"])
    response = move(
        staff["agent"],
        dispute,
        order,
        "return-shipment",
        {"carrier": "顺" * 60, "tracking_no": "SF1234567890"},
    )
    assert response.status_code == 422, response.content.decode()
    assert "carrier" in response.json()["error"]["fields"]
    assert state_of(order["number"]) == before
    assert not Parcel.objects.filter(aftersale_order__number=order["number"]).exists()


@pytest.mark.parametrize("carrier", ["12345", "---", "   ."])
def test_a_carrier_that_is_no_name_is_refused(staff, carrier):
    dispute = executing()
    order = created(staff["agent"], dispute, "reship", replacement="漏发的配件")
    response = move(
        staff["logistics"],
        dispute,
        order,
        "shipment",
        {"carrier": carrier, "tracking_no": "YT9876543210"},
    )
    assert response.status_code == 422, response.content.decode()
    assert "carrier" in response.json()["error"]["fields"]
    assert state_of(order["number"])[0] == "awaiting_shipment"


# -- the logistics work lists ------------------------------------------------------------


def test_a_ship_first_exchange_still_awaits_its_return_on_the_list(staff):
    dispute = executing()
    order = ship_first_returned(staff, dispute, staff["agent"])
    order = moved(
        staff["logistics"],
        dispute,
        order,
        "shipment",
        {"carrier": "圆通", "tracking_no": "YT9876543210"},
    )
    assert order["state"] == "shipped"
    rows = staff["logistics"].get("/api/v1/aftersale-orders/returns").json()["items"]
    assert [r["number"] for r in rows] == [order["number"]]


def test_a_ship_first_replacement_is_on_the_parcels_to_ship_once_the_return_moves(staff):
    dispute = executing()
    order = ship_first_returned(staff, dispute, staff["agent"])
    rows = staff["logistics"].get("/api/v1/aftersale-orders/shipments").json()["items"]
    assert [r["number"] for r in rows] == [order["number"]]


def test_a_ship_first_replacement_not_sent_once_the_return_moves_is_a_daily_check_item(
    staff, monkeypatch
):
    dispute = executing()
    agent = staff["agent"]
    assign_to(staff["lead"], dispute, agent)
    order = ship_first_returned(staff, dispute, agent)
    assert "ship" in [
        a["action"]
        for a in staff["logistics"]
        .get(orders_url(dispute, order["number"]))
        .json()["allowed_actions"]
    ]
    # Three days on, the replacement has still not left.
    Clock(monkeypatch).set((timezone.now() + dt.timedelta(days=3)).isoformat())
    (mine,) = agent.get("/api/v1/daily-checks").json()["agents"]
    assert [e["aftersale_order"] for e in mine["unshipped_exchanges"]] == [order["number"]]


# -- follow-up and closure -----------------------------------------------------------------


def follow_up_url(dispute) -> str:
    return f"{URL}/{dispute.number}/follow-up"


def test_a_return_walked_to_an_unsatisfied_visit_reopens_then_closes(staff):
    dispute = executing()
    agent, finance = staff["agent"], staff["finance"]
    order = received(staff, dispute, created(agent, dispute, "return_refund", amount="1999.00"))
    order = moved(
        staff["qc"],
        dispute,
        order,
        "inspection",
        {"passed": True, "report": "外观完好", "good_quantity": 1, "defective_quantity": 0},
    )
    order = moved(finance, dispute, order, "finance-approval")
    order = moved(
        finance,
        dispute,
        order,
        "payout",
        {"reference": "ALI202612050001"},
        headers={"Idempotency-Key": "goods-1"},
    )
    assert order["state"] == "done"
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"

    # The visit is due within 24 hours of completion, on its SLA clock.
    body = staff["lead"].get(follow_up_url(dispute)).json()
    (visit,) = body["visits"]
    due = dt.datetime.fromisoformat(visit["due_at"])
    completed = dt.datetime.fromisoformat(order["completed_at"])
    assert dt.timedelta(hours=23) <= due - completed <= dt.timedelta(hours=24, minutes=1)
    assert body["refund_expected"] is True

    # Bad ratings change nothing.
    for bad in (0, 6, "five", 4.5):
        response = record_visit(staff["lead"], dispute, satisfaction=bad)
        assert response.status_code in (400, 422), (bad, response.content.decode())
        assert "satisfaction" in str(response.json()["error"]), (bad, response.json())
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"

    # Unsatisfied: reopened, the count shows, the reopen clock runs.
    unhappy = record_visit(
        staff["lead"], dispute, resolved=False, satisfaction=2, comment="退款是到了，但运费没人管"
    )
    assert unhappy.status_code == 201, unhappy.content.decode()
    assert (unhappy.json()["status"], unhappy.json()["reopen_count"]) == ("reopened", 1)
    detail = agent.get(f"{URL}/{dispute.number}").json()
    assert detail["reopen_count"] == 1
    running = running_clocks(dispute)
    assert "reopen_response" in running and "follow_up" not in running

    # Mediated again and carried out again: a second visit, satisfied, closes.
    dispute = Dispute.objects.get(pk=dispute.pk)
    taken_up = staff["lead"].post(
        f"{URL}/{dispute.number}/actions",
        {"action": "investigate", "version": dispute.version, "reason": "回访不满意，重新核实"},
    )
    assert taken_up.status_code == 200, taken_up.content.decode()
    running = running_clocks(dispute)
    assert "reopen_response" not in running
    assert running & {"investigation", "investigation_general"}, running
    dispute = rewalk(dispute)
    again = created(agent, dispute, "shipping_compensation", amount="12.00")
    again = moved(finance, dispute, again, "finance-approval")
    moved(
        finance,
        dispute,
        again,
        "payout",
        {"reference": "ALI202612050002"},
        headers={"Idempotency-Key": "goods-2"},
    )
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"
    closed = record_visit(staff["lead"], dispute)
    assert closed.status_code == 201, closed.content.decode()
    body = closed.json()
    assert (body["status"], body["reopen_count"]) == ("closed", 1)
    assert sorted(v["result"] for v in body["visits"]) == ["closed", "reopened"]
    summary = body["closure_summary"]
    assert summary["outcome"] == "follow_up_satisfied"
    assert summary["reopen_count"] == 1
    money = {row["type"]: row for row in summary["money"]["by_type"]}
    assert money["return_refund"]["paid"] == "1999.00"
    assert money["shipping_compensation"]["paid"] == "12.00"
    assert summary["days_open"] >= 0
    assert "count" in summary["deadlines_missed"]

    kinds = [e["kind"] for e in timeline(agent, dispute)]
    for kind in ("follow_up_due", "follow_up_recorded", "closure_summary"):
        assert kind in kinds, kind
    actions = [e.get("action") for e in timeline(agent, dispute) if e["kind"] == "action"]
    for action in ("complete", "reopen", "close"):
        assert action in actions, action


def test_complete_by_hand_with_an_open_order_is_409_naming_it(staff):
    dispute = executing()
    order = created(staff["agent"], dispute, "reship", replacement="漏发的配件")
    dispute = Dispute.objects.get(pk=dispute.pk)
    response = staff["lead"].post(
        f"{URL}/{dispute.number}/actions",
        {"action": "complete", "version": dispute.version, "reason": "已处理"},
    )
    assert response.status_code == 409, response.content.decode()
    assert order["number"] in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).status == "executing"


# -- what the proposal says ----------------------------------------------------------------


def agreed(remedies: list[dict]):
    """A dispute whose accepted proposal carries `remedies`, walked to executing through
    the real services (the orders are the proposal's own, untouched)."""
    from aftersales.mediation import proposals
    from aftersales.parties.actors import SYSTEM
    from tests.factories import OrderFactory, make_dispute

    dispute = walk_to(make_dispute(OrderFactory()), "investigating")
    proposals.proposal_create(dispute=dispute, actor=SYSTEM, remedies_raw=remedies)
    return walk_to(Dispute.objects.get(pk=dispute.pk), "executing")


def test_the_proposal_says_the_refund_does_not_wait_for_the_return(staff):
    dispute = agreed(
        [
            {
                "code": "return_refund",
                "amount": "1999.00",
                "shipping_paid_by": "merchant",
                "refund_first": True,
            }
        ]
    )
    (order,) = staff["finance"].get(orders_url(dispute)).json()
    assert (order["type"], order["variant"], order["state"]) == (
        "return_refund",
        "refund_first",
        "awaiting_finance",
    )
    order = moved(staff["finance"], dispute, order, "finance-approval")
    order = moved(
        staff["finance"],
        dispute,
        order,
        "payout",
        {"reference": "ALI202612050009"},
        headers={"Idempotency-Key": "first-1"},
    )
    # Paid before anything came back; the goods still have to.
    assert (order["state"], order["paid_amount"]) == ("awaiting_return_address", "1999.00")
    assert Dispute.objects.get(pk=dispute.pk).status == "executing"


def test_a_follow_up_deadline_set_per_severity_is_the_visits(staff):
    from aftersales.parties.actors import SYSTEM
    from aftersales.sla import services
    from aftersales.sla.models import PolicyLimit, TimerKind

    services.policy_limit_save(
        limit=PolicyLimit(
            kind=TimerKind.objects.get(code="follow_up"),
            severity="general",
            limit=4,
            unit="hours",
        ),
        actor=SYSTEM,
        note="一般纠纷 4 小时内回访",
    )
    dispute = executing()
    assert dispute.severity == "general"
    order = created(staff["agent"], dispute, "reship", replacement="漏发的配件")
    order = moved(
        staff["logistics"],
        dispute,
        order,
        "shipment",
        {"carrier": "圆通", "tracking_no": "YT9876543210"},
    )
    order = moved(staff["agent"], dispute, order, "delivery", {"note": "顾客电话确认已收到"})
    (visit,) = staff["lead"].get(follow_up_url(dispute)).json()["visits"]
    gap = dt.datetime.fromisoformat(visit["due_at"]) - dt.datetime.fromisoformat(
        order["completed_at"]
    )
    assert dt.timedelta(hours=3, minutes=59) <= gap <= dt.timedelta(hours=4, minutes=1)
