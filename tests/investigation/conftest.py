import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.disputes.models import Dispute
from aftersales.disputes.services import dispute_apply
from aftersales.parties.roles import Role
from tests.factories import make_staff

SH = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/disputes"
LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def apply(dispute, action, **payload):
    reason = payload.pop("reason", "")
    return dispute_apply(
        dispute=dispute,
        action=action,
        actor=None,
        version=Dispute.objects.get(pk=dispute.pk).version,
        reason=reason,
        payload=payload,
    )


def investigating(dispute):
    apply(dispute, "triage")
    return apply(dispute, "investigate")


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team)


@pytest.fixture
def qc(db):
    return make_staff(Role.QUALITY_CONTROL)


@pytest.fixture
def legal(db):
    return make_staff(Role.LEGAL)


@pytest.fixture
def logistics(db):
    return make_staff(Role.LOGISTICS)
