"""`aftersales sla scan`: each at-risk and breach crossing is told once — one event, one
notification (breaches to the team lead, and management for major disputes) — however
often the scan runs, and with two scans at once on PostgreSQL."""

import datetime as dt
import multiprocessing
import os
import traceback

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings

from aftersales.disputes.models import Event
from aftersales.notifications.models import Notification
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from aftersales.sla.models import Timer
from aftersales.sla.scan import sla_scan
from tests.factories import make_dispute, make_staff

from .conftest import at

SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"
LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"


def sla_events(dispute=None):
    qs = Event.objects.filter(kind__in=["sla_at_risk", "sla_breached"])
    if dispute is not None:
        qs = qs.filter(dispute=dispute)
    return list(qs.order_by("id").values_list("kind", "payload__timer_kind"))


@pytest.mark.django_db
def test_at_risk_then_breach_each_once(lead):
    d = make_dispute(description=LEAK, received_at="2026-03-02T10:00:00+08:00")
    # 30 minutes; at risk at 80 % = 10:24.
    assert sla_scan(now=at("2026-03-02 10:23")).at_risk == 0
    first = sla_scan(now=at("2026-03-02 10:25"))
    assert (first.at_risk, first.breached) == (1, 0)
    again = sla_scan(now=at("2026-03-02 10:26"))
    assert (again.at_risk, again.breached, again.notifications) == (0, 0, 0)
    assert sla_events(d) == [("sla_at_risk", "first_contact")]
    timer = Timer.objects.get(dispute=d, kind__code="first_contact")
    assert (timer.at_risk_notified, timer.at_risk_at) == (True, at("2026-03-02 10:25"))

    breach = sla_scan(now=at("2026-03-02 10:31"))
    assert (breach.at_risk, breach.breached) == (0, 1)
    assert sla_scan(now=at("2026-03-02 11:00")).breached == 0
    assert sla_events(d) == [("sla_at_risk", "first_contact"), ("sla_breached", "first_contact")]
    timer.refresh_from_db()
    assert (timer.state, timer.breached_at) == ("breached", at("2026-03-02 10:31"))
    # The breached timer still counts for the queue and still stops when the step is done.
    d.refresh_from_db()
    assert d.due_at == at("2026-03-02 10:30")
    breach_note = Notification.objects.get(dispute=d, kind="sla_breached")
    assert breach_note.recipient == lead
    assert "首次联系顾客" in breach_note.title and "已超时" in breach_note.title
    from aftersales.disputes.contacts import contact_record

    contact_record(
        dispute=d,
        actor=SYSTEM,
        channel="phone",
        direction="outbound",
        summary="回电顾客",
        at=at("2026-03-02 10:40"),
    )
    timer.refresh_from_db()
    assert (timer.state, timer.breached_at) == ("stopped", at("2026-03-02 10:31"))


@pytest.mark.django_db
def test_a_timer_already_past_due_is_reported_as_breached_only(lead):
    make_dispute(description=LEAK, received_at="2026-03-02T10:00:00+08:00")
    result = sla_scan(now=at("2026-03-02 12:00"))
    assert (result.at_risk, result.breached) == (0, 1)
    assert sla_events() == [("sla_breached", "first_contact")]


@pytest.mark.django_db
def test_major_breach_also_reaches_management(lead):
    boss = make_staff(Role.MANAGEMENT)
    d = make_dispute(description=SHOCK, received_at="2026-03-02T10:00:00+08:00")
    assert d.severity == "major"
    sla_scan(now=at("2026-03-02 10:31"))
    notes = Notification.objects.filter(dispute=d, kind="sla_breached")
    assert {n.recipient for n in notes} >= {lead, boss}
    assert Event.objects.filter(dispute=d, kind="sla_breached").count() == 1
    assert "管理层" in Event.objects.get(dispute=d, kind="sla_breached").reason


@pytest.mark.django_db
@override_settings(SLA_AT_RISK_RATIO=0.5)
def test_the_at_risk_ratio_is_a_setting(default_team):
    d = make_dispute(description=LEAK, received_at="2026-03-02T10:00:00+08:00")
    timer = Timer.objects.get(dispute=d, kind__code="first_contact")
    assert timer.risk_at == at("2026-03-02 10:15")


@pytest.mark.django_db
def test_scan_command_prints_counts(default_team, capsys):
    make_dispute(description=LEAK, received_at="2020-03-02T10:00:00+08:00")
    call_command("sla", "scan")
    out = capsys.readouterr().out
    assert out.startswith("at_risk=0 breached=1 notifications=")
    call_command("sla", "scan")
    assert capsys.readouterr().out.startswith("at_risk=0 breached=0 notifications=0")


# -- two scans at once, on PostgreSQL ----------------------------------------------------

FORK = multiprocessing.get_context("fork")
SCANNERS = 4


def _scan_child(reports, now):
    code = 0
    try:
        result = sla_scan(now=now)
        reports.put(("ok", result.at_risk, result.breached))
    except BaseException as exc:
        reports.put(("error", f"{exc}\n{traceback.format_exc()}", 0))
    finally:
        try:
            connections.close_all()
            reports.close()
            reports.join_thread()
        except BaseException:
            code = 1
        os._exit(code)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_scans_tell_each_crossing_once(lead):
    start = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    disputes = [
        make_dispute(
            description=LEAK,
            received_at=(start + dt.timedelta(minutes=i)).isoformat(),
            customer={"name": f"顾客{i}", "phone": f"1390000{i:04d}"},
        )
        for i in range(30)
    ]
    # Half the first-contact timers are at risk, half breached, at this instant.
    now = start + dt.timedelta(minutes=40)
    connections.close_all()
    reports = FORK.Queue()
    children = [FORK.Process(target=_scan_child, args=(reports, now)) for _ in range(SCANNERS)]
    for child in children:
        child.start()
    results = [reports.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=30)
    assert all(r[0] == "ok" for r in results), results
    expected_breached = sum(1 for i in range(30) if i + 30 <= 40)
    expected_at_risk = sum(1 for i in range(30) if i + 24 <= 40 < i + 30)
    assert sum(r[2] for r in results) == expected_breached
    assert sum(r[1] for r in results) == expected_at_risk
    events = Event.objects.filter(kind__in=["sla_at_risk", "sla_breached"])
    assert events.count() == expected_breached + expected_at_risk
    per_timer = {}
    for payload in events.values_list("payload", flat=True):
        per_timer[payload["timer"]] = per_timer.get(payload["timer"], 0) + 1
    assert set(per_timer.values()) == {1}
    assert Notification.objects.filter(kind__in=["sla_at_risk", "sla_breached"]).count() == len(
        per_timer
    )
    assert len(disputes) == 30
