"""Issue 10, observation 2 in Django admin: its bulk actions move disputes only by generic
actions that need no reason or record; no owned action (propose, settle, escalate, …) is
offered, and posting one anyway changes nothing."""

import pytest
from django.test import Client

from aftersales.disputes import lifecycle
from aftersales.disputes.admin import BULK_ACTIONS
from aftersales.disputes.models import Dispute
from aftersales.mediation.models import Proposal
from aftersales.parties.roles import Role
from tests.factories import make_dispute, make_staff, walk_to

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/disputes/dispute/"
OWNED = {"propose", "revise", "settle", "escalate"}


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(make_staff(Role.ADMIN))
    return client


def offered(client) -> set[str]:
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    return {name for name, _label in response.context["action_form"].fields["action"].choices}


def test_admin_offers_no_owned_action(admin_client):
    names = offered(admin_client)
    assert {f"apply_{a}" for a in ("triage", "investigate", "complete")} <= names
    assert not {n for n in names if n.removeprefix("apply_") in OWNED}
    assert all(lifecycle.owner_of(a) is None for a in BULK_ACTIONS)
    # Nor any that needs a reason or record (reject, close, reopen, withdraw).
    assert {a.value for a in BULK_ACTIONS} == {"triage", "investigate", "complete"}


def test_posting_settle_from_the_changelist_changes_nothing(admin_client):
    dispute = walk_to(make_dispute(), "proposing")
    before = Dispute.objects.get(pk=dispute.pk)
    response = admin_client.post(
        CHANGELIST, {"action": "apply_settle", "_selected_action": [dispute.pk], "index": 0}
    )
    assert response.status_code in (200, 302)
    after = Dispute.objects.get(pk=dispute.pk)
    assert (after.status, after.version) == (before.status, before.version)
    assert after.status == "proposing"
    assert Proposal.objects.get(dispute=dispute).state == "sent"


def test_a_generic_bulk_action_still_applies(admin_client):
    disputes = [make_dispute(), make_dispute()]
    response = admin_client.post(
        CHANGELIST,
        {"action": "apply_triage", "_selected_action": [d.pk for d in disputes], "index": 0},
    )
    assert response.status_code == 302
    assert {Dispute.objects.get(pk=d.pk).status for d in disputes} == {"triaged"}
