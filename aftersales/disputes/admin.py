"""Admin for disputes. Status and version are read-only here: lifecycle moves go through
`dispute_apply` at the generic door, like everywhere else, so the lifecycle refuses an
action a workflow owns."""

from django.contrib import admin, messages

from aftersales.common.errors import DomainError

from . import lifecycle, services
from .models import Dispute, Event, Evidence, Task


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    fields = ("at", "kind", "action", "from_status", "to_status", "actor_label", "reason")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None):
        return False


def _make_action(action: lifecycle.Action):
    def apply(modeladmin, request, queryset):
        done = 0
        for dispute in queryset:
            try:
                services.dispute_apply(
                    dispute=dispute, action=action, actor=request.user, version=dispute.version
                )
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"{dispute.number}: {exc.message}", messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{lifecycle.ACTION_LABELS[action]}：{done} 件")

    apply.short_description = f"{lifecycle.ACTION_LABELS[action]}（{action.value}）"
    apply.__name__ = f"apply_{action.value}"
    return apply


# Only generic actions that need no reason or record can be applied in bulk from the
# list (the lifecycle says which); an owned one (propose, settle, escalate, …) never is.
BULK_ACTIONS = lifecycle.plain_actions()


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "status",
        "category",
        "severity",
        "channel",
        "customer",
        "assignee",
        "received_at",
    )
    list_filter = ("status", "category", "severity", "channel", "escalation_risk")
    search_fields = ("number", "external_ref", "order__order_no")
    readonly_fields = (
        "number",
        "status",
        "is_open",
        "version",
        "received_at",
        "closed_at",
        "customer",
        "order",
        "duplicate_of",
        "intake_key",
        "search_text",
    )
    raw_id_fields = ("product", "assignee")
    inlines = [EventInline]
    actions = [_make_action(a) for a in BULK_ACTIONS]
    list_select_related = ("customer", "assignee")

    def has_add_permission(self, request):
        return False  # intake goes through the API, the import or the workbench

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("dispute", "at", "kind", "action", "from_status", "to_status", "actor_label")
    list_filter = ("kind",)
    search_fields = ("dispute__number",)
    list_select_related = ("dispute",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("dispute", "original_name", "kind", "size", "uploaded_at")
    readonly_fields = ("sha256", "size", "content_type", "kind")
    list_select_related = ("dispute",)

    def has_add_permission(self, request):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("dispute", "department", "kind", "title", "state", "due_at")
    list_filter = ("department", "state")
    raw_id_fields = ("dispute",)
