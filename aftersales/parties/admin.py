from django.contrib import admin

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
    list_display = ("prefix", "user", "label", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
