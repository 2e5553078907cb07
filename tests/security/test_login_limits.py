"""Login lockout (django-axes) and password-reset limits, tried as an attacker would:
through the login form and the reset form, over HTTP (issue 11 items 1, 2)."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings

from aftersales.parties.roles import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
RESET = "/accounts/password_reset/"
PASSWORD = "pass-Word-123"


@pytest.fixture(autouse=True)
def _limits_on():
    """Production limits: lockout on, the default rates, counters from zero."""
    cache.clear()
    with override_settings(AXES_ENABLED=True, RATE_LIMITS=dict(settings.RATE_LIMIT_DEFAULTS)):
        yield
    cache.clear()


def login(username, password, ip="203.0.113.7", path=LOGIN):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(path, {"username": username, "password": password})
    return client, response


def logged_in(client) -> bool:
    return client.get("/workbench/").status_code == 200


def test_forty_wrong_passwords_then_the_right_one_is_refused(agent):
    for _ in range(40):
        _, response = login(agent.username, "wrong-password")
    assert response.status_code == 429
    client, response = login(agent.username, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    page = response.content.decode()
    assert "登录已暂时锁定" in page
    assert f"{settings.AXES_FAILURE_LIMIT} 次" in page
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_a_few_mistakes_do_not_lock(agent):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _, response = login(agent.username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    client, response = login(agent.username, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_one_account_is_locked_whatever_the_address(agent):
    """Guessing from many addresses (a botnet) still locks the account."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(agent.username, "wrong-password", ip=f"198.51.100.{n + 1}")
    client, response = login(agent.username, PASSWORD, ip="192.0.2.99")
    assert response.status_code == 429
    assert not logged_in(client)


def test_one_address_is_locked_whatever_the_account(agent, default_team):
    """Spraying one password over many accounts from one address locks the address."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(f"someone{n}", "wrong-password", ip="203.0.113.50")
    other = make_staff(Role.AGENT, team=default_team)
    client, response = login(other.username, PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429
    assert not logged_in(client)
    # The same account from another address is fine.
    client, response = login(other.username, PASSWORD, ip="203.0.113.51")
    assert response.status_code == 302
    assert logged_in(client)


def test_a_forged_forwarded_for_does_not_escape_the_address_lock(agent):
    """X-Forwarded-For is not believed without a trusted proxy (TRUSTED_PROXY_COUNT=0)."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        client = Client(REMOTE_ADDR="203.0.113.60", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        client.post(LOGIN, {"username": f"sprayed{n}", "password": "x"})
    client = Client(REMOTE_ADDR="203.0.113.60", HTTP_X_FORWARDED_FOR="10.9.9.9")
    response = client.post(LOGIN, {"username": agent.username, "password": PASSWORD})
    assert response.status_code == 429


def test_the_lock_lifts_after_the_cooloff(agent):
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        login(agent.username, "wrong-password")
    assert login(agent.username, PASSWORD)[1].status_code == 429
    past = settings.AXES_COOLOFF_TIME + dt.timedelta(seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - past)
    client, response = login(agent.username, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_admin_login_is_locked_too(default_team):
    admin_user = make_staff(Role.ADMIN, team=default_team)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(admin_user.username, "wrong-password", path="/admin/login/")
    client, response = login(admin_user.username, PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302  # back to the login page


# -- password reset ------------------------------------------------------------------


def reset(email, ip="203.0.113.7"):
    return Client(REMOTE_ADDR=ip).post(RESET, {"email": email})


def test_password_reset_requests_are_limited_per_address(agent):
    mail.outbox.clear()
    for n in range(5):
        assert reset(f"nobody{n}@example.com").status_code == 302
    response = reset(agent.email or "agent@example.com")
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert mail.outbox == []
    # Another address is not affected.
    assert reset("nobody@example.com", ip="203.0.113.8").status_code == 302


def test_password_reset_requests_are_limited_per_email(default_team):
    user = make_staff(Role.AGENT, team=default_team)
    user.email = "victim@example.com"
    user.save(update_fields=["email"])
    mail.outbox.clear()
    for n in range(3):
        assert reset("Victim@Example.com", ip=f"198.51.100.{n}").status_code == 302
    assert len(mail.outbox) == 3
    response = reset("victim@example.com", ip="198.51.100.200")
    assert response.status_code == 429
    assert len(mail.outbox) == 3


@override_settings(PASSWORD_RESET_ENABLED=False)
def test_password_reset_pages_answer_404_when_disabled(agent):
    client = Client()
    assert client.get(RESET).status_code == 404
    assert client.post(RESET, {"email": "a@example.com"}).status_code == 404
    assert client.get("/accounts/password_reset/done/").status_code == 404
    assert client.get("/accounts/reset/MQ/set-password/").status_code == 404
    assert client.get("/accounts/reset/done/").status_code == 404
    # Logging in still works.
    assert login(agent.username, PASSWORD)[1].status_code == 302


def test_password_reset_pages_answer_when_enabled():
    assert Client().get(RESET).status_code == 200
