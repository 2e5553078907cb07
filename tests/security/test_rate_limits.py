"""Rate limits through HTTP: revealing customers' phone numbers (per staff user), the
429 answer's shape and language, and the throttles the customer endpoints use, keyed
by the client's address as a proxy-aware attacker would try to dodge them (item 1)."""

import sys
import types

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import path
from ninja import NinjaAPI

from aftersales.api import errors
from aftersales.api.throttling import CODE_THROTTLES, CUSTOMER_THROTTLES
from aftersales.disputes.models import Event
from aftersales.disputes.timeline import DisputeKind
from aftersales.parties.roles import Role
from tests.factories import make_dispute, make_staff

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"


def rates(**overrides):
    return override_settings(RATE_LIMITS={**settings.RATE_LIMIT_DEFAULTS, **overrides})


@pytest.fixture(autouse=True)
def _counters_from_zero():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def disputes(default_team):
    return [make_dispute(customer={"name": "张三", "phone": f"1381234{n:04d}"}) for n in range(12)]


def test_an_agent_cannot_reveal_a_hundred_phone_numbers(api_as, agent, disputes):
    client = api_as(agent)
    with rates():
        answers = [client.get(f"{URL}/{disputes[n % 12].number}/contact") for n in range(100)]
    ok = [r for r in answers if r.status_code == 200]
    limit = int(settings.RATE_LIMIT_DEFAULTS["contact_reveal_minute"].split("/")[0])
    assert len(ok) == limit
    refused = answers[limit]
    assert refused.status_code == 429
    body = refused.json()
    assert body["error"]["code"] == "rate_limited"
    assert "请求过于频繁" in body["error"]["message"]
    assert 0 < int(refused["Retry-After"]) <= 120  # this window, then the weight of it
    assert "1381234" not in refused.content.decode()
    # Only what was shown is on the timeline.
    assert Event.objects.filter(kind=DisputeKind.CONTACT_REVEALED).count() == limit


