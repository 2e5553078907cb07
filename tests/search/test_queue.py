"""The queue selector's filters, its validation, and the row annotations of a queue page
(one query per page whatever its size)."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.common.errors import ValidationFailed
from aftersales.disputes import selectors
from aftersales.disputes.models import NEEDS_REVIEW_BELOW, Dispute, Event, Task
from aftersales.parties.roles import Role
from aftersales.sla.models import Timer
from aftersales.sla.sources import Source, queue_rows, source_of
from tests.factories import OrderFactory, TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db


def numbers(qs) -> set[str]:
    return set(qs.values_list("number", flat=True))


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team)


def test_intake_stores_confidence_and_review_flag(lead):
    d = make_dispute(description="热水器用了三天就漏水，要求退货退款。")
    payload = Event.objects.get(dispute=d, kind="classified").payload
    d.refresh_from_db()
    assert d.confidence == payload["confidence"]
    assert d.needs_review == (payload["confidence"] < NEEDS_REVIEW_BELOW)
    assert d.search_tokens.split()[:2] == ["热水", "水器"]


def test_needs_review_filter(lead):
    sure, unsure = make_dispute(), make_dispute()
    Dispute.objects.filter(pk=sure.pk).update(confidence=0.93, needs_review=False)
    Dispute.objects.filter(pk=unsure.pk).update(confidence=0.31, needs_review=True)
    assert numbers(selectors.dispute_queue(lead, needs_review=True)) == {unsure.number}


def test_breaching_and_at_risk(lead):
    d = make_dispute()
    d.refresh_from_db()
    assert d.due_at is not None  # a running clock (first contact, acknowledgement, …)
    before, after = d.due_at - dt.timedelta(minutes=30), d.due_at + dt.timedelta(minutes=1)
    assert numbers(selectors.dispute_queue(lead, breaching=True, now=before)) == set()
    assert numbers(selectors.dispute_queue(lead, breaching=True, now=after)) == {d.number}
    assert numbers(selectors.dispute_queue(lead, at_risk=True, now=before)) == {d.number}
    assert numbers(selectors.dispute_queue(lead, at_risk=True, now=after)) == set()
    far = d.due_at - dt.timedelta(minutes=selectors.AT_RISK_MINUTES + 5)
    assert numbers(selectors.dispute_queue(lead, at_risk=True, now=far)) == set()


def test_team_assignee_escalation_and_department(lead, default_team):
    other_team = TeamFactory()
    mine = make_dispute(description="冰箱不制冷，漏水")
    theirs = make_dispute(OrderFactory())
    Dispute.objects.filter(pk=theirs.pk).update(team=other_team, escalation_risk=True)
    Dispute.objects.filter(pk=mine.pk).update(assignee=lead, escalation_risk=False)
    boss = make_staff(Role.SUPERVISOR)  # sees every dispute
    assert numbers(selectors.dispute_queue(boss, team=default_team.code)) == {mine.number}
    assert numbers(selectors.dispute_queue(boss, team=other_team.code)) == {theirs.number}
    assert numbers(selectors.dispute_queue(lead, assignee="me")) == {mine.number}
    assert numbers(selectors.dispute_queue(boss, assignee=lead.username)) == {mine.number}
    assert numbers(selectors.dispute_queue(boss, assignee="none")) == {theirs.number}
    assert numbers(selectors.dispute_queue(boss, escalation_risk=True)) == {theirs.number}
    assert numbers(selectors.dispute_queue(lead, escalation_risk=True)) == set()  # scope
    qc = make_staff(Role.QUALITY_CONTROL)
    Task.objects.filter(dispute=theirs).delete()
    Task.objects.create(dispute=mine, department="quality_control", kind="qc", title="质检")
    assert numbers(selectors.dispute_queue(qc, my_department=True)) == {mine.number}
    Task.objects.filter(dispute=mine).update(state=Task.State.DONE)
    assert numbers(selectors.dispute_queue(qc, my_department=True)) == set()
    assert numbers(selectors.dispute_queue(lead, my_department=True)) == set()  # no dept


def test_open_only(lead):
    d = make_dispute()
    Dispute.objects.filter(pk=d.pk).update(is_open=False)
    assert numbers(selectors.dispute_queue(lead, open_only=True)) == set()
    assert numbers(selectors.dispute_queue(lead)) == {d.number}


@pytest.mark.parametrize(
    "filters, field",
    [
        ({"status": "bogus"}, "status"),
        ({"category": "x"}, "category"),
        ({"severity": "huge"}, "severity"),
        ({"channel": "pigeon"}, "channel"),
        ({"team": "no-such-team"}, "team"),
        ({"assignee": "nobody-here"}, "assignee"),
        ({"assignee": "a\x00b"}, "assignee"),
        ({"q": "漏" * 201}, "q"),
    ],
)
def test_unknown_values_are_named_in_chinese(lead, filters, field):
    with pytest.raises(ValidationFailed) as caught:
        selectors.dispute_queue(lead, **filters)
    assert set(caught.value.fields) == {field}
    assert caught.value.message == "查询条件有误"


def test_source_map():
    assert source_of("seller_response") == Source.PLATFORM
    assert source_of("platform_review") == Source.PLATFORM
    assert source_of("regulator_acceptance") == Source.STATUTORY
    assert source_of("regulator_mediation") == Source.STATUTORY
    assert source_of("repair") == Source.STATUTORY
    assert source_of("first_contact") == Source.INTERNAL
    assert source_of("a-kind-added-later") == Source.INTERNAL
    assert str(Source.STATUTORY.label) == "法定"


def test_queue_rows_in_one_query(lead, django_assert_num_queries):
    disputes = [make_dispute(OrderFactory()) for _ in range(4)]
    page = list(selectors.dispute_queue(lead))
    now = timezone.now()
    with django_assert_num_queries(1):
        rows = queue_rows(page, now)
    assert rows is page
    for row in rows:
        live = Timer.objects.filter(dispute=row, state__in=Timer.URGENT).order_by("due_at")
        first = live.select_related("kind").first()
        assert row.clock is not None and first is not None
        assert (row.clock.kind, row.clock.due_at) == (first.kind.code, first.due_at)
        assert row.clock.source == "内部"
        assert row.clock.css in ("", "at-risk", "breached")
    later = queue_rows(page, max(d.due_at for d in page) + dt.timedelta(hours=1))
    assert all(r.clock.breached and r.clock.css == "breached" for r in later)
    assert len(disputes) == 4
    with django_assert_num_queries(0):
        assert queue_rows([], now) == []


def test_platform_clock_shows_its_source(lead):
    d = make_dispute()
    t = Timer.objects.filter(dispute=d, state__in=Timer.URGENT).order_by("due_at").first()
    from aftersales.sla.models import TimerKind

    t.kind = TimerKind.objects.get(code="seller_response")
    t.save(update_fields=["kind"])
    [row] = queue_rows([Dispute.objects.get(pk=d.pk)], timezone.now())
    assert row.clock.kind == "seller_response"
    assert row.clock.source == "平台"
