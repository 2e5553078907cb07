"""Settings, read from the environment with safe development defaults.

DATABASE_URL   sqlite:///path or postgres://user@host:5432/name (default: SQLite in var/)
SECRET_KEY     required when DEBUG is off
DEBUG          "1"/"0" (default 1 for development)
ALLOWED_HOSTS  comma-separated (default 127.0.0.1,localhost)
AFTERSALES_DATA_DIR  where SQLite and uploaded evidence live (default ./var)
EVIDENCE_MAX_BYTES   evidence upload limit (default 50 MB)
CONN_MAX_AGE   seconds a database connection is kept between requests (default 60)
PG_PREPARE_THRESHOLD  PostgreSQL: runs of a statement before it is prepared (default 5;
               "none": never)
EMAIL_BACKEND  Django mail backend for staff e-mail (default: the console)
SITE_URL       base of the links in e-mails (default http://127.0.0.1:8000)
SLA_AT_RISK_RATIO    share of a time limit after which a timer warns (default 0.8)
DAILY_CHECK_PARCEL_STALE_DAYS  days without tracking movement before a parcel is listed (default 3)
MEDIATION_AUTHORITY_CEILINGS  yuan a role may grant alone: "agent=200,team_lead=400,supervisor=600"
DEFAULT_FROM_EMAIL   sender of staff e-mail
"""

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
DATA_DIR = Path(os.environ.get("AFTERSALES_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-change-me"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

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
    "aftersales.parties",
    "aftersales.disputes",
    "aftersales.notifications",
    "aftersales.triage",
    "aftersales.sla",
    "aftersales.mediation",
    "aftersales.fulfilment",
    "aftersales.jobs",
    "aftersales.api",
    "aftersales.workbench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "aftersales.api.middleware.ApiErrorShapeMiddleware",
    "aftersales.common.nostore.NoStoreMiddleware",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

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
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Evidence uploads: the limit is ours; Django's own in-memory limit only decides when
# an upload spills to a temporary file.
# Background tasks (django-tasks) are stored in the database and run by `aftersales worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# A running timer is "at risk" once this share of its limit is used (SPEC §4 warning).
SLA_AT_RISK_RATIO = float(os.environ.get("SLA_AT_RISK_RATIO", "0.8"))
DAILY_CHECK_PARCEL_STALE_DAYS = int(os.environ.get("DAILY_CHECK_PARCEL_STALE_DAYS", "3"))


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
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# The default mediation team new disputes land in until triage routes them.
AFTERSALES_DEFAULT_TEAM = os.environ.get("AFTERSALES_DEFAULT_TEAM", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
