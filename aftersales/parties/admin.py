"""Admin for parties, and who may use the admin at all: only system administrators
(Role.ADMIN, or a superuser). Every staff user has `is_staff` so that Django's own views
accept them; the admin site itself asks for more. The policy is set here, on the
default site, because the roles live in this app."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import (
    ApiToken,
    BundleComponent,
    Customer,
    Order,
    OrderLine,
    Product,
    StaffProfile,
    Store,
    Team,
)
from .roles import Role
from .selectors import roles_of


def may_use_admin(user) -> bool:
    """Only administrators use the admin; everyone else works in the workbench."""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and Role.ADMIN in roles_of(user)
    )


class AdminsOnlyAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form refuses staff who are not administrators, so a wrong door
    does not even open a session."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not may_use_admin(user):
            raise forms.ValidationError(
                _("只有系统管理员可以登录后台管理，请使用工作台。"), code="not_admin"
            )


admin.site.has_permission = lambda request: may_use_admin(request.user)
admin.site.login_form = AdminsOnlyAuthenticationForm


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "masked_phone", "email", "created_at")
    search_fields = ("name", "phone")


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "platform")


class BundleComponentInline(admin.TabularInline):
    model = BundleComponent
    fk_name = "bundle"
    extra = 0
    raw_id_fields = ("component",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "sku",
        "name",
        "product_category",
        "goods_kind",
        "warranty_days",
        "three_guarantees",
    )
    search_fields = ("sku", "name")
    list_filter = ("goods_kind", "three_guarantees")
    inlines = [BundleComponentInline]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order_no", "store", "customer", "amount_paid", "paid_at", "received_at")
    search_fields = ("order_no", "platform_order_no")
    raw_id_fields = ("customer",)
    inlines = [OrderLineInline]
    list_select_related = ("store", "customer")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "lead", "is_default")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "department", "team", "is_available", "language")
    list_filter = ("department", "team", "is_available", "language")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made by `aftersales token create` (the key is shown once, only its hash
    kept). Here an administrator may relabel or revoke one (set `revoked_at`), never
    create one, hand it to another user, or delete the record of it."""

    list_display = ("prefix", "user", "label", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "key_hash", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
