"""Production is the default and refuses what is unsafe; `check --deploy` is clean with
the documented production settings (docs/security.md). Each case starts its own
process with only the environment given, as an operator's shell would (items 2, 3)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY = "k3yZ-not-for-real-use-but-long-and-random-enough-9f8e7d6c5b4a3210xyzXYZ"
DEV_KEY = "dev-only-insecure-key-change-me"


def production(tmp_path, **overrides) -> dict[str, str]:
    """The documented production environment (README, docs/security.md)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "AFTERSALES_DATA_DIR": str(tmp_path / "data"),
        "DEBUG": "0",
        "SECRET_KEY": KEY,
        "ALLOWED_HOSTS": "aftersales.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://aftersales.example.com",
        "AFTERSALES_BEHIND_TLS": "1",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": "587",
        "EMAIL_USE_TLS": "1",
        "EMAIL_HOST_USER": "aftersales@example.com",
        "EMAIL_HOST_PASSWORD": "app-password",
        "DEFAULT_FROM_EMAIL": "售后 <aftersales@example.com>",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def aftersales(env, *args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aftersales", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    result = aftersales(production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_without_debug_in_the_environment_it_is_production(tmp_path):
    """DEBUG unset: production, so no key means no start."""
    result = aftersales(production(tmp_path, DEBUG=None, SECRET_KEY=None), "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("key", [DEV_KEY, "django-insecure-abc123"])
def test_production_refuses_the_development_key(tmp_path, key):
    result = aftersales(production(tmp_path, SECRET_KEY=key), "check")
    assert result.returncode != 0
    assert "development key" in result.stderr


@pytest.mark.parametrize("backend", ["console", "locmem", "filebased"])
def test_production_refuses_a_mail_backend_that_leaks_reset_links(tmp_path, backend):
    env = production(tmp_path, EMAIL_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend")
    result = aftersales(env, "check")
    assert result.returncode != 0
    assert "password-reset links" in result.stderr
    # With password reset turned off, the same backend is accepted.
    result = aftersales({**env, "PASSWORD_RESET_ENABLED": "0"}, "check")
    assert result.returncode == 0, result.stderr


def test_development_is_asked_for_explicitly(tmp_path):
    env = production(tmp_path, DEBUG="1", SECRET_KEY=None, AFTERSALES_BEHIND_TLS=None)
    env["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    assert aftersales(env, "check").returncode == 0


def test_the_demo_command_is_development(tmp_path):
    """`aftersales demo` with no DEBUG set starts as development (no key needed)."""
    env = production(tmp_path, DEBUG=None, SECRET_KEY=None)
    result = aftersales(env, "demo", "--help")
    assert result.returncode == 0, result.stderr
    assert "export DEBUG=1" in (ROOT / "scripts" / "demo").read_text()


PROBE = """
import json, django
django.setup()
from django.test import Client
from django.conf import settings
client = Client(HTTP_HOST="aftersales.example.com")
plain = client.get("/accounts/login/")
tls = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location"),
    "status": tls.status_code, "headers": dict(tls.headers),
    "cookies": {k: {"secure": v["secure"], "httponly": v["httponly"]}
                for k, v in tls.cookies.items()},
    "email": [settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT,
              settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER],
}))
"""


def probe(env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "aftersales.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_tls_the_browser_is_kept_on_https(tmp_path):
    seen = probe(production(tmp_path))
    # Plain HTTP reaching the app is sent to HTTPS.
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://aftersales.example.com/accounts/login/"
    assert seen["status"] == 200
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["cookies"]["csrftoken"]["secure"] is True
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert seen["email"] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        587,
        True,
        "aftersales@example.com",
    ]


def test_each_tls_setting_can_be_overridden(tmp_path):
    env = production(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="600")
    env["SECURE_HSTS_PRELOAD"] = "0"
    seen = probe(env)
    assert seen["plain_status"] == 200
    assert seen["headers"]["Strict-Transport-Security"] == "max-age=600; includeSubDomains"
