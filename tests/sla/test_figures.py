"""SLA compliance figures per timer kind, team and agent, from timers run through the real
intake, lifecycle, assignment and scan services."""

import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from aftersales.disputes.models import Dispute
from aftersales.disputes.services import dispute_assign
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from aftersales.sla import timers
from aftersales.sla.figures import Period, compliance
from aftersales.sla.models import Timer
from aftersales.sla.scan import sla_scan
from tests.factories import TeamFactory, make_dispute, make_staff, staff_note, step

from .conftest import at

pytestmark = pytest.mark.django_db

LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"
SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"
MONDAY = Period(at("2026-03-02 00:00").date(), at("2026-03-02 00:00").date())
NOW = at("2026-03-02 14:00")
_phones = iter(range(13900000100, 13999999999))


def apply(dispute, action, when, **payload):
    """One lifecycle action at `when`, through its own door (`tests.factories.step`)."""
    return step(dispute, action, at=when, **payload)


def intake(when: str, description: str = LEAK):
    return make_dispute(
        description=description,
        received_at=f"{when}+08:00",
        customer={"name": "张三", "phone": str(next(_phones))},
    )


def assign(dispute, team, assignee):
    version = Dispute.objects.get(pk=dispute.pk).version
    return dispute_assign(
        dispute=dispute, actor=SYSTEM, version=version, team=team, assignee=assignee
    )


def row(result, key):
    (found,) = [r for r in result.rows if r.key == key]
    return (found.total, found.met, found.missed, found.pending, found.rate)


@pytest.fixture
def monday(default_team, lead):
    """Monday 2026-03-02: six general disputes, each with classify (10 min, met at once),
    acknowledge (24 h, due Tuesday) and first-contact (30 min) timers."""
    other = TeamFactory(name="调解二组")
    alice = make_staff(Role.AGENT, team=default_team, username="alice")
    alice.staff_profile.display_name = "王小丽"
    alice.staff_profile.save()
    bob = make_staff(Role.AGENT, team=other, username="bob")

    withdrawn = assign(intake("2026-03-02T09:00:00"), default_team, alice)
    step(withdrawn, "withdraw", at=at("2026-03-02 09:05"))  # first contact cancelled in time
    met = assign(intake("2026-03-02T10:00:00"), default_team, alice)
    apply(met, "triage", at("2026-03-02 10:20"))  # due 10:30: met
    late = assign(intake("2026-03-02T11:00:00"), default_team, alice)
    apply(late, "triage", at("2026-03-02 11:45"))  # due 11:30: stopped late
    breached = assign(intake("2026-03-02T12:00:00"), other, bob)
    sla_scan(now=at("2026-03-02 12:40"))  # due 12:30: breached ...
    apply(breached, "triage", at("2026-03-02 12:50"))  # ... and stopped since
    assign(intake("2026-03-02T13:00:00"), other, bob)  # due 13:30, still running at 14:00
    assign(intake("2026-03-02T13:50:00"), None, None)  # due 14:20: pending at 14:00
    return {"lead": lead, "alice": alice, "bob": bob, "other": other}


def test_by_kind_counts_met_missed_and_pending_and_leaves_out_cancelled(monday):
    result = compliance(period=MONDAY, by="kind", now=NOW)
    # Met 1; missed: stopped late, breached, running past due; pending 1; cancelled: none.
    assert row(result, "first_contact") == (5, 1, 3, 1, Decimal("0.2500"))
    assert row(result, "classify") == (6, 6, 0, 0, Decimal("1.0000"))
    assert [r.key for r in result.rows] == ["classify", "first_contact"]  # policy order
    assert [r.name for r in result.rows] == ["初次分类", "首次联系顾客"]
    # Acknowledgements are due on Tuesday: another period.
    tuesday = Period(at("2026-03-03 00:00").date(), at("2026-03-03 00:00").date())
    assert row(compliance(period=tuesday, by="kind", now=NOW), "acknowledge") == (
        6,
        6,
        0,
        0,
        Decimal("1.0000"),
    )
    o = result.overall
    assert (o.name, o.total, o.met, o.missed, o.pending, o.rate) == (
        "合计",
        11,
        7,
        3,
        1,
        Decimal("0.7000"),
    )


