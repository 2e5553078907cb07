import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from aftersales.parties.services import token_create

from .factories import OrderFactory, make_staff


@pytest.fixture
def default_team(db):
    return Team.objects.get(is_default=True)


@pytest.fixture
def agent(default_team):
    return make_staff(Role.AGENT, team=default_team)


@pytest.fixture
def order(db):
    return OrderFactory()


class ApiClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, user, language: str | None = None):
        self.user = user
        self.token = token_create(user=user)
        self.client = Client()
        self.language = language

    def headers(self, extra=None):
        h = {"Authorization": f"Bearer {self.token}"}
        if self.language:
            h["Accept-Language"] = self.language
        h.update(extra or {})
        return h

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers())

    def post(self, path, data=None, headers=None):
        return self.client.post(
            path, data=data or {}, content_type="application/json", headers=self.headers(headers)
        )

    def put(self, path, data=None, headers=None):
        return self.client.put(
            path, data=data or {}, content_type="application/json", headers=self.headers(headers)
        )

    def upload(self, path, files: dict, data=None):
        return self.client.post(path, {**(data or {}), **files}, headers=self.headers())


@pytest.fixture
def api_as():
    return ApiClient


def intake_body(order, **overrides):
    body = {
        "channel": "api",
        "order_no": order.order_no,
        "customer": {"name": "张三", "phone": "13812341234"},
        "product_name": "电热水器",
        "amount_paid": "1999.00",
        "description": "热水器用了三天就漏水，地板都泡坏了，要求退货退款。",
        "expectation": "return_refund",
    }
    body.update(overrides)
    return body


@pytest.fixture(autouse=True)
def _fresh_routing_rules():
    """Each test reads the routing table its own database holds (the per-process copy
    would otherwise outlive a test's rollback)."""
    from aftersales.triage.selectors import forget_routing_rules

    forget_routing_rules()
    yield
    forget_routing_rules()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request with `Accept-Language: en`
    leaves English active in the thread (LocaleMiddleware does not switch back), and
    every label is a lazy translation."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# --- Running under pytest-xdist (scripts/test runs the whole suite with `-n`).

DEMO_FOLDER = Path(__file__).parent / "demo" / "generated"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """The tests that read the generated demo (a fixture built once per package, holding a
    transaction) run on one worker, one after another (`--dist loadgroup`): the demo is
    built once, not once per worker and again each time the scheduler comes back to it."""
    group = pytest.mark.xdist_group("demo")
    for item in items:
        if DEMO_FOLDER in Path(item.path).parents:
            item.add_marker(group)


def pytest_unconfigure(config):
    """Remove the run's test files folder (aftersales/settings_test.py) in the process
    that made it: the main pytest process, after its workers are done."""
    if getattr(settings, "TEST_FILES_OWNER_PID", None) == os.getpid():
        shutil.rmtree(os.environ["AFTERSALES_TEST_FILES"], ignore_errors=True)
