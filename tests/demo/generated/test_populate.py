import datetime as dt
import re
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from aftersales.common.text import to_simplified
from aftersales.demo.populate import DEMO_PASSWORD, KEY_PREFIX, demo_populate
from aftersales.disputes import lifecycle
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Channel, Dispute, Event, Expectation, Task
from aftersales.disputes.selectors import disputes_visible_to
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.disputes.timeline import DisputeKind
from aftersales.fulfilment.flows import DEPARTMENT_OF_STATE
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.models import Order, Team
from aftersales.parties.roles import Role
from aftersales.triage.timeline import TriageKind

from .conftest import COUNT, SEED

pytestmark = pytest.mark.django_db

# Words that make a case major (taxonomy.md): harm, groups, regulators, courts, media.
MAJOR_WORDS = re.compile(
    "过敏|中毒|受伤|住院|急诊|漏电|跳闸|冒烟|起火|烧焦|鼓包|皮炎|红疹|甲醛严重超标|拉肚子|上吐下泻"
    "|集体投诉|一起投诉|12315|消协|消费者协会|律师|法院|起诉|曝光|媒体|修了两次|第三次"
)
THREAT_WORDS = re.compile("12315|消协|消费者协会|律师|法院|曝光|媒体|差评|平台介入|投诉到平台")


def test_covers_every_status_channel_category_and_severity(demo):
    summary = demo.summary
    assert summary.created == COUNT and not summary.failed and not summary.already_present
    disputes = Dispute.objects.filter(intake_key__startswith=KEY_PREFIX)
    assert disputes.count() == COUNT
    assert set(disputes.values_list("status", flat=True)) == {s.value for s in Status}
    assert set(disputes.values_list("channel", flat=True)) == set(Channel.values)
    assert set(disputes.values_list("category", flat=True)) == {c.value for c in Category}
    assert set(disputes.values_list("severity", flat=True)) == {s.value for s in Severity}
    assert set(disputes.values_list("expectation", flat=True)) <= set(Expectation.values)
    # Mostly general, some complex, a few major; older ones mostly ended.
    by_severity = summary.by_severity
    assert by_severity["general"] > by_severity["complex"] > by_severity["major"] > 0
    assert summary.by_status["closed"] > COUNT / 3
    assert sum(summary.by_status.values()) == summary.total == COUNT
    # Live-stream rooms sell with sale_channel live_stream.
    live = Order.objects.filter(store__platform__in=["douyin", "kuaishou"])
    assert live.exists()
    assert set(live.values_list("sale_channel", flat=True)) == {"live_stream"}


def test_numbers_unique_and_times_in_the_last_90_days(demo):
    now = demo.now
    rows = list(Dispute.objects.values_list("number", "received_at", "occurred_at", "closed_at"))
    numbers = [r[0] for r in rows]
    assert len(numbers) == len(set(numbers)) == COUNT
    for _number, received, occurred, closed in rows:
        assert now - dt.timedelta(days=90) < received < now
        assert occurred is None or occurred <= received
        assert closed is None or received < closed <= now
    assert not Event.objects.filter(at__gt=now).exists()
    assert not Order.objects.filter(paid_at__gt=now).exists()
    # Business hours (Asia/Shanghai) carry most of the intake.
    hours = [r[1].astimezone(lifecycle_tz()).hour for r in rows]
    assert sum(8 <= h < 22 for h in hours) > 0.8 * len(hours)


