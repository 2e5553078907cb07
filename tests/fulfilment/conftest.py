"""Shared fixtures of the fulfilment tests (other areas' tests import them too; keep the
names stable): a dispute walked to `executing`, an after-sale order made by hand on it,
and the staff of each department."""

from __future__ import annotations

import pytest

from aftersales.fulfilment.aftersale_orders import aftersale_order_create
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, make_dispute, make_staff, walk_to

HAND_REASON = "电话中另行约定"


@pytest.fixture
def executing_dispute(db):
    """`executing_dispute(**order_kwargs)`: a new dispute on a new order (OrderFactory
    with `order_kwargs`) walked to `executing`. It may already carry the after-sale orders
    of the accepted proposal: tests look at the orders they make themselves.
    `intake={...}`: overrides of the intake body (e.g. a claimed `amount_paid` below the
    order's, so the agreed full refund of the claim leaves room for other refunds)."""

    def make(*, intake: dict | None = None, **order_kwargs):
        dispute = make_dispute(OrderFactory(**order_kwargs), **(intake or {}))
        dispute = walk_to(dispute, "executing")
        dispute.refresh_from_db()
        return dispute

    return make


@pytest.fixture
def make_order(db):
    """`make_order(dispute, type, **kw)`: an after-sale order by hand (the system actor,
    reason 电话中另行约定); `kw` as `aftersale_order_create` takes them."""

    def make(dispute, type, **kw):
        kw.setdefault("reason", HAND_REASON)
        kw.setdefault("actor", SYSTEM)
        return aftersale_order_create(dispute=dispute, type=type, **kw)

    return make


@pytest.fixture
def finance(default_team):
    return make_staff(Role.FINANCE, team=default_team)


@pytest.fixture
def logistics(default_team):
    return make_staff(Role.LOGISTICS, team=default_team)


@pytest.fixture
def qc(default_team):
    return make_staff(Role.QUALITY_CONTROL, team=default_team)


@pytest.fixture
def agent(default_team):
    return make_staff(Role.AGENT, team=default_team)


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team)
