"""Settings, read from the environment. Production is the default: development (DEBUG)
is asked for explicitly — `scripts/demo`, `aftersales demo` and the test settings do.
Every variable is listed, with its default, in README.md; docs/security.md explains the
security ones.

DATABASE_URL   sqlite:///path or postgres://user@host:5432/name (default: SQLite in var/)
DEBUG          "1"/"0" (default 0: production)
SECRET_KEY     required when DEBUG is off, and not the development key
ALLOWED_HOSTS  comma-separated (default 127.0.0.1,localhost,testserver)
AFTERSALES_DATA_DIR  where SQLite and uploaded evidence live (default ./var)
AFTERSALES_BEHIND_TLS  "1": served over HTTPS by a proxy; turns on the secure set below
  SECURE_PROXY_SSL_HEADER ("1", "0" or HEADER=value), SECURE_SSL_REDIRECT,
  SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD,
  SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE, TRUSTED_PROXY_COUNT (each overridable)
CSRF_TRUSTED_ORIGINS  comma-separated origins, e.g. https://aftersales.example.com
REDIS_URL      cache for rate limits, e.g. redis://127.0.0.1:6379/0 (default: files in
               AFTERSALES_DATA_DIR/cache, shared by the processes of one host)
RATE_LIMITS    overrides, "scope=count/period,...", e.g. contact_reveal_day=50/day
LOGIN_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES  login lockout (default 5 failures, 15 minutes)
EVIDENCE_MAX_BYTES   evidence upload limit (default 50 MB)
PRIVACY_RETENTION_DAYS  days after closure before `aftersales privacy erase` anonymises a
               dispute (default 1095, three years)
CONN_MAX_AGE   seconds a database connection is kept between requests (default 60)
PG_PREPARE_THRESHOLD  PostgreSQL: runs of a statement before it is prepared (default 5;
               "none": never)
EMAIL_BACKEND  Django mail backend (default: SMTP; the console when DEBUG is on)
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL,
EMAIL_TIMEOUT  the SMTP server
PASSWORD_RESET_ENABLED  "0" turns staff password reset by e-mail off (its pages answer 404)
SITE_URL       base of the links in e-mails (default http://127.0.0.1:8000)
AFTERSALES_PUBLIC_URL  base of the links customers get (the portal; default SITE_URL)
AFTERSALES_SMS_BACKEND  dotted path of the SMS sender: the development one (a JSON line per
               text in AFTERSALES_SMS_DEV_FILE, default var/sms-outbox.jsonl, and the log)
               when DEBUG; aftersales.notifications.sms.aliyun.AliyunSms with
               AFTERSALES_SMS_ALIYUN_ACCESS_KEY_ID, _ACCESS_KEY_SECRET, _SIGN_NAME,
               _SIGN_NAMES (approved store signatures), _TEMPLATE_CODE, _TEMPLATE_PARAM
               (content), _REGION (cn-hangzhou), _ENDPOINT; none in production: refused, the
               message marked failed, never dropped
AFTERSALES_SMS_SIGNATURE  【…】 of texts whose dispute names no store (default 【售后服务】)
AFTERSALES_SMS_TIMEOUT  seconds an SMS gateway call may take (default 10)
SLA_AT_RISK_RATIO    share of a time limit after which a timer warns (default 0.8)
DAILY_CHECK_PARCEL_STALE_DAYS  days without tracking movement before a parcel is listed (default 3)
AFTERSALES_RETURN_ADDRESS  where customers send returns, repairs and exchanges (no default:
               given per after-sale order when unset)
EXCHANGE_RECEIPT_EXTENSION_DAYS  days an exchange extends the order's receipt deadline (7)
SHIPPING_INSURANCE_PAYOUT_HOURS  hours after a refund within which 运费险 pays (default 72)
MEDIATION_AUTHORITY_CEILINGS  yuan a role may grant alone: "agent=200,team_lead=400,supervisor=600"
DEFAULT_FROM_EMAIL   sender of staff e-mail
"""