def test_pending_becomes_missed_once_past_due(monday):
    later = compliance(period=MONDAY, by="kind", now=at("2026-03-02 14:21"))
    assert row(later, "first_contact") == (5, 1, 4, 0, Decimal("0.2000"))


def test_by_team_and_by_agent(monday, default_team):
    teams = compliance(period=MONDAY, by="team", now=NOW)
    assert [(r.name, r.total, r.met, r.missed, r.pending, r.rate) for r in teams.rows] == [
        ("调解二组", 4, 2, 2, 0, Decimal("0.5000")),
        (default_team.name, 5, 4, 1, 0, Decimal("0.8000")),
        ("未分组", 2, 1, 0, 1, Decimal("1.0000")),
    ]
    agents = compliance(period=MONDAY, by="agent", now=NOW)
    assert [(r.key, r.name, r.total, r.met, r.missed, r.pending) for r in agents.rows] == [
        ("bob", "bob", 4, 2, 2, 0),
        ("alice", "王小丽", 5, 4, 1, 0),
        ("", "未分派", 2, 1, 0, 1),
    ]


def test_a_team_lead_counts_only_their_team(monday):
    result = compliance(period=MONDAY, by="kind", user=monday["lead"], now=NOW)
    assert row(result, "first_contact") == (2, 1, 1, 0, Decimal("0.5000"))
    assert row(result, "classify") == (3, 3, 0, 0, Decimal("1.0000"))


def test_one_aggregate_and_one_name_lookup_per_grouping(monday, django_assert_num_queries):
    for by in ("kind", "team", "agent"):
        with django_assert_num_queries(2):
            compliance(period=MONDAY, by=by, now=NOW)


def test_a_paused_timer_is_pending_until_it_was_paused_past_due(default_team):
    # Major: a 24 h investigation from Monday 10:02, due Tuesday 10:02.
    waiting = intake("2026-03-02T10:00:00", SHOCK)
    apply(waiting, "triage", at("2026-03-02 10:01"))
    apply(waiting, "investigate", at("2026-03-02 10:02"))
    timers.timers_pause(
        dispute=waiting, actor=SYSTEM, reason="等顾客寄回", at=at("2026-03-03 09:00")
    )
    # The same, paused only after its due time had passed (no scan ran in between).
    overdue = intake("2026-03-02T10:00:00", SHOCK)
    apply(overdue, "triage", at("2026-03-02 10:01"))
    apply(overdue, "investigate", at("2026-03-02 10:02"))
    timers.timers_pause(
        dispute=overdue, actor=SYSTEM, reason="等顾客寄回", at=at("2026-03-03 11:00")
    )

    tuesday = Period(at("2026-03-03 00:00").date(), at("2026-03-03 00:00").date())
    result = compliance(period=tuesday, by="kind", now=at("2026-03-04 12:00"))
    # One waits on the customer with an hour left; the other was already late.
    assert row(result, "investigation") == (2, 0, 1, 1, Decimal("0.0000"))


def test_missed_deadlines_stay_missed_after_a_withdrawal(default_team, api_as):
    """Observation 3: one withdrawal turned a team's 18 missed deadlines into 17."""
    team = TeamFactory(name="调解三组")
    agent = make_staff(Role.AGENT, team=team, username="carol")
    disputes = [assign(intake(f"2026-03-02T09:{i:02d}:00"), team, agent) for i in range(18)]
    sla_scan(now=at("2026-03-02 11:00"))  # every first contact (due 09:30-09:47) breached

    def missed() -> dict[str, int]:
        counts = {}
        for by, key in (("team", team.code), ("agent", "carol"), ("kind", "first_contact")):
            rows = compliance(period=MONDAY, by=by, now=NOW).rows
            counts[by] = next(r.missed for r in rows if r.key == key)
        return counts

    assert missed() == {"team": 18, "agent": 18, "kind": 18}
    first = disputes[0]
    response = api_as(agent).post(
        f"/api/v1/disputes/{first.number}/actions",
        {
            "action": "withdraw",
            "version": Dispute.objects.get(pk=first.pk).version,
            "reason": "顾客已自行修好",
            "confirmation": staff_note(),
        },
    )
    assert response.status_code == 200, response.content
    timer = Timer.objects.get(dispute=first, kind__code="first_contact")
    assert timer.state == Timer.State.CANCELLED and timer.breached_at is not None
    assert missed() == {"team": 18, "agent": 18, "kind": 18}
    # The same when the dispute is rejected or closed instead.
    second = step(disputes[1], "triage", at=at("2026-03-02 11:30"))
    step(second, "reject", at=at("2026-03-02 11:40"), ground="duplicate")
    assert missed() == {"team": 18, "agent": 18, "kind": 18}


