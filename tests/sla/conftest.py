import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from aftersales.parties.roles import Role
from tests.factories import make_staff

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """A fixed instant in Asia/Shanghai, e.g. at("2026-03-02 10:00")."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def lead(default_team):
    user = make_staff(Role.TEAM_LEAD, team=default_team)
    default_team.lead = user
    default_team.save(update_fields=["lead"])
    return user
