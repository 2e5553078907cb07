"""Issue 10, observation 3 (withdrawal): `withdraw` needs a reason and the customer's own
confirmation. Staff record it as a note with the channel and the time; a portal click or a
one-time code can only come through the customer's door. Every refusal names its field and
writes nothing; the confirmation is kept on the timeline."""

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.common.errors import Conflict, ValidationFailed
from aftersales.disputes.lifecycle import Owner
from aftersales.disputes.models import Dispute
from aftersales.disputes.services import dispute_apply
from aftersales.disputes.timeline import DisputeKind
from aftersales.parties.actors import SYSTEM, customer_actor
from tests.factories import make_dispute, staff_note

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"
REASON = "顾客已自行修好"


@pytest.fixture
def dispute(db):
    # Received an hour ago, so a confirmation "10 minutes ago" lies after intake.
    received = timezone.localtime() - dt.timedelta(hours=1)
    return make_dispute(received_at=received.isoformat())


def snapshot(dispute):
    d = Dispute.objects.get(pk=dispute.pk)
    return d.status, d.version, d.is_open, d.events.count(), d.timers.count()


def withdraw(client, dispute, **body):
    data = {"action": "withdraw", "version": Dispute.objects.get(pk=dispute.pk).version}
    data.update(body)
    return client.post(f"{URL}/{dispute.number}/actions", data)


def minutes_ago(minutes: int) -> str:
    return (timezone.localtime() - dt.timedelta(minutes=minutes)).isoformat()


def test_a_withdrawal_with_reason_and_staff_note_is_recorded_on_the_timeline(
    api_as, agent, dispute
):
    confirmation = {
        "method": "staff_note",
        "channel": "phone",
        "at": minutes_ago(10),
        "note": "电话确认撤回",
    }
    response = withdraw(api_as(agent), dispute, reason=REASON, confirmation=confirmation)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["allowed_actions"]) == ("withdrawn", [])
    event = Dispute.objects.get(pk=dispute.pk).events.filter(kind=DisputeKind.ACTION).get()
    assert (event.action, event.reason, event.actor) == ("withdraw", REASON, agent)
    assert event.payload["confirmation"] == confirmation
    assert body["timeline"][-1]["payload"]["confirmation"]["channel"] == "phone"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"confirmation": "staff"}, "reason", "reason_required"),
        ({"reason": "   ", "confirmation": "staff"}, "reason", "reason_required"),
        ({"reason": REASON}, "confirmation", "confirmation_required"),
        ({"reason": REASON, "confirmation": "电话确认"}, "confirmation", "confirmation_required"),
        (
            {"reason": REASON, "confirmation": {"method": "fax"}},
            "confirmation.method",
            "confirmation_method_invalid",
        ),
        (
            {"reason": REASON, "confirmation": {"method": "portal"}},
            "confirmation.method",
            "confirmation_customer_only",
        ),
        (
            {"reason": REASON, "confirmation": {"method": "code", "code": "123456"}},
            "confirmation.method",
            "confirmation_customer_only",
        ),
        (
            {"reason": REASON, "confirmation": {"method": "staff_note", "at": "note"}},
            "confirmation.channel",
            "confirmation_channel_invalid",
        ),
        (
            {"reason": REASON, "confirmation": {"method": "staff_note", "channel": "pigeon"}},
            "confirmation.channel",
            "confirmation_channel_invalid",
        ),
        (
            {"reason": REASON, "confirmation": {"method": "staff_note", "channel": "phone"}},
            "confirmation.at",
            "confirmation_at_invalid",
        ),
        (
            {
                "reason": REASON,
                "confirmation": {"method": "staff_note", "channel": "chat", "at": "昨天下午"},
            },
            "confirmation.at",
            "confirmation_at_invalid",
        ),
        (
            {
                "reason": REASON,
                "confirmation": {
                    "method": "staff_note",
                    "channel": "chat",
                    "at": "2026-12-04T10:00:00",
                },
            },
            "confirmation.at",
            "confirmation_at_invalid",
        ),
        (
            {
                "reason": REASON,
                "confirmation": {"method": "staff_note", "channel": "email", "at": "future"},
            },
            "confirmation.at",
            "confirmation_at_future",
        ),
        (
            {
                "reason": REASON,
                "confirmation": {"method": "staff_note", "channel": "letter", "at": "before"},
            },
            "confirmation.at",
            "confirmation_at_before_intake",
        ),
        (
            {
                "reason": REASON,
                "confirmation": {
                    "method": "staff_note",
                    "channel": "in_person",
                    "at": "ok",
                    "note": ["签字"],
                },
            },
            "confirmation.note",
            "confirmation_note_invalid",
        ),
    ],
)
def test_bad_withdrawals_are_422_on_their_field_and_write_nothing(
    api_as, agent, dispute, body, field, code
):
    confirmation = body.get("confirmation")
    if confirmation == "staff":
        body = {**body, "confirmation": staff_note()}
    elif isinstance(confirmation, dict) and "at" in confirmation:
        times = {"future": minutes_ago(-30), "before": minutes_ago(90), "ok": minutes_ago(5)}
        at = times.get(confirmation["at"], confirmation["at"])
        body = {**body, "confirmation": {**confirmation, "at": at}}
    before = snapshot(dispute)
    response = withdraw(api_as(agent), dispute, **body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"], error
    assert error["fields"][field]
    assert snapshot(dispute) == before


def test_the_field_messages_are_english_when_asked(api_as, agent, dispute):
    response = api_as(agent, language="en").post(
        f"{URL}/{dispute.number}/actions",
        {
            "action": "withdraw",
            "version": 1,
            "reason": REASON,
            "confirmation": {"method": "portal"},
        },
    )
    message = response.json()["error"]["fields"]["confirmation.method"]
    assert "staff_note" in message
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in message), message


@pytest.mark.parametrize("method", ["portal", "code"])
def test_the_customers_own_door_may_confirm_by_portal_or_code(dispute, method):
    """The portal (a later issue) passes its door; staff cannot pass it from the API."""
    done = dispute_apply(
        dispute=dispute,
        action="withdraw",
        actor=customer_actor(dispute.customer),
        version=1,
        reason="顾客在门户撤回",
        payload={"confirmation": {"method": method}},
        via=Owner.CUSTOMER_PORTAL,
    )
    assert done.status == "withdrawn"


def test_the_customers_door_cannot_apply_anything_else(dispute):
    before = snapshot(dispute)
    with pytest.raises(Conflict) as exc:
        dispute_apply(
            dispute=dispute,
            action="triage",
            actor=customer_actor(dispute.customer),
            version=1,
            via=Owner.CUSTOMER_PORTAL,
        )
    assert exc.value.code == "action_owned"
    assert snapshot(dispute) == before


def test_a_staff_note_cannot_predate_the_move_it_confirms(dispute):
    """Applied at a given time (a replay), the note must not be later than that."""
    moment = timezone.now() - dt.timedelta(minutes=30)
    with pytest.raises(ValidationFailed) as exc:
        dispute_apply(
            dispute=dispute,
            action="withdraw",
            actor=SYSTEM,
            version=1,
            reason=REASON,
            payload={"confirmation": staff_note(moment + dt.timedelta(minutes=1))},
            at=moment,
        )
    assert "confirmation.at" in exc.value.fields
    done = dispute_apply(
        dispute=dispute,
        action="withdraw",
        actor=SYSTEM,
        version=1,
        reason=REASON,
        payload={"confirmation": staff_note(moment)},
        at=moment,
    )
    assert done.status == "withdrawn"
