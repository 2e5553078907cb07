import pytest

from .helpers import Clock, Staff


@pytest.fixture(autouse=True)
def ceilings(settings):
    """The seed's tiers, whatever the environment says (SPEC §6)."""
    settings.MEDIATION_AUTHORITY_CEILINGS = {
        "agent": "200.00",
        "team_lead": "400.00",
        "supervisor": "600.00",
    }


@pytest.fixture
def staff(db, monkeypatch):
    """One user per role, and the clock the case runs on."""
    return Staff(Clock(monkeypatch))
