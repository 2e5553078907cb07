import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.parties.roles import Role
from tests.factories import make_staff, step

SH = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/disputes"
LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def apply(dispute, action, **payload):
    """One lifecycle action through its own door (`tests.factories.step`)."""
    return step(dispute, action, **payload)


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