def lifecycle_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_every_timeline_follows_the_lifecycle(demo):
    events = defaultdict(list)
    for e in Event.objects.filter(kind=DisputeKind.ACTION).order_by("dispute_id", "at", "id"):
        events[e.dispute_id].append(e)
    for d in Dispute.objects.all():
        chain = events[d.id]
        assigned = d.events.filter(kind=DisputeKind.ASSIGNED).count()
        assert d.version == 1 + len(chain) + assigned, d.number
        status = Status.RECEIVED
        previous_at = d.received_at
        for e in chain:
            assert e.from_status == status, d.number
            # Each step judged as it was taken: an owned one through its owner's door.
            move = lifecycle.decide(
                status,
                e.action,
                reason=e.reason,
                payload=e.payload,
                via=lifecycle.owner_of(e.action),
                at=e.at,
                received_at=d.received_at,
            )
            assert move.target == e.to_status
            assert e.at > previous_at
            previous_at, status = e.at, move.target
        assert status == d.status, d.number
        assert d.is_open == (status in lifecycle.OPEN)
        assert (d.closed_at is not None) == (status in lifecycle.TERMINAL)
        assert d.events.filter(kind=DisputeKind.INTAKE).count() == 1
    # The detours real cases take are there too.
    actions = set(Event.objects.filter(kind="action").values_list("action", flat=True))
    # All but `resume` (a refund bouncing after the dispute was completed): the demo's
    # one bounced refund is on a dispute still being executed.
    assert actions == {a.value for a in lifecycle.Action} - {lifecycle.Action.RESUME.value}


def test_texts_are_chinese_varied_and_consistent_with_severity(demo):
    disputes = list(
        Dispute.objects.values_list("description", "severity", "escalation_risk", "search_text")
    )
    descriptions = [d[0] for d in disputes]
    assert all(len(re.findall(r"[\u4e00-\u9fff]", d)) >= 10 for d in descriptions)
    assert len(set(descriptions)) >= 0.8 * len(descriptions)
    traditional = [d for d in descriptions if to_simplified(d) != d]
    assert 0 < len(traditional) < 0.15 * len(descriptions)
    for description, severity, risk, search_text in disputes:
        simplified = to_simplified(description)
        assert to_simplified(search_text) == search_text  # search always in Simplified
        if severity == Severity.MAJOR:
            assert MAJOR_WORDS.search(simplified), description
        else:
            assert not MAJOR_WORDS.search(simplified), description
        assert risk == bool(THREAT_WORDS.search(simplified)), description


def test_teams_assignees_and_department_tasks(demo):
    agent = get_user_model().objects.get(username="agent")
    lead = get_user_model().objects.get(username="team_lead")
    team1 = Team.objects.get(code="team-1")
    assert Team.objects.filter(code="team-2").exists()
    assert Dispute.objects.filter(team__code="team-2").exists()
    assert Dispute.objects.filter(team=team1, assignee=agent).exists()
    assert Dispute.objects.filter(assignee=lead).exists()
    # New disputes wait in the default team, unassigned, until triage routes them.
    received = Dispute.objects.filter(status=Status.RECEIVED)
    assert set(received.values_list("team__is_default", flat=True)) == {True}
    assert not received.filter(assignee__isnull=False).exists()
    assert Team.objects.get(is_default=True).lead == lead
    for department in ("quality_control", "logistics", "legal", "operations", "finance"):
        assert Task.objects.filter(department=department, state="open").exists(), department
    # Department staff see the disputes they have tasks on, and only those.
    qc = get_user_model().objects.get(username="quality_control")
    visible = disputes_visible_to(qc)
    assert 0 < visible.count() < COUNT
    with_task = Dispute.objects.filter(tasks__department="quality_control").distinct()
    assert visible.count() == with_task.count()
    assert disputes_visible_to(agent).count() < COUNT


def _assignment_of(payload: dict) -> dict:
    return {"team": payload.get("team"), "assignee": payload.get("assignee")}


def test_every_assignment_is_on_the_timeline(demo):
    """Observation 9: a dispute's team and assignee are what its timeline says: the
    `assigned` events `dispute_assign` writes (each `before` the previous `after`), else
    the intake or routing event that placed it; and only while it was open."""
    default = Team.objects.get(is_default=True).code
    timelines = defaultdict(list)
    for e in Event.objects.filter(
        kind__in=[DisputeKind.INTAKE, TriageKind.ROUTED, DisputeKind.ASSIGNED]
    ).order_by("dispute_id", "at", "id"):
        timelines[e.dispute_id].append(e)
    assigned = 0
    for d in Dispute.objects.select_related("team", "assignee"):
        now = {"team": d.team.code if d.team else None,
               "assignee": d.assignee.get_username() if d.assignee else None}  # fmt: skip
        placed = {"team": default, "assignee": None}
        for e in timelines[d.id]:
            if e.kind == DisputeKind.ASSIGNED:
                assert e.payload["before"] == placed, d.number
                placed = e.payload["after"]
                assert e.actor is not None and e.actor_label
                assert d.closed_at is None or e.at < d.closed_at
                assigned += 1
            elif _assignment_of(e.payload)["team"] is not None:
                placed = _assignment_of(e.payload)
        assert placed == now, d.number
    assert assigned > COUNT / 3
    # Each assignment counts as a change of the dispute (its version).
    for d in Dispute.objects.filter(events__kind=DisputeKind.ASSIGNED).distinct()[:50]:
        changes = d.events.filter(kind__in=[DisputeKind.ACTION, DisputeKind.ASSIGNED]).count()
        assert d.version == 1 + changes, d.number


