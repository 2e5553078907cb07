"""Admin for the customer outbox: read-only. A message is written by the service that
sends it (and recorded on the timeline there) and delivered by the worker; the stored
text never holds a customer link or a one-time code (they exist only in what is handed
to the channel, see delivery.message_deliver)."""

from django.contrib import admin

from aftersales.common.readonly_admin import ReadOnlyAdmin

from .models import OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "dispute",
        "channel",
        "template",
        "state",
        "failure",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("channel", "state", "failure", "template")
    search_fields = ("dispute__number",)
    list_select_related = ("dispute",)
