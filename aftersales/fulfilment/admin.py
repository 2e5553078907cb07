"""Admin for execution: read-only lists (writes go through the services, so each one is
on the timeline), with completing an execution as an admin action."""

from django.contrib import admin, messages

from aftersales.common.errors import DomainError

from . import services
from .models import Execution, Parcel


class ParcelInline(admin.TabularInline):
    model = Parcel
    extra = 0
    can_delete = False
    fields = (
        "direction",
        "carrier",
        "tracking_no",
        "shipped_at",
        "last_movement_at",
        "last_movement",
        "delivered_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="标记为已完成")
def complete(modeladmin, request, queryset):
    done = 0
    for execution in queryset:
        try:
            services.execution_complete(execution=execution, actor=request.user)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{execution}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"已完成：{done} 项")


@admin.register(Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = ("dispute", "kind", "state", "amount", "payment_channel", "expected_by")
    list_filter = ("state", "kind", "payment_channel")
    search_fields = ("dispute__number",)
    raw_id_fields = ("dispute",)
    readonly_fields = [f.name for f in Execution._meta.fields]
    inlines = [ParcelInline]
    actions = [complete]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Parcel)
class ParcelAdmin(admin.ModelAdmin):
    list_display = ("tracking_no", "carrier", "direction", "last_movement_at", "delivered_at")
    list_filter = ("direction", "carrier")
    search_fields = ("tracking_no", "execution__dispute__number")
    readonly_fields = [f.name for f in Parcel._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