def test_every_task_is_one_a_service_would_create(demo):
    """Observation 9: department tasks come from the routing table (for the dispute's
    category, severity, escalation risk and channel), from legal's review of a proposal
    below the statutory minimum, from an escalation, or from a request on the timeline."""
    from aftersales.mediation.models import Escalation, ProposalRevision
    from aftersales.triage.routing import Facts, route
    from aftersales.triage.selectors import routing_rules

    rules = routing_rules()
    escalation_tasks = set(Escalation.objects.values_list("legal_task_id", flat=True))
    below = set(
        ProposalRevision.objects.filter(below_minimum=True).values_list(
            "proposal__dispute_id", flat=True
        )
    )
    requested = {
        e.payload.get("task") for e in Event.objects.filter(kind=MediationKind.TASK_REQUESTED)
    }
    routed = defaultdict(set)
    for e in Event.objects.filter(kind=TriageKind.ROUTED):
        routed[e.dispute_id] |= {(t["department"], t["kind"]) for t in e.payload["tasks"]}
    # Fulfilment's: the department owning a state an after-sale order of it entered.
    entered = defaultdict(set)
    for e in Event.objects.filter(kind="aftersale_state"):
        entered[e.dispute_id].add(DEPARTMENT_OF_STATE[e.payload["to"]])
    kinds = set()
    for task in Task.objects.select_related("dispute"):
        d = task.dispute
        decision = route(Facts(d.category, d.severity, d.escalation_risk, d.channel), rules)
        made_by_routing = {(t.department, t.kind) for t in decision.tasks}
        key = (task.department, task.kind)
        if key in made_by_routing:
            assert key in routed[d.id], (d.number, key)  # with its routing event
        elif task.kind == "proposal_review":
            assert task.department == "legal" and d.id in below, d.number
        elif task.kind == "external_case":
            assert task.pk in escalation_tasks, d.number
        elif task.kind.startswith("aftersale_"):
            assert task.kind == f"aftersale_{task.department}", d.number
            assert task.department in entered[d.id], (d.number, key)
        else:
            assert task.pk in requested, (d.number, key)
        kinds.add(task.kind)
    assert {"qc_inspection", "logistics_trace", "promotion_check", "legal_review"} <= kinds
    # A task is done by its department's report, filed while the dispute was open (legal's
    # review of a proposal below the minimum: by legal's approval).
    from aftersales.mediation.models import TaskReport

    reports = {r.task_id: r for r in TaskReport.objects.select_related("dispute")}
    told = {e.payload["task"] for e in Event.objects.filter(kind=MediationKind.TASK_REPORTED)}
    done = Task.objects.filter(state="done").exclude(kind="proposal_review")
    for task in done.exclude(kind__startswith="aftersale_"):
        report = reports[task.pk]
        closed = report.dispute.closed_at
        assert closed is None or report.filed_at < closed, report.dispute.number
        assert task.pk in told
    # Every demo dispute got the tasks the routing table gives it, at intake.
    for d in Dispute.objects.filter(intake_key__startswith=KEY_PREFIX)[:200]:
        decision = route(Facts(d.category, d.severity, d.escalation_risk, d.channel), rules)
        wanted = {(t.department, t.kind) for t in decision.tasks}
        assert wanted <= set(d.tasks.values_list("department", "kind")), d.number


