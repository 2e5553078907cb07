"""Admin for execution: read-only lists (writes go through the services, so each one is
on the timeline), with completing an execution as an admin action."""

from django.contrib import admin, messages

from aftersales.common.errors import DomainError
from aftersales.common.readonly_admin import ReadOnlyAdmin, ReadOnlyInline

from . import services
from .models import Execution, Parcel


class ParcelInline(ReadOnlyInline):
    model = Parcel
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
class ExecutionAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "kind", "state", "amount", "payment_channel", "expected_by")
    list_filter = ("state", "kind", "payment_channel")
    search_fields = ("dispute__number",)
    raw_id_fields = ("dispute",)
    inlines = [ParcelInline]
    actions = [complete]


@admin.register(Parcel)
class ParcelAdmin(ReadOnlyAdmin):
    list_display = ("tracking_no", "carrier", "direction", "last_movement_at", "delivered_at")
    list_filter = ("direction", "carrier")
    search_fields = ("tracking_no", "execution__dispute__number")