def test_the_limit_is_per_user(api_as, agent, default_team, disputes):
    with rates(contact_reveal_minute="2/min"):
        first = api_as(agent)
        assert [first.get(f"{URL}/{disputes[0].number}/contact").status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        colleague = api_as(make_staff(Role.AGENT, team=default_team))
        assert colleague.get(f"{URL}/{disputes[0].number}/contact").status_code == 200


def test_the_daily_limit_holds_across_minutes(api_as, agent, disputes):
    with rates(contact_reveal_minute="off", contact_reveal_day="3/day"):
        client = api_as(agent)
        codes = [client.get(f"{URL}/{disputes[n].number}/contact").status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_the_429_speaks_english_when_asked(api_as, agent, disputes):
    client = api_as(agent, language="en")
    with rates(contact_reveal_minute="1/min"):
        client.get(f"{URL}/{disputes[0].number}/contact")
        refused = client.get(f"{URL}/{disputes[0].number}/contact")
    assert refused.status_code == 429
    message = refused.json()["error"]["message"]
    assert message.startswith("Too many requests"), message


# -- the throttles the customer endpoints use ------------------------------------------
# A small API of our own with the real throttles and error handlers on it, so the
# keying is tried independently of the customer endpoints (which apply them).

probe = NinjaAPI(urls_namespace="throttle-probe")
errors.register(probe)


class Link:
    """What the customer-token authentication leaves on request.auth."""

    def __init__(self, dispute_id):
        self.dispute_id = dispute_id


def link_from_header(request):
    value = request.headers.get("X-Link")
    return Link(int(value)) if value else None


@probe.get("/customer", auth=None, throttle=CUSTOMER_THROTTLES)
def customer(request):
    return {"ok": True}


@probe.post("/accept", auth=link_from_header, throttle=CODE_THROTTLES)
def accept(request):
    return {"ok": True}


urls = types.ModuleType("tests.security._throttle_probe_urls")
urls.urlpatterns = [path("api/probe/", probe.urls)]
sys.modules[urls.__name__] = urls


@pytest.fixture
def probe_urls():
    with override_settings(ROOT_URLCONF=urls.__name__):
        yield


def hits(n, **extra):
    return [Client(**extra).get("/api/probe/customer").status_code for _ in range(n)]


def test_customer_endpoints_are_limited_per_address(probe_urls):
    with rates(customer_ip_minute="3/min"):
        assert hits(4, REMOTE_ADDR="203.0.113.1") == [200, 200, 200, 429]
        assert hits(1, REMOTE_ADDR="203.0.113.2") == [200]
        refused = Client(REMOTE_ADDR="203.0.113.1").get("/api/probe/customer")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "Retry-After" in refused


def test_a_forged_forwarded_for_header_is_not_a_new_address(probe_urls):
    with rates(customer_ip_minute="2/min"):
        codes = [
            Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
            .get("/api/probe/customer")
            .status_code
            for n in range(3)
        ]
    assert codes == [200, 200, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_counts(probe_urls):
    """With TRUSTED_PROXY_COUNT=1 the last X-Forwarded-For entry (the one our proxy
    appended) is the client; what the client wrote before it is ignored."""
    with rates(customer_ip_minute="2/min"), override_settings(TRUSTED_PROXY_COUNT=1):
        proxy = {"REMOTE_ADDR": "127.0.0.1"}
        alice = [
            Client(**proxy, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.1")
            .get("/api/probe/customer")
            .status_code
            for n in range(3)
        ]
        bob = hits(1, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert alice == [200, 200, 429]
    assert bob == [200]


def test_ipv6_addresses_of_one_subscriber_count_together(probe_urls):
    with rates(customer_ip_minute="2/min"):
        codes = [
            Client(REMOTE_ADDR=f"2001:db8:1:2::{n:x}").get("/api/probe/customer").status_code
            for n in range(3)
        ]
    assert codes == [200, 200, 429]


def test_one_time_code_tries_are_limited_per_dispute_across_addresses(probe_urls):
    with rates(customer_code_dispute="3/hour"):
        codes = [
            Client(REMOTE_ADDR=f"198.51.100.{n}", HTTP_X_LINK="7").post("/api/probe/accept")
            for n in range(4)
        ]
        other_dispute = Client(REMOTE_ADDR="198.51.100.50", HTTP_X_LINK="8").post(
            "/api/probe/accept"
        )
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    assert other_dispute.status_code == 200


def test_one_time_code_tries_are_limited_per_address_across_disputes(probe_urls):
    with rates(customer_code_ip="2/hour"):
        codes = [
            Client(REMOTE_ADDR="198.51.100.9", HTTP_X_LINK=str(n))
            .post("/api/probe/accept")
            .status_code
            for n in range(3)
        ]
    assert codes == [200, 200, 429]


def test_an_unknown_rate_scope_or_format_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from aftersales.api.throttling import parse_rate

    assert parse_rate("5/10min") == (5, 600)
    assert parse_rate("off") is None
    with pytest.raises(ImproperlyConfigured):
        parse_rate("five per minute")


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_on_redis_parallel_requests_get_exactly_the_limit():
    """Production's cache (REDIS_URL): 40 reveals at once from 8 threads, limit 10."""
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from aftersales.api.throttling import consume

    redis = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": "aftersales-test",
        },
    }
    user = f"user:{uuid.uuid4().hex}"  # keys of its own; the Redis database is not cleared
    with override_settings(CACHES=redis, RATE_LIMIT_CACHE="limits"), rates():
        with ThreadPoolExecutor(8) as pool:
            waits = list(pool.map(lambda _: consume("contact_reveal_minute", user), range(40)))
    assert sum(w is None for w in waits) == 10
    assert all(0 < w <= 120 for w in waits if w is not None)


def test_the_workbench_reveal_counts_in_the_api_window(api_as, agent, disputes):
    """Revealing a phone on the dispute page and through the API draw on one allowance:
    the limit is not escaped by choosing the other door."""
    page = Client()
    page.force_login(agent)
    api = api_as(agent)
    with rates(contact_reveal_minute="3/min"):
        first = page.post(f"/workbench/disputes/{disputes[0].number}/contact/reveal")
        second = api.get(f"{URL}/{disputes[1].number}/contact")
        third = page.post(f"/workbench/disputes/{disputes[2].number}/contact/reveal")
        fourth = page.post(f"/workbench/disputes/{disputes[3].number}/contact/reveal")
        fifth = api.get(f"{URL}/{disputes[4].number}/contact")
    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    assert "13812340000" in first.content.decode()
    assert fourth.status_code == 429 and fifth.status_code == 429
    text = fourth.content.decode()
    assert "查看完整号码过于频繁" in text and "13812340003" not in text
    assert int(fourth["Retry-After"]) > 0
    assert Event.objects.filter(kind=DisputeKind.CONTACT_REVEALED).count() == 3
