"""Reads about staff (their roles, teams and departments) and orders."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound

from .models import ApiToken, BundleComponent, Order, OrderLine, Team
from .roles import TASK_DEPARTMENT_OF_ROLE, Department, Role


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[Role]:
    """The SPEC §1 roles a user holds (Django groups named by role code). Cached on the
    user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_aftersales_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(Role(n) for n in names if n in Role.__members__.values())
        if user.is_superuser:
            cached = cached | {Role.ADMIN}
        user._aftersales_roles = cached
    return cached


def team_ids_of(user) -> frozenset[int]:
    cached = getattr(user, "_aftersales_team_ids", None)
    if cached is None:
        # The teams they lead and the one they belong to, in one read.
        teams = Team.objects.filter(Q(lead=user) | Q(members__user=user))
        cached = frozenset(teams.values_list("id", flat=True))
        user._aftersales_team_ids = cached
    return cached


def task_departments_of(user) -> frozenset[Department]:
    return frozenset(
        TASK_DEPARTMENT_OF_ROLE[r] for r in roles_of(user) if r in TASK_DEPARTMENT_OF_ROLE
    )


def user_for_token(key: str):
    """The active user a bearer token belongs to, or None."""
    if not key:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__staff_profile")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def order_detail(*, order_no: str) -> Order:
    """An order with its store, buyer, lines, products and their bundle components (for
    GET /api/v1/orders/{order_no}); NotFound when unknown. Who may read orders is the
    caller's check."""
    components = BundleComponent.objects.select_related("component").order_by("id")
    lines = OrderLine.objects.select_related("product").order_by("id")
    order = (
        Order.objects.select_related("store", "customer")
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch("lines__product__bundle_components", queryset=components),
        )
        .filter(order_no=order_no)
        .first()
    )
    if order is None:
        raise NotFound(_("找不到订单 %(order_no)s") % {"order_no": order_no})
    return order
