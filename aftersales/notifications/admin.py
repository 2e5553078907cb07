from django.contrib import admin

from .models import OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("dispute", "channel", "template", "state", "created_at")
    list_filter = ("channel", "state", "template")
    readonly_fields = ("dispute", "customer", "body")