import os
import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(os.environ.get("AFTERSALES_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# The key development runs with. It is public (it is in this file): a production process
# refuses it, as it refuses no key at all.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (production). Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is the public development key; set a secret one when DEBUG is off."
        )
elif not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- HTTPS (docs/security.md). One switch for a site served over TLS by a proxy
# (nginx, a load balancer) that sets X-Forwarded-Proto; each setting can still be set.
BEHIND_TLS = env_bool("AFTERSALES_BEHIND_TLS", False)
_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if "=" in _proxy_header:
    _name, _value = (p.strip() for p in _proxy_header.split("=", 1))
    SECURE_PROXY_SSL_HEADER = (_name, _value)
elif env_bool("SECURE_PROXY_SSL_HEADER", BEHIND_TLS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
else:
    SECURE_PROXY_SSL_HEADER = None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or (31536000 if BEHIND_TLS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", BEHIND_TLS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", BEHIND_TLS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", BEHIND_TLS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", BEHIND_TLS)
# Proxies in front of the app whose X-Forwarded-For is believed (the client address of
# rate limits and login lockout); 0: the TCP peer is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or (1 if BEHIND_TLS else 0))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django_htmx",
    # Django Ninja's own static files: the API docs load Swagger UI from here, not from
    # a CDN with an inline script (the Content-Security-Policy allows neither).
    "ninja",
    "aftersales.parties",
    "aftersales.disputes",
    "aftersales.notifications",
    "aftersales.triage",
    "aftersales.sla",
    "aftersales.mediation",
    "aftersales.fulfilment",
    "aftersales.jobs",
    "aftersales.followup",
    "aftersales.intake",
    "aftersales.privacy",
    "aftersales.api",
    "aftersales.workbench",
    "aftersales.portal",
    "aftersales.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A logged-in staff user's chosen language (StaffProfile.language) over the browser's.
    "aftersales.workbench.language.UserLanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "aftersales.api.middleware.ApiErrorShapeMiddleware",
    "aftersales.common.nostore.NoStoreMiddleware",
    # Last, as django-axes requires: it answers a locked-out login with its page (429).
    "axes.middleware.AxesMiddleware",
]

# django-axes first: a locked-out account or address is refused before its password is
# checked (admin and workbench log in through the same backends).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide pages (password reset) before the apps' (the admin's would win).
        "DIRS": [BASE_DIR / "aftersales" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "aftersales.workbench.context.workbench",
            ],
        },
    },
]

# Plain inputs, text areas and selects written in Python with the markup Django's own
# widget templates write (a third of the dispute page's time went to widget includes).
FORM_RENDERER = "aftersales.common.widget_renderer.WidgetRenderer"

_default_db = f"sqlite:///{DATA_DIR / 'aftersales.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue on the busy timeout instead of failing midway.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
# Keep connections across requests (dj-database-url writes CONN_MAX_AGE=0 itself, so set
# it, not setdefault); a connection found dead is replaced before use. On SQLite too:
# opening and closing the file per request cost ≈ 1.5 ms of an API intake's CPU, and a
# kept connection keeps its compiled statements.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement run PG_PREPARE_THRESHOLD times on a
    # connection prepared there: PostgreSQL stops parsing and planning the same intake
    # statements again (≈ 1.7 ms of its CPU per API intake). "none" turns preparing off
    # (for a transaction-pooling PgBouncer before 1.21).
    _prepare = os.environ.get("PG_PREPARE_THRESHOLD", "5").strip().lower()
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": True,
            "prepare_threshold": None if _prepare in ("", "none", "off") else int(_prepare),
            # A prepared statement still planned for each execution's values: a generic
            # plan scans a whole index for a rare search term or a narrow filter (issue 13:
            # 6 ms → 590 ms). Behind PgBouncer, which refuses this startup option, set it
            # on the role instead: ALTER ROLE … SET plan_cache_mode = force_custom_plan.
            # No JIT: it compiled for 41 ms to save less on a capped count over a million
            # disputes (issue 13); these are short statements.
            "options": "-c plan_cache_mode=force_custom_plan -c jit=off",
        }
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "aftersales" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/workbench/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Links in e-mails to staff point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "售后纠纷管理系统 <aftersales@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- E-mail (docs/security.md). Production sends through SMTP; development prints.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT") or 30)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive; set one.")

