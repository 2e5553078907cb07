"""Writes about customers, staff and API tokens."""

import secrets
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Forbidden, NotFound, ValidationFailed

from .models import ApiToken, Customer, StaffProfile, Team
from .roles import HOME_DEPARTMENT_OF_ROLE, Role


def customer_for_intake(customer, *, known: Customer | None = None) -> Customer:
    """The customer record for a complainant, found by phone or created. An existing
    record keeps its name (the intake event records the name as given); a missing e-mail
    is filled in. `known` (usually the order's buyer) is used without a query when the
    phone is theirs."""
    email = customer.email or ""
    if known is not None and known.phone == customer.phone:
        if email and not known.email:
            Customer.objects.filter(pk=known.pk).update(email=email)
            known.email = email
        return known
    # One INSERT … ON CONFLICT … RETURNING finds or creates the record and fills a missing
    # e-mail, atomically on both databases: no check-then-act, no savepoint.
    table = connection.ops.quote_name(Customer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, phone, email, created_at) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (phone) DO UPDATE SET email = CASE WHEN {table}.email = '' "
            f"THEN excluded.email ELSE {table}.email END RETURNING id, name, email",
            [customer.name, customer.phone, email, timezone.now()],
        )
        pk, name, stored_email = cursor.fetchone()
    return Customer.from_db(
        connection.alias, ["id", "name", "phone", "email"], [pk, name, customer.phone, stored_email]
    )


def ensure_role_groups() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    role: Role,
    display_name: str = "",
    team: Team | None = None,
    email: str = "",
    language: str = "",
):
    """A staff user with one role (a Django group), home department and team;
    `language` is for their e-mails (blank: the system's default)."""
    ensure_role_groups()
    user_model = get_user_model()
    user = user_model.objects.create_user(
        username=username,
        password=password,
        email=email,
        is_staff=True,
        is_superuser=role == Role.ADMIN,
    )
    user.groups.add(Group.objects.get(name=role.value))
    StaffProfile.objects.create(
        user=user,
        department=HOME_DEPARTMENT_OF_ROLE[role],
        team=team,
        display_name=display_name,
        language=language,
    )
    if role == Role.TEAM_LEAD and team is not None and team.lead_id is None:
        Team.objects.filter(pk=team.pk).update(lead=user)
    return user


def token_create(*, user, label: str = "") -> str:
    """Create a bearer token and return it; only its hash is kept."""
    key = "as_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash_key(key), prefix=key[:8], label=label)
    return key


# Who may make or revoke whose tokens is decided above this app
# (aftersales.disputes.permissions.can_manage_api_tokens, which parties may not import):
# callers pass that predicate as `allowed(actor, owner) -> bool`.
TokenPermission = Callable[[object, object], bool]


def token_issue(*, actor, owner, label: str, allowed: TokenPermission) -> tuple[ApiToken, str]:
    """A new token of `owner`, made by `actor`: (its record, the token itself). The token
    is returned this once; only its hash is kept."""
    if not allowed(actor, owner):
        raise Forbidden(_("无权为该用户创建 API 令牌"))
    if not owner.is_active:
        raise ValidationFailed(_("该用户已停用"), fields={"owner": _("该用户已停用")})
    label = (label or "").strip()
    if len(label) > ApiToken._meta.get_field("label").max_length:
        raise ValidationFailed(_("用途太长"), fields={"label": _("用途最多 100 个字")})
    key = token_create(user=owner, label=label)
    return ApiToken.objects.get(key_hash=ApiToken.hash_key(key)), key


def token_revoke(*, actor, token_id: int, allowed: TokenPermission) -> ApiToken:
    """Revoke a token (sets revoked_at; the API refuses it from the next request on).
    Revoking one already revoked changes nothing."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("没有这个令牌"))
    if not allowed(actor, token.user):
        raise Forbidden(_("无权吊销该令牌"))
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
    return token
