"""`aftersales demo` timers and commitments: consistent with each
demo dispute's timeline and with the rules, so the figures, the queue, the scan and the
daily check have something to show."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from aftersales.disputes.lifecycle import TERMINAL
from aftersales.disputes.models import Dispute, Event
from aftersales.followup.daily_checks import daily_checks
from aftersales.mediation.models import Commitment
from aftersales.sla.figures import Period, compliance
from aftersales.sla.models import Timer
from aftersales.sla.scan import sla_scan
from aftersales.sla.timeline import SlaKind

from .conftest import COUNT

pytestmark = pytest.mark.django_db


def test_compliance_by_kind_has_met_and_missed(demo):
    summary, now = demo.summary, demo.now
    # The demo's timers, and those the after-sale order services started after them.
    assert Timer.objects.count() >= summary.timers > COUNT
    today = timezone.localdate(now)
    period = Period(today - dt.timedelta(days=92), today + dt.timedelta(days=30))
    result = compliance(period=period, by="kind", now=now)
    mixed = [r for r in result.rows if r.met and r.missed]
    assert len(mixed) >= 3, result.rows
    assert 0 < result.overall.rate < 1
    for by in ("team", "agent"):
        rows = compliance(period=period, by=by, now=now).rows
        assert sum(r.met for r in rows) == result.overall.met


def test_due_at_is_the_most_urgent_running_timer(demo):
    urgent = dict(
        Timer.objects.filter(state__in=Timer.URGENT)
        .values_list("dispute")
        .annotate(due=Min("due_at"))
        .order_by()
    )
    assert urgent
    for pk, due_at, is_open in Dispute.objects.values_list("pk", "due_at", "is_open"):
        assert due_at == urgent.get(pk), pk
        if not is_open:
            assert due_at is None
    assert Timer.objects.filter(state=Timer.State.PAUSED).exists()
    assert Timer.objects.filter(state=Timer.State.RUNNING).exists()
    assert Event.objects.filter(kind=SlaKind.SLA_PAUSED).exists()


def test_no_timer_runs_on_an_ended_dispute(demo):
    assert not Timer.objects.filter(
        dispute__status__in=[s.value for s in TERMINAL], state__in=Timer.LIVE
    ).exists()
    # Crossings the scan made are on the timeline, never in the future.
    breached = Timer.objects.filter(breached_at__isnull=False)
    assert breached.exists()
    told = Event.objects.filter(kind=SlaKind.SLA_BREACHED)
    assert told.count() == breached.count()
    assert {e.payload["timer"] for e in told} == set(breached.values_list("pk", flat=True))
    assert not Event.objects.filter(at__gt=demo.now).exists()


def test_scan_right_after_the_demo_then_nothing_new(demo):
    sla_scan()
    again = sla_scan()
    assert (again.at_risk, again.breached, again.notifications) == (0, 0, 0)
    out = io.StringIO()
    call_command("sla", "scan", stdout=out)
    assert "at_risk=0 breached=0" in out.getvalue()


def test_daily_check_of_the_demo_agent_lists_every_kind(demo):
    agent = get_user_model().objects.filter(username="agent")
    (check,) = daily_checks(now=timezone.now(), agents=agent)
    assert check.stale_parcels, "stale parcel"
    # Late after-sale orders: in tests/demo/generated/test_aftersale_orders.py (late only
    # past the date the agreement set, so not always the demo agent's).
    assert check.due_commitments, "due commitment"
    assert check.untouched_disputes, "untouched dispute"


def test_commitments_due_overdue_later_and_kept(demo):
    now = demo.now
    commitments = Commitment.objects.select_related("dispute")
    assert commitments.filter(state="kept", kept_at__lte=now).exists()
    open_ = commitments.filter(state="open")
    assert open_.filter(due_at__lt=now).exists()
    assert open_.filter(due_at__gt=now + dt.timedelta(days=1)).exists()
    for c in commitments:
        assert c.dispute.is_open and c.made_at < c.due_at and c.made_at <= now
        assert Event.objects.filter(kind="commitment_made", payload__commitment=c.pk).count() == 1