# Staff reset their password by e-mail (/accounts/password_reset/). The message holds a
# link that logs in as the user: a backend that writes mail to the console, a file or
# memory hands that link to whoever reads the logs. Production refuses them unless reset
# is off (its pages then answer 404).
PASSWORD_RESET_ENABLED = env_bool("PASSWORD_RESET_ENABLED", True)
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT") or 3 * 3600)
LEAKY_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    }
)
if not DEBUG and PASSWORD_RESET_ENABLED and EMAIL_BACKEND in LEAKY_EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={EMAIL_BACKEND} writes password-reset links where others read them. "
        "With DEBUG off, configure SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, "
        "EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or EMAIL_USE_SSL) or set PASSWORD_RESET_ENABLED=0."
    )

# Evidence uploads: the limit is ours; Django's own in-memory limit only decides when
# an upload spills to a temporary file.
# Background tasks (django-tasks) are stored in the database and run by `aftersales worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task whose worker has sent no heartbeat for this long is queued again (docs/operations.md);
# after TASK_MAX_ATTEMPTS lost attempts it is marked failed with the reason.
TASK_STALE_AFTER_SECONDS = int(os.environ.get("TASK_STALE_AFTER_SECONDS", "300"))
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))

# A running timer is "at risk" once this share of its limit is used (SPEC §4 warning).
SLA_AT_RISK_RATIO = float(os.environ.get("SLA_AT_RISK_RATIO", "0.8"))
DAILY_CHECK_PARCEL_STALE_DAYS = int(os.environ.get("DAILY_CHECK_PARCEL_STALE_DAYS", "3"))
# Execution (issue 12): the return address, the exchange's receipt-deadline extension
# (SPEC §7: 5–7 days), the 运费险 payout window; refund arrival ranges per payment channel
# are fulfilment.rules' (REFUND_ARRIVAL_DAYS = {"credit_card": (3, 7)} overrides one).
AFTERSALES_RETURN_ADDRESS = os.environ.get("AFTERSALES_RETURN_ADDRESS", "").strip()

# Customer messages (aftersales.notifications): where their links point, and the SMS sender.
AFTERSALES_PUBLIC_URL = os.environ.get("AFTERSALES_PUBLIC_URL", "").rstrip("/")
AFTERSALES_SMS_BACKEND = os.environ.get("AFTERSALES_SMS_BACKEND", "")
AFTERSALES_SMS_DEV_FILE = os.environ.get(
    "AFTERSALES_SMS_DEV_FILE", str(DATA_DIR / "sms-outbox.jsonl")
)
AFTERSALES_SMS_SIGNATURE = os.environ.get("AFTERSALES_SMS_SIGNATURE", "【售后服务】")
AFTERSALES_SMS_TIMEOUT = float(os.environ.get("AFTERSALES_SMS_TIMEOUT") or 10)
AFTERSALES_SMS_ALIYUN_ENDPOINT = os.environ.get(
    "AFTERSALES_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/"
)
AFTERSALES_SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("AFTERSALES_SMS_ALIYUN_ACCESS_KEY_ID", "")
AFTERSALES_SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get(
    "AFTERSALES_SMS_ALIYUN_ACCESS_KEY_SECRET", ""
)
AFTERSALES_SMS_ALIYUN_SIGN_NAME = os.environ.get("AFTERSALES_SMS_ALIYUN_SIGN_NAME", "")
AFTERSALES_SMS_ALIYUN_SIGN_NAMES = os.environ.get("AFTERSALES_SMS_ALIYUN_SIGN_NAMES", "")
AFTERSALES_SMS_ALIYUN_TEMPLATE_CODE = os.environ.get("AFTERSALES_SMS_ALIYUN_TEMPLATE_CODE", "")
AFTERSALES_SMS_ALIYUN_TEMPLATE_PARAM = os.environ.get(
    "AFTERSALES_SMS_ALIYUN_TEMPLATE_PARAM", "content"
)
AFTERSALES_SMS_ALIYUN_REGION = os.environ.get("AFTERSALES_SMS_ALIYUN_REGION", "cn-hangzhou")
EXCHANGE_RECEIPT_EXTENSION_DAYS = int(os.environ.get("EXCHANGE_RECEIPT_EXTENSION_DAYS", "7"))
SHIPPING_INSURANCE_PAYOUT_HOURS = int(os.environ.get("SHIPPING_INSURANCE_PAYOUT_HOURS", "72"))


