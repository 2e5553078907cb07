"""Admin for disputes: read-only. Every change of a dispute — its category, severity,
assignee or team as much as its status — goes through a service that writes the timeline
(the workbench and the API call them: `dispute_reclassify`, `dispute_assign`, …), so the
admin edits none of it. Evidence can be neither added, changed nor deleted here. The one
write left is the list's bulk lifecycle moves, through `dispute_apply` at the generic
door like everywhere else, so the lifecycle refuses an action a workflow owns."""

from django.contrib import admin, messages
from django.utils.text import format_lazy

from aftersales.common.errors import DomainError
from aftersales.common.readonly_admin import ReadOnlyAdmin, ReadOnlyInline

from . import lifecycle, services
from .models import Dispute, Event, Evidence, Task


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("at", "kind", "action", "from_status", "to_status", "actor_label", "reason")
    readonly_fields = fields
    ordering = ("at", "id")


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
            modeladmin.message_user(request, f"{action.label}：{done} 件")

    apply.short_description = format_lazy("{}（{}）", action.label, action.value)
    apply.__name__ = f"apply_{action.value}"
    return apply


# Only generic actions that need no reason or record can be applied in bulk from the
# list (the lifecycle says which); an owned one (propose, settle, escalate, …) never is.
BULK_ACTIONS = lifecycle.plain_actions()


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
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
    inlines = [EventInline]
    actions = [_make_action(a) for a in BULK_ACTIONS]
    list_select_related = ("customer", "assignee")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "at", "kind", "action", "from_status", "to_status", "actor_label")
    list_filter = ("kind",)
    search_fields = ("dispute__number",)
    list_select_related = ("dispute",)


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Evidence is kept as received (its SHA-256 proves it): never re-pointed to another
    dispute, replaced or deleted here."""

    list_display = ("dispute", "original_name", "kind", "size", "uploaded_at")
    list_select_related = ("dispute",)
    search_fields = ("dispute__number", "sha256")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    """Department tasks are requested and reported through the services (timeline)."""

    list_display = ("dispute", "department", "kind", "title", "state", "due_at")
    list_filter = ("department", "state")
    search_fields = ("dispute__number",)
    list_select_related = ("dispute",)