def test_overdue_when_cancelled_is_missed_even_before_the_scan(default_team):
    late = intake("2026-03-02T09:00:00")  # first contact due 09:30
    step(late, "withdraw", at=at("2026-03-02 09:45"))  # no scan came by: still late
    early = intake("2026-03-02T10:00:00")  # due 10:30
    step(early, "withdraw", at=at("2026-03-02 10:10"))  # in time: the step never came
    result = compliance(period=MONDAY, by="kind", now=NOW)
    assert row(result, "first_contact") == (1, 0, 1, 0, Decimal("0.0000"))


def test_a_paused_clock_cancelled_counts_only_if_it_was_already_late(default_team):
    # Major: 24 h investigations from Monday 10:02, due Tuesday 10:02.
    waiting, overdue = intake("2026-03-02T10:00:00", SHOCK), intake("2026-03-02T10:00:00", SHOCK)
    for d, paused in ((waiting, "2026-03-03 09:00"), (overdue, "2026-03-03 11:00")):
        apply(d, "triage", at("2026-03-02 10:01"))
        apply(d, "investigate", at("2026-03-02 10:02"))
        timers.timers_pause(dispute=d, actor=SYSTEM, reason="等顾客寄回", at=at(paused))
        # The customer withdraws on Wednesday, long after the original due time.
        step(d, "withdraw", at=at("2026-03-04 12:00"))
    tuesday = Period(at("2026-03-03 00:00").date(), at("2026-03-03 00:00").date())
    result = compliance(period=tuesday, by="kind", now=at("2026-03-05 12:00"))
    # The one paused with an hour left was never late; the other was.
    assert row(result, "investigation") == (1, 0, 1, 0, Decimal("0.0000"))


def test_a_clock_paused_overdue_keeps_its_due_time_and_stays_missed(default_team):
    # Major: a 24 h investigation from Monday 10:02, due Tuesday 10:02; paused an hour
    # late (no scan ran), resumed at 12:00, escalated at 13:30. Missed on Tuesday, the
    # day it was due, not moved to a later day by the wait.
    d = intake("2026-03-02T10:00:00", SHOCK)
    apply(d, "triage", at("2026-03-02 10:01"))
    apply(d, "investigate", at("2026-03-02 10:02"))
    timers.timers_pause(dispute=d, actor=SYSTEM, reason="等顾客寄回", at=at("2026-03-03 11:00"))
    timers.timers_resume(dispute=d, actor=SYSTEM, at=at("2026-03-03 12:00"))
    timer = Timer.objects.get(dispute=d, kind__code="investigation")
    assert timer.due_at == at("2026-03-03 10:02")  # not moved back by the late pause
    apply(d, "escalate", at("2026-03-03 13:30"), route="platform", reason="顾客申请平台介入")
    tuesday = Period(at("2026-03-03 00:00").date(), at("2026-03-03 00:00").date())
    result = compliance(period=tuesday, by="kind", now=at("2026-03-05 12:00"))
    assert row(result, "investigation") == (1, 0, 1, 0, Decimal("0.0000"))


