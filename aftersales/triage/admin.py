"""Admin for triage: the routing rules are configuration and stay editable; model
versions (made by `triage retrain`), agents' corrections and group complaints (decided in
the workbench through `group_complaint_decide`, on the timeline) are read-only."""

from django.contrib import admin

from aftersales.common.readonly_admin import ReadOnlyAdmin

from .models import Feedback, GroupComplaint, ModelVersion, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "priority",
        "code",
        "name",
        "is_active",
        "categories",
        "min_severity",
        "escalation_risk",
        "task_department",
        "team",
        "notify_team_lead",
        "notify_management",
    ]
    list_display_links = ["code", "name"]
    list_editable = ["is_active"]
    ordering = ["priority", "id"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "trained_at", "examples", "feedback_examples", "is_active"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["dispute", "category", "severity", "model_version", "actor", "created_at"]
    list_filter = ["category", "severity"]


@admin.register(GroupComplaint)
class GroupComplaintAdmin(ReadOnlyAdmin):
    list_display = ["id", "product_name", "state", "created_at", "decided_by"]
    list_filter = ["state"]
