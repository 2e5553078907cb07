"""The lifecycle tells the apps above it of applied actions through the handler registry
(`aftersales.disputes.handlers`), not by importing them: handlers run in a fixed order,
inside the action's transaction, and an error in one rolls the action back."""

import pytest

from aftersales.disputes import handlers
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.services import dispute_apply
from aftersales.parties.actors import SYSTEM
from aftersales.sla.models import Timer
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db

MAJOR = "电热水壶使用时突然起火，差点烧伤孩子，要求赔偿"


@pytest.fixture
def told():
    """Test handlers, removed afterwards; what they heard, in order."""
    heard: list[tuple[str, str]] = []
    names: list[str] = []

    def add(name: str, order: int, fail: bool = False):
        def handler(news):
            heard.append((name, news.event.action))
            if fail:
                raise RuntimeError(f"{name} failed")

        handlers.register(handlers.ActionApplied, handler, order=order, name=name)
        names.append(name)

    yield add, heard
    for name in names:
        handlers.unregister(handlers.ActionApplied, name)


def test_the_sla_registers_with_the_lifecycle_at_start_up():
    assert "sla.timers" in [r.name for r in handlers.registered(handlers.ActionApplied)]
    assert "sla.timers" in [r.name for r in handlers.registered(handlers.TasksCreated)]


def test_handlers_are_told_in_their_order_whatever_order_they_registered_in(told):
    add, heard = told
    add("test.late", order=300)
    add("test.b-early", order=1)
    add("test.a-early", order=1)  # same order: by name
    d = make_dispute()
    dispute_apply(dispute=d, action="triage", actor=SYSTEM, version=d.version)
    assert heard == [
        ("test.a-early", "triage"),
        ("test.b-early", "triage"),
        ("test.late", "triage"),
    ]
    names = [r.name for r in handlers.registered(handlers.ActionApplied)]
    assert names.index("test.b-early") < names.index("sla.timers") < names.index("test.late")


def test_an_error_in_a_handler_rolls_the_action_back(told):
    add, heard = told
    d = make_dispute(description=MAJOR)
    d = dispute_apply(dispute=d, action="triage", actor=SYSTEM, version=d.version)
    timers_before = sorted(Timer.objects.filter(dispute=d).values_list("kind__code", "state"))
    events_before = Event.objects.filter(dispute=d).count()
    add("test.failing", order=500, fail=True)  # told after the SLA has started its timers

    with pytest.raises(RuntimeError, match=r"test\.failing failed"):
        dispute_apply(dispute=d, action="investigate", actor=SYSTEM, version=d.version)

    assert heard == [("test.failing", "investigate")]
    after = Dispute.objects.get(pk=d.pk)
    assert (after.status, after.version) == (d.status, d.version)
    assert Event.objects.filter(dispute=d).count() == events_before
    # The investigation timer the SLA started for the action was rolled back with it.
    timers = sorted(Timer.objects.filter(dispute=d).values_list("kind__code", "state"))
    assert timers == timers_before

    # Without the failing handler the same action goes through and starts that timer.
    handlers.unregister(handlers.ActionApplied, "test.failing")
    dispute_apply(dispute=d, action="investigate", actor=SYSTEM, version=d.version)
    assert Timer.objects.filter(dispute=d, kind__code="investigation", state="running").exists()


def test_registering_a_name_again_replaces_it(told):
    add, heard = told
    add("test.once", order=1)
    add("test.once", order=1)
    d = make_dispute()
    dispute_apply(dispute=d, action="triage", actor=SYSTEM, version=d.version)
    assert heard == [("test.once", "triage")]


def test_unknown_news_is_refused():
    with pytest.raises(ValueError):
        handlers.register(str, print, order=1, name="test.nonsense")