def test_every_escalation_has_its_record_legal_task_and_outside_deadlines(demo):
    """Observation 2 and 9: an escalated dispute has the Escalation record, the legal
    task and the outside bodies' deadline timers `escalation_file` makes."""
    from aftersales.mediation import investigation_rules as rules
    from aftersales.mediation.models import Escalation
    from aftersales.sla.models import Timer

    escalated = 0
    for e in Event.objects.filter(kind=DisputeKind.ACTION, action="escalate").select_related(
        "dispute"
    ):
        d, route = e.dispute, e.payload["route"]
        escalated += 1
        record = Escalation.objects.get(dispute=d, route=route)
        assert record.filed_on <= timezone.localdate(e.at)
        assert record.legal_task is not None and record.legal_task.department == "legal"
        filed = Event.objects.get(
            kind=MediationKind.ESCALATION_FILED, payload__escalation=record.pk
        )
        assert filed.at == e.at and filed.payload["route"] == route
        assert filed.payload["legal_task"] == record.legal_task_id
        timers = set(Timer.objects.filter(dispute=d).values_list("kind__code", flat=True))
        for deadline in rules.deadlines_for(route):
            started = deadline.starts == rules.Milestone.FILED or (
                deadline.starts == rules.Milestone.ACCEPTED and record.accepted_on
            )
            if started:
                assert deadline.code in timers, (d.number, deadline.code)
        if (
            d.status == Status.CLOSED
            and d.events.filter(
                kind=DisputeKind.ACTION, action="close", from_status="escalated"
            ).exists()
        ):
            assert record.state == Escalation.State.CONCLUDED and record.outcome
    assert escalated == Escalation.objects.count()
    assert Dispute.objects.filter(status=Status.ESCALATED).count() <= escalated
    assert Escalation.objects.filter(route="regulator").exists()


def test_every_withdrawal_has_a_reason_and_the_customers_confirmation(demo):
    withdrawals = Event.objects.filter(kind=DisputeKind.ACTION, action="withdraw")
    assert withdrawals.count() == Dispute.objects.filter(status=Status.WITHDRAWN).count() > 0
    for e in withdrawals:
        assert e.reason.strip(), e.dispute_id
        confirmation = e.payload["confirmation"]
        assert confirmation["method"] in ("portal_click", "one_time_code", "staff_note")
        if confirmation["method"] == "staff_note":
            assert confirmation["channel"] and confirmation["note"].strip()
        at = dt.datetime.fromisoformat(confirmation["at"])
        assert e.dispute.received_at <= at <= e.at
        lifecycle.decide(
            e.from_status,
            "withdraw",
            reason=e.reason,
            payload=e.payload,
            at=e.at,
            received_at=e.dispute.received_at,
        )


def test_staff_one_per_role_and_all_can_log_in(demo):
    users = get_user_model().objects
    for role in Role:
        members = users.filter(groups__name=role.value)
        assert list(members.values_list("username", flat=True)) == [role.value]
        assert Client().login(username=role.value, password=DEMO_PASSWORD), role
        assert members.get().staff_profile.display_name
    assert users.get(username="admin").is_superuser
    assert not users.filter(is_superuser=True).exclude(username="admin").exists()
    client = Client()
    client.login(username="agent", password=DEMO_PASSWORD)
    page = client.get("/workbench/")
    assert page.status_code == 200
    number = Dispute.objects.filter(assignee__username="agent").values_list("number", flat=True)[0]
    assert client.get(f"/workbench/disputes/{number}/").status_code == 200


def test_rerun_adds_nothing_and_leaves_users_alone(demo):
    before = (Dispute.objects.count(), Event.objects.count(), Task.objects.count())
    get_user_model().objects.filter(username="agent").update(first_name="改过")
    again = demo_populate(count=COUNT, seed=SEED)
    assert again.already_present and again.created == 0 and again.total == COUNT
    assert (Dispute.objects.count(), Event.objects.count(), Task.objects.count()) == before
    assert get_user_model().objects.get(username="agent").first_name == "改过"
    assert get_user_model().objects.filter(username__in=[r.value for r in Role]).count() == 10
    assert not any(login.created for login in again.logins)
