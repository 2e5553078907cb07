"""API authentication: `Authorization: Bearer <token>` for clients, the Django session
(with CSRF) for the web."""

import datetime as dt
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from aftersales.common.fastinsert import from_row
from aftersales.parties.models import ApiToken, StaffProfile
from aftersales.parties.roles import Role

# The user fields a request reads; the others load on first access (none on the API's
# hot paths). Revocation, deactivation and role changes count at the next request: the
# token, its user, profile and roles are read together, in one statement, every time.
USER_FIELDS = ("id", "username", "email", "is_active", "is_superuser", "is_staff")
PROFILE_FIELDS = ("id", "user_id", "department", "team_id", "display_name", "is_available")
BOOLEAN = frozenset({"is_active", "is_superuser", "is_staff", "is_available"})
ROLE_CODES = frozenset(r.value for r in Role)
_sql: str | None = None


def _token_sql() -> str:
    global _sql
    if _sql is None:
        q = connection.ops.quote_name
        user = get_user_model()
        groups = user._meta.get_field("groups")
        through = groups.remote_field.through._meta
        group_table = groups.related_model._meta.db_table
        _sql = (
            "SELECT t.id, t.last_used_at, "
            + ", ".join(f"u.{q(c)}" for c in USER_FIELDS)
            + ", "
            + ", ".join(f"p.{q(c)}" for c in PROFILE_FIELDS)
            + f", g.name FROM {q(ApiToken._meta.db_table)} t "
            f"JOIN {q(user._meta.db_table)} u ON u.id = t.user_id "
            f"LEFT JOIN {q(StaffProfile._meta.db_table)} p ON p.user_id = u.id "
            f"LEFT JOIN {q(through.db_table)} ug ON ug.{q(groups.m2m_column_name())} = u.id "
            f"LEFT JOIN {q(group_table)} g ON g.id = ug.{q(groups.m2m_reverse_name())} "
            f"WHERE t.key_hash = %s AND t.revoked_at IS NULL"
        )
    return _sql


def _datetime(value) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = parse_datetime(value)
    # SQLite answers naive UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _model(model, names: tuple[str, ...], values) -> object:
    return from_row(
        model,
        **{n: bool(v) if n in BOOLEAN else v for n, v in zip(names, values, strict=True)},
    )


def user_for_bearer(key: str):
    """(token id, last used, user) for an unrevoked token of an active user, or None.
    The user comes with its staff profile and roles (as `roles_of` caches them)."""
    if not key:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [ApiToken.hash_key(key)])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    n_user = len(USER_FIELDS)
    user = _model(get_user_model(), USER_FIELDS, first[2 : 2 + n_user])
    if not user.is_active:
        return None
    profile_values = first[2 + n_user : 2 + n_user + len(PROFILE_FIELDS)]
    profile = None
    if profile_values[0] is not None:
        profile = _model(StaffProfile, PROFILE_FIELDS, profile_values)
    StaffProfile._meta.get_field("user").remote_field.set_cached_value(user, profile)
    roles = frozenset(Role(row[-1]) for row in rows if row[-1] in ROLE_CODES)
    user._aftersales_roles = roles | {Role.ADMIN} if user.is_superuser else roles
    return first[0], _datetime(first[1]), user


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        found = user_for_bearer(token)
        if found is None:
            return None
        token_id, last_used_at, user = found
        now = timezone.now()
        if last_used_at is None or now - last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        request.user = user
        return user


class Session(APIKeyCookie):
    """The logged-in web session. CSRF is checked only when a session user is present,
    so a request with neither gets 401, not a CSRF 403."""

    param_name = "sessionid"

    def _get_key(self, request):
        if request.user.is_authenticated and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request):
                from ninja.errors import HttpError

                raise HttpError(403, "csrf_failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None