def test_period_edges_are_days_in_shanghai(default_team):
    intake("2026-03-01T23:29:59")  # first contact due Sun 23:59:59
    intake("2026-03-01T23:40:00")  # due Mon 00:10 (Sunday 16:10 in UTC)
    intake("2026-03-02T23:30:00")  # due Tue 00:00:00
    now = at("2026-03-04 12:00")

    def first_contact(start, end):
        period = Period(at(f"{start} 00:00").date(), at(f"{end} 00:00").date())
        rows = compliance(period=period, by="kind", now=now).rows
        return sum(r.total for r in rows if r.key == "first_contact")

    assert first_contact("2026-03-02", "2026-03-02") == 1
    assert first_contact("2026-03-01", "2026-03-01") == 1
    assert first_contact("2026-03-01", "2026-03-02") == 2
    assert first_contact("2026-03-03", "2026-03-03") == 1


def test_nothing_decided_has_no_rate(default_team):
    intake("2026-03-02T13:50:00")
    result = compliance(period=MONDAY, by="kind", now=at("2026-03-02 13:55"))
    assert row(result, "first_contact") == (1, 0, 0, 1, None)
    empty = compliance(
        period=Period(MONDAY.start.replace(year=2025), MONDAY.end.replace(year=2025))
    )
    assert (empty.rows, empty.overall.total, empty.overall.rate) == ([], 0, None)


# -- API -------------------------------------------------------------------------------

URL = "/api/v1/sla/compliance"


def test_api_for_leads_supervisors_management_and_admins(monday, api_as, default_team):
    lead = api_as(monday["lead"]).get(URL, start="2026-03-02", end="2026-03-02", by="team")
    assert lead.status_code == 200
    body = lead.json()
    assert (body["start"], body["end"], body["by"]) == ("2026-03-02", "2026-03-02", "team")
    assert [r["name"] for r in body["rows"]] == [default_team.name]  # their team only
    assert body["rows"][0]["total"] == 5

    for role in (Role.SUPERVISOR, Role.MANAGEMENT, Role.ADMIN):
        response = api_as(make_staff(role)).get(URL, start="2026-03-02", end="2026-03-02")
        assert response.status_code == 200
        rows = {r["key"]: r for r in response.json()["rows"]}
        assert set(rows) == {"classify", "first_contact"}  # by kind unless told
        assert rows["classify"] == {
            "key": "classify",
            "name": "初次分类",
            "total": 6,
            "met": 6,
            "missed": 0,
            "pending": 0,
            "rate": "1.0000",
        }


def test_api_refuses_agents(monday, api_as):
    response = api_as(monday["alice"]).get(URL, start="2026-03-02", end="2026-03-02")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"start": "2026-3-2", "end": "2026-03-02"}, {"start"}),
        ({"start": "2026-03-02", "end": "明天"}, {"end"}),
        ({"start": "2026-03-03", "end": "2026-03-02"}, {"end"}),
        ({"start": "2026-03-02", "end": "2026-03-02", "by": "store"}, {"by"}),
        ({"end": "2026-03-02"}, {"start"}),
    ],
)
def test_api_bad_input_is_422_with_field_messages(api_as, params, fields):
    response = api_as(make_staff(Role.SUPERVISOR)).get(URL, **params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == fields


# -- CLI -------------------------------------------------------------------------------


def test_cli_prints_a_table_and_json(monday, capsys):
    call_command("sla", "figures", "--start", "2026-03-02", "--end", "2026-03-02", "--by", "team")
    table = capsys.readouterr().out
    assert "时限达标统计 2026-03-02 至 2026-03-02" in table
    assert "调解二组" in table and "50.00%" in table and "合计" in table

    call_command("sla", "figures", "--start", "2026-03-02", "--end", "2026-03-02", "--json")
    body = json.loads(capsys.readouterr().out)
    assert body["by"] == "kind" and body["overall"]["total"] >= 11


def test_cli_refuses_bad_input_with_status_2(capsys):
    with pytest.raises(SystemExit) as exited:
        call_command("sla", "figures", "--start", "2026-03-02", "--end", "2026-03-01")
    assert exited.value.code == 2
    assert "--end" in capsys.readouterr().err
