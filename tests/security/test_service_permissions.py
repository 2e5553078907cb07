"""Issue 11 item 16: services check their own permissions — with the dispute and the action
— whoever calls them (an endpoint, a command, a task, another service); `None` is not an
actor and is refused; the named system actor acts and is recorded as the system."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.common.errors import Forbidden
from aftersales.disputes.evidence import evidence_add
from aftersales.disputes.models import Dispute, Event, Evidence
from aftersales.disputes.services import dispute_apply, dispute_reveal_contact
from aftersales.disputes.timeline import DisputeKind
from aftersales.intake.orders import order_record
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Order, Team
from aftersales.parties.order_input import parse_order
from aftersales.parties.roles import Role
from tests.factories import TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    return Team.objects.get(is_default=True)


@pytest.fixture
def theirs(db):
    """Another team's service complaint: no department task, outside the default team."""
    other = TeamFactory(code="team-y", name="调解外组")
    return make_dispute(
        channel="phone",
        actor=make_staff(Role.AGENT, team=other),
        description="客服态度很差，问了三次都没人回复",
    )


def unchanged(dispute: Dispute, events: int) -> bool:
    fresh = Dispute.objects.get(pk=dispute.pk)
    return (fresh.version, Event.objects.filter(dispute=dispute).count()) == (
        dispute.version,
        events,
    )


@pytest.mark.parametrize("role", [Role.FINANCE, Role.MANAGEMENT, Role.LOGISTICS])
def test_revealing_a_contact_is_refused_by_the_service_itself(role, theirs):
    # Before: only the endpoint checked; the service wrote the look and returned the phone.
    events = theirs.events.count()
    with pytest.raises(Forbidden):
        dispute_reveal_contact(dispute=theirs, actor=make_staff(role))
    assert unchanged(theirs, events)


def test_revealing_a_contact_outside_ones_scope_is_refused(team, theirs):
    events = theirs.events.count()
    with pytest.raises(Forbidden):
        dispute_reveal_contact(dispute=theirs, actor=make_staff(Role.AGENT, team=team))
    assert unchanged(theirs, events)


def test_a_handler_cannot_apply_an_action_to_another_teams_dispute(team, theirs):
    # Before: `can_act` ignored the dispute; only the endpoint's lookup kept agents out.
    events = theirs.events.count()
    with pytest.raises(Forbidden):
        dispute_apply(
            dispute=theirs,
            action="triage",
            actor=make_staff(Role.AGENT, team=team),
            version=theirs.version,
        )
    assert unchanged(theirs, events)


def test_a_missing_actor_is_refused_not_waved_through(theirs):
    # Before: `actor=None` skipped the check and applied the action.
    events = theirs.events.count()
    with pytest.raises((Forbidden, TypeError)):
        dispute_apply(dispute=theirs, action="triage", actor=None, version=theirs.version)
    with pytest.raises((Forbidden, TypeError)):
        dispute_reveal_contact(dispute=theirs, actor=None)
    assert unchanged(theirs, events)


def test_the_system_actor_acts_and_is_recorded_as_the_system(theirs):
    moved = dispute_apply(dispute=theirs, action="triage", actor=SYSTEM, version=theirs.version)
    assert moved.status == "triaged"
    event = theirs.events.filter(kind=DisputeKind.ACTION).latest("id")
    assert (event.actor, event.actor_label) == (None, "system")


def test_evidence_outside_ones_scope_is_refused_by_the_service(team, theirs):
    upload = SimpleUploadedFile("chat.txt", "顾客：热水器漏水了。\n".encode(), "text/plain")
    with pytest.raises(Forbidden):
        evidence_add(dispute=theirs, upload=upload, actor=make_staff(Role.AGENT, team=team))
    assert not Evidence.objects.filter(dispute=theirs).exists()


def test_recording_an_order_is_refused_by_the_service_itself(db):
    # Before: only PUT /api/v1/orders checked; the service wrote for anyone.
    data = parse_order(
        {
            "store": "暖家电器旗舰店",
            "platform": "tmall",
            "paid_at": timezone.now().isoformat(),
            "lines": [
                {"product": "空气炸锅", "sku": "AF-55", "quantity": 1, "unit_price": "329.00"}
            ],
        },
        order_no="TM-H8-0001",
    )
    with pytest.raises(Forbidden):
        order_record(data=data, actor=make_staff(Role.FINANCE))
    assert not Order.objects.filter(order_no="TM-H8-0001").exists()
    order, created = order_record(data=data, actor=SYSTEM)  # an import
    assert created and order.order_no == "TM-H8-0001"