def env_ceilings(name: str) -> dict[str, str]:
    """`role=yuan,role=yuan` → {role: "yuan"}; the roles not named keep their defaults."""
    ceilings: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in os.environ.get(name, "").split(","))):
        role, sep, amount = part.partition("=")
        if not sep or not role.strip() or not amount.strip():
            raise ImproperlyConfigured(f"{name}: expected role=yuan, got {part!r}")
        try:
            if Decimal(amount.strip()) < 0:
                raise InvalidOperation
        except InvalidOperation:
            raise ImproperlyConfigured(
                f"{name}: {amount.strip()!r} is not an amount in yuan"
            ) from None
        ceilings[role.strip()] = amount.strip()
    return ceilings


# What each role may grant on its own (权限管理, SPEC §6); above it a higher role approves.
# Defaults (agent 200, team lead 400, supervisor 600 yuan) are in mediation/authority.py.
MEDIATION_AUTHORITY_CEILINGS = env_ceilings("MEDIATION_AUTHORITY_CEILINGS")

# Retrained triage models (`aftersales triage retrain`); the base model ships in the package.
TRIAGE_MODEL_STORE = DATA_DIR / "triage-models"
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 50 * 1024 * 1024))
# Personal data of a closed dispute is anonymised by `aftersales privacy erase` only this
# many days after closure (电子商务法 §31: transaction records kept ≥ 3 years).
PRIVACY_RETENTION_DAYS = int(os.environ.get("PRIVACY_RETENTION_DAYS", 3 * 365))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# The default mediation team new disputes land in until triage routes them.
AFTERSALES_DEFAULT_TEAM = os.environ.get("AFTERSALES_DEFAULT_TEAM", "")

# --- Cache: rate-limit counters. Redis when REDIS_URL is set (several hosts, or many
# processes); otherwise files under AFTERSALES_DATA_DIR, shared by the processes of one
# host (a fresh machine needs no Redis).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aftersales",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
RATE_LIMIT_CACHE = "default"


def env_rates(name: str, defaults: dict[str, str]) -> dict[str, str]:
    """`scope=count/period,...` over the defaults; an unknown scope or rate fails at start
    (the grammar of aftersales.api.throttling.parse_rate)."""
    rates = dict(defaults)
    for part in env_list(name):
        scope, sep, rate = (p.strip() for p in part.partition("="))
        if not sep or scope not in defaults:
            known = ", ".join(sorted(defaults))
            raise ImproperlyConfigured(f"{name}: {part!r} is not scope=rate (scopes: {known})")
        if not re.fullmatch(r"off|none|[1-9]\d*/\d*(s|sec|m|min|h|hour|d|day)", rate.lower()):
            raise ImproperlyConfigured(f"{name}: {rate!r} is not count/period, e.g. 10/min")
        rates[scope] = rate
    return rates


# --- Rate limits (docs/security.md): "count/period" (s, min, hour, day; "5/10min"), "off".
RATE_LIMIT_DEFAULTS = {
    # The customer's endpoints (X-Customer-Token), per client IP.
    "customer_ip_minute": "60/min",
    "customer_ip_hour": "600/hour",
    # Accepting a proposal (with the one-time code): per dispute, and per IP.
    "customer_code_dispute": "10/hour",
    "customer_code_ip": "30/hour",
    # Staff reading a customer's full phone number and address, per user.
    "contact_reveal_minute": "10/min",
    "contact_reveal_day": "100/day",
    # Password-reset requests: per client IP, and per e-mail address asked for.
    "password_reset_ip": "5/hour",
    "password_reset_email": "3/hour",
}
RATE_LIMITS = env_rates("RATE_LIMITS", RATE_LIMIT_DEFAULTS)

# --- Login lockout (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one
# username, or from one client address, further tries are refused (429) for
# LOGIN_COOLOFF_MINUTES, even with the right password. `aftersales axes_reset_username
# NAME` / `axes_reset_ip IP` lift a lockout early.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT") or 5)
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES") or 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "aftersales.api.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "aftersales.accounts.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
AXES_SENSITIVE_PARAMETERS = ["password"]

# --- Content-Security-Policy (django-csp 4). Our pages load scripts and styles from our
# own static files only; no inline script, style element or style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
