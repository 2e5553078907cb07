"""The lifecycle through the real service and database: random action sequences against
the SPEC §2 table, checking the state, the version and the timeline after every step."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.common.errors import Conflict, DomainError, ValidationFailed
from aftersales.disputes.lifecycle import TERMINAL, Action, EscalationRoute, Status, owner_of
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.services import dispute_apply
from aftersales.disputes.timeline import DisputeKind
from aftersales.parties.actors import customer_actor
from aftersales.parties.roles import Role
from tests.factories import make_dispute, make_staff, staff_note

from .spec_lifecycle import SPEC_MOVES

pytestmark = pytest.mark.django_db

steps = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(list(Action)), st.sampled_from(["approve", "", "CLOSE"])),
        st.sampled_from(["", "   ", "顾客来电说明情况"]),
        st.fixed_dictionaries(
            {},
            optional={
                "route": st.sampled_from([*(r.value for r in EscalationRoute), "moon"]),
                "customer_confirmed": st.sampled_from([True, False]),
                "satisfaction": st.integers(0, 6),
                "resolved": st.booleans(),
                "ground": st.sampled_from(["duplicate", "nonsense"]),
                "confirmation": st.sampled_from([staff_note(), {"method": "portal"}, None]),
            },
        ),
        st.sampled_from([0, 0, 0, -1, 1]),  # version offset: mostly current, some stale
    ),
    min_size=1,
    max_size=25,
)


@pytest.fixture
def admin(db):
    return make_staff(Role.ADMIN)


def _snapshot(dispute_pk: int) -> tuple[str, int, bool, int]:
    d = Dispute.objects.get(pk=dispute_pk)
    return d.status, d.version, d.is_open, Event.objects.filter(dispute_id=dispute_pk).count()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=steps)
def test_random_sequences_through_dispute_apply(admin, sequence):
    # Received a day ago: a withdrawal confirmed (staff_note) since is after intake.
    dispute = make_dispute(received_at=(timezone.now() - dt.timedelta(days=1)).isoformat())
    assert dispute.status == Status.RECEIVED
    for action, reason, payload, offset in sequence:
        before = _snapshot(dispute.pk)
        status, version, _, events = before
        try:
            result = dispute_apply(
                dispute=dispute,
                action=action,
                actor=admin,
                version=version + offset,
                reason=reason,
                payload=payload,
            )
        except DomainError as exc:
            if action not in {a.value for a in Action}:
                assert isinstance(exc, ValidationFailed) and exc.code == "unknown_action"
            elif owner_of(action) is not None:
                # Owned by a workflow: refused at this door whatever the state or version.
                assert isinstance(exc, Conflict) and exc.code == "action_owned"
            elif offset:
                assert isinstance(exc, Conflict) and exc.code == "version_conflict"
            elif (Status(status), Action(action)) not in SPEC_MOVES:
                assert isinstance(exc, Conflict) and exc.code == "action_not_allowed"
            else:
                assert isinstance(exc, ValidationFailed)  # a guard: reason, route, record
            assert _snapshot(dispute.pk) == before
            continue

        assert offset == 0, "a stale version was accepted"
        assert owner_of(action) is None, f"{action} applied without its owner"
        assert status not in {s.value for s in TERMINAL}
        expected = SPEC_MOVES.get((Status(status), Action(action)))
        assert expected is not None, f"{action} accepted in {status}"
        new_status, new_version, is_open, new_events = _snapshot(dispute.pk)
        assert new_status == result.status == expected
        assert new_status in {s.value for s in Status}
        assert new_version == result.version == version + 1
        assert is_open is (Status(new_status) not in TERMINAL)
        assert new_events == events + 1
        event = Event.objects.filter(dispute_id=dispute.pk).latest("id")
        assert event.kind == DisputeKind.ACTION
        assert (event.action, event.from_status, event.to_status) == (action, status, new_status)
        assert event.actor == admin
        assert event.reason == reason.strip()
        assert event.payload == payload
        if Status(new_status) in TERMINAL:
            assert result.closed_at is not None
        else:
            assert result.closed_at is None


def test_refused_action_leaves_row_and_timeline_untouched(admin):
    dispute = make_dispute()
    before = _snapshot(dispute.pk)
    with pytest.raises(Conflict) as exc:
        dispute_apply(dispute=dispute, action="close", actor=admin, version=1)
    assert exc.value.code == "action_not_allowed"
    assert exc.value.extra["allowed_actions"] == ["triage", "withdraw"]
    assert _snapshot(dispute.pk) == before


def test_full_history_is_on_the_timeline(admin):
    """Every kind of move, each applied through its door as the owning services do
    (`via`): the timeline records them in order, one event each."""
    dispute = make_dispute()
    plan = [
        ("triage", "", {}),
        ("investigate", "", {}),
        ("propose", "", {}),
        ("revise", "顾客还价", {}),
        ("escalate", "顾客申请平台介入", {"route": "platform"}),
        ("propose", "", {}),
        ("settle", "", {}),
        ("complete", "", {}),
        ("reopen", "退款未到账", {}),
        ("investigate", "", {}),
        ("withdraw", "顾客已自行修好", {"confirmation": staff_note()}),
    ]
    for i, (action, reason, payload) in enumerate(plan, start=1):
        # Settling is the customer's own acceptance: no member of staff may apply it.
        who = customer_actor(dispute.customer) if action == "settle" else admin
        dispute = dispute_apply(
            dispute=dispute,
            action=action,
            actor=who,
            version=i,
            reason=reason,
            payload=payload,
            via=owner_of(action),
        )
    assert dispute.status == Status.WITHDRAWN and not dispute.is_open
    actions = list(
        dispute.events.filter(kind=DisputeKind.ACTION)
        .order_by("id")
        .values_list("action", "from_status", "to_status")
    )
    assert [a for a, _, _ in actions] == [a for a, _, _ in plan]
    # Each event starts where the previous one ended.
    assert actions[0][1] == Status.RECEIVED
    for prev, nxt in itertools.pairwise(actions):
        assert prev[2] == nxt[1]
