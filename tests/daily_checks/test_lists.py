"""The lists of the daily check (三主动, SPEC §8), read per agent through the
selector: what is late is listed, what is not is not."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.disputes.models import Event
from aftersales.disputes.services import dispute_apply, dispute_assign
from aftersales.followup.daily_checks import daily_checks
from aftersales.fulfilment import goods, insurance, payouts
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.mediation import proposals
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.factories import carry_to, make_held_dispute, make_staff, staff_note, walk_to

from .conftest import DAY, build_morning

pytestmark = pytest.mark.django_db


def numbers(items) -> list[str]:
    return [i.number for i in items]


def test_each_list_holds_what_is_late_and_nothing_else(agent, morning):
    m = morning
    (check,) = daily_checks(now=m.now)
    assert check.username == agent.username

    (parcel,) = check.stale_parcels
    assert (parcel.number, parcel.tracking_no, parcel.quiet_days) == (
        m.stale_parcel.number,
        "SF0001",
        5,
    )
    assert parcel.direction_label == "顾客寄回"

    (refund,) = check.late_executions
    assert (refund.number, refund.kind, str(refund.amount)) == (
        m.late_refund.number,
        "refund_shipped",
        "199.00",
    )
    assert refund.late_hours == 48  # agreed within 3 days, 5 days ago
    assert (refund.aftersale_order, refund.state_label) == (
        f"{m.late_refund.number}-01",
        "待财审",
    )

    # Paid by Alipay 5 days ago (3 days at most), nobody confirmed it arrived; the
    # compensation paid with it was confirmed, and is not listed.
    (paid,) = check.unconfirmed_refunds
    assert (paid.number, paid.kind, str(paid.amount), paid.late_hours) == (
        m.unconfirmed_refund.number,
        "refund_shipped",
        "88.00",
        48,
    )
    # The return passed inspection 4 days ago, the replacement has not left.
    (swap,) = check.unshipped_exchanges
    assert (swap.number, swap.waiting_days) == (m.unshipped_exchange.number, 4)
    # 运费险: expected 72 hours after the refund 5 days ago, not recorded.
    (insured,) = check.missing_insurance_payouts
    assert (insured.number, insured.late_hours) == (m.insurance_missing.number, 48)

    assert [(c.number, c.text, c.overdue) for c in check.due_commitments] == [
        (m.overdue_promise.number, "昨天下午回电", True),
        (m.today_promise.number, "今天内确认退款到账", False),
    ]

    # An SLA event the system wrote a moment ago does not count as someone touching it.
    (untouched,) = check.untouched_disputes
    assert untouched.number == m.untouched.number
    assert untouched.last_touched_at == m.now - 3 * DAY


def test_the_stale_threshold_is_a_setting(agent, morning, settings):
    settings.DAILY_CHECK_PARCEL_STALE_DAYS = 6
    (check,) = daily_checks(now=morning.now)
    assert check.stale_parcels == []
    settings.DAILY_CHECK_PARCEL_STALE_DAYS = 1
    (check,) = daily_checks(now=morning.now)
    # Oldest movement first; the parcel scanned exactly a day ago now counts too.
    assert numbers(check.stale_parcels) == [
        morning.stale_parcel.number,
        morning.moving_parcel.number,
    ]


def test_a_touch_clears_the_untouched_list_and_time_brings_it_back(agent, morning):
    m = morning
    Event.objects.create(dispute=m.untouched, kind="note", actor=agent, at=m.now)
    (check,) = daily_checks(now=m.now)
    assert check.untouched_disputes == []
    (later,) = daily_checks(now=m.now + DAY + dt.timedelta(minutes=1))
    assert m.untouched.number in numbers(later.untouched_disputes)


def test_commitments_due_tomorrow_show_up_tomorrow(agent, morning):
    (tomorrow,) = daily_checks(now=morning.now + 2 * DAY)
    assert "后天上门" in [c.text for c in tomorrow.due_commitments]


def test_lists_follow_the_assignee_and_leave_ended_disputes_out(agent, default_team, morning):
    m = morning
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    colleague = make_staff(Role.AGENT, team=default_team)
    dispute_assign(
        dispute=m.late_refund,
        actor=lead,
        version=m.late_refund.version,
        team=default_team,
        assignee=colleague,
    )
    dispute_apply(
        dispute=m.untouched,
        action="withdraw",
        actor=agent,
        version=m.untouched.version,
        reason="顾客撤回",
        payload={"confirmation": staff_note()},
    )
    checks = {c.username: c for c in daily_checks(now=m.now)}
    assert numbers(checks[colleague.username].late_executions) == [m.late_refund.number]
    assert checks[agent.username].late_executions == []
    assert checks[agent.username].untouched_disputes == []


def test_only_the_agents_asked_for_and_empty_ones_on_request(agent, default_team, morning):
    idle = make_staff(Role.AGENT, team=default_team)
    users = get_user_model().objects
    assert daily_checks(now=morning.now, agents=users.filter(pk=idle.pk)) == []
    (empty,) = daily_checks(now=morning.now, agents=users.filter(pk=idle.pk), include_empty=True)
    assert (empty.username, empty.total) == (idle.username, 0)
    (mine,) = daily_checks(now=morning.now, agents=users.filter(pk__in=[agent.pk, idle.pk]))
    assert mine.username == agent.username and mine.total == 8


def test_the_number_of_queries_does_not_grow_with_agents_or_disputes(default_team):
    first = make_staff(Role.AGENT, team=default_team)
    build_morning(first)
    with CaptureQueriesContext(connection) as one_agent:
        daily_checks()
    for _ in range(2):
        build_morning(make_staff(Role.AGENT, team=default_team))
    make_held_dispute(first, received_at=timezone.now() - 3 * DAY)
    with CaptureQueriesContext(connection) as three_agents:
        checks = daily_checks()
    assert len(checks) == 3
    assert len(three_agents) == len(one_agent) == 9


def test_the_after_sale_order_lists_clear_when_the_work_is_done(agent, morning):
    """Confirming the refund arrived, shipping the replacement and recording the 运费险
    payout take them off the lists; shipping the exchange later than its deadline would
    have listed it whatever the days since the inspection."""
    m = morning
    (refund,) = AfterSaleOrder.objects.filter(dispute=m.unconfirmed_refund, type="refund_shipped")
    payouts.arrival_confirm(order=refund, actor=SYSTEM, at=m.now)
    (swap,) = AfterSaleOrder.objects.filter(dispute=m.unshipped_exchange)
    goods.shipment_send(
        order=swap, carrier="中通快递", tracking_no="ZT0099", actor=SYSTEM, at=m.now
    )
    (covered,) = AfterSaleOrder.objects.filter(dispute=m.insurance_missing)
    insurance.insurance_payout_record(
        order=covered, amount="12.00", reference="BX001", actor=SYSTEM
    )
    (check,) = daily_checks(now=m.now)
    assert check.unconfirmed_refunds == check.unshipped_exchanges == []
    assert check.missing_insurance_payouts == []


def test_an_exchange_waiting_a_day_is_listed_only_past_its_deadline(agent, morning, settings):
    m = morning
    settings.DAILY_CHECK_EXCHANGE_SHIP_DAYS = 10
    (check,) = daily_checks(now=m.now)
    assert check.unshipped_exchanges == []
    (swap,) = AfterSaleOrder.objects.filter(dispute=m.unshipped_exchange)
    (later,) = daily_checks(now=swap.deadline_at + dt.timedelta(minutes=1))
    assert numbers(later.unshipped_exchanges) == [m.unshipped_exchange.number]


def test_a_missing_insurance_payout_stays_listed_after_the_dispute_closed(agent, morning):
    m = morning
    closed = walk_to(m.insurance_missing, "closed")
    assert closed.status == "closed"
    (check,) = daily_checks(now=m.now)
    assert numbers(check.missing_insurance_payouts) == [m.insurance_missing.number]


def test_a_refund_paid_first_and_confirmed_is_late_while_the_goods_stay_away(agent):
    """先退款后退货: once the refund is confirmed arrived, what is late is the return
    itself, listed with the late orders (not with the refunds)."""
    now = timezone.now()
    dispute = walk_to(make_held_dispute(agent, received_at=now - 8 * DAY), "investigating")
    proposals.proposal_create(
        dispute=dispute,
        actor=SYSTEM,
        remedies_raw=[{"code": "return_refund", "amount": "1999.00", "refund_first": True}],
        at=now - 6 * DAY,
    )
    dispute = walk_to(dispute, "executing", at=now - 6 * DAY)
    (order,) = AfterSaleOrder.objects.filter(dispute=dispute)
    carry_to(order, "awaiting_return_address", at=now - 6 * DAY)
    order.refresh_from_db()
    paid_by = order.expected_by  # Alipay: 3 days after the payout
    (before,) = daily_checks(now=paid_by + dt.timedelta(minutes=1))
    assert numbers(before.unconfirmed_refunds) == [dispute.number]
    assert before.late_executions == []
    payouts.arrival_confirm(order=order, actor=SYSTEM, at=paid_by)
    (after,) = daily_checks(now=paid_by + dt.timedelta(minutes=1))
    assert after.unconfirmed_refunds == []
    (late,) = after.late_executions
    assert (late.number, late.state) == (dispute.number, "awaiting_return_address")
