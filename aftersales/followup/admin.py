"""Admin for follow-up visits: read-only (every write goes through `visits`, so each one
is on the timeline and moves the dispute through the lifecycle)."""

from django.contrib import admin

from aftersales.common.readonly_admin import ReadOnlyAdmin

from .models import FollowUpVisit


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(ReadOnlyAdmin):
    list_display = ("dispute", "state", "due_at", "reached", "satisfaction", "result", "attempts")
    list_filter = ("state", "result", "channel", "satisfaction")
    search_fields = ("dispute__number",)
    raw_id_fields = ("dispute", "recorded_by")
