"""The demo's finance task for an agreement accepted minutes before the demo's "now" is
asked for no later than now: nothing on a timeline is in the future (a fixed seed failed
on this when the last acceptance fell in the half hour before now)."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.demo import investigation as demo_investigation
from aftersales.demo.mediation import DemoMediation
from aftersales.parties.roles import Role
from tests.factories import make_dispute, make_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("minutes_ago", [1, 4, 20])
def test_finance_task_for_a_fresh_acceptance_is_not_in_the_future(minutes_ago):
    now = timezone.now().replace(microsecond=0)
    dispute = make_dispute()
    author = make_staff(Role.AGENT, username=Role.AGENT.value)
    users = {Role.FINANCE: make_staff(Role.FINANCE, username=Role.FINANCE.value)}
    accepted = now - dt.timedelta(minutes=minutes_ago)
    out = DemoMediation()
    events = demo_investigation.payouts(
        random.Random(7),
        now,
        users,
        {dispute.pk: []},
        [(dispute, accepted, author, Decimal("99"))],
        out,
    )
    asked = [e.at for e in events]
    assert asked and all(accepted <= at <= now for at in asked)
