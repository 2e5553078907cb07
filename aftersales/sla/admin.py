"""Admin for the SLA policy and the company calendar. Saving a timer kind or a limit goes
through the policy services, so each change is validated and published as a new policy
version; company days go through their service too (new timers use them at once)."""

from django.contrib import admin

from aftersales.common.readonly_admin import ReadOnlyAdmin

from . import services
from .models import CompanyDay, CompanyYear, PolicyLimit, PolicyVersion, Timer, TimerKind


class PolicyLimitInline(admin.TabularInline):
    model = PolicyLimit
    extra = 0


@admin.register(TimerKind)
class TimerKindAdmin(admin.ModelAdmin):
    list_display = [
        "position",
        "code",
        "name",
        "start_signal",
        "stop_signals",
        "limit",
        "unit",
        "pausable",
        "is_active",
    ]
    list_display_links = ["code", "name"]
    ordering = ["position", "id"]

    def save_model(self, request, obj, form, change):
        services.timer_kind_save(kind=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # running timers refer to their kind; switch it off instead


@admin.register(PolicyLimit)
class PolicyLimitAdmin(admin.ModelAdmin):
    list_display = ["kind", "category", "severity", "channel", "limit", "unit"]
    list_filter = ["kind"]

    def save_model(self, request, obj, form, change):
        services.policy_limit_save(limit=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.policy_limit_delete(limit=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.policy_limit_delete(limit=obj, actor=request.user)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "note", "created_by", "created_at"]


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    """Timers are started, paused, stopped and recomputed by the SLA services only."""

    list_display = ["dispute", "kind", "subject", "state", "started_at", "due_at", "paused_seconds"]
    list_filter = ["state", "kind"]
    search_fields = ["dispute__number"]
    list_select_related = ["dispute", "kind"]


class CompanyCalendarAdmin(admin.ModelAdmin):
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        services.company_day_save(day=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.company_day_delete(day=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.company_day_delete(day=obj, actor=request.user)


@admin.register(CompanyDay)
class CompanyDayAdmin(CompanyCalendarAdmin):
    list_display = ["day", "kind", "note", "created_by", "created_at"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    search_fields = ["note"]


@admin.register(CompanyYear)
class CompanyYearAdmin(CompanyCalendarAdmin):
    list_display = ["year", "note", "created_by", "created_at"]
