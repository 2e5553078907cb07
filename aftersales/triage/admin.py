from django.contrib import admin

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
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "trained_at", "examples", "feedback_examples", "is_active"]
    readonly_fields = [f.name for f in ModelVersion._meta.fields]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["dispute", "category", "severity", "model_version", "actor", "created_at"]
    list_filter = ["category", "severity"]
    readonly_fields = [f.name for f in Feedback._meta.fields]


@admin.register(GroupComplaint)
class GroupComplaintAdmin(admin.ModelAdmin):
    list_display = ["id", "product_name", "state", "created_at", "decided_by"]
    list_filter = ["state"]
    readonly_fields = ["created_at", "decided_at", "decided_by"]
