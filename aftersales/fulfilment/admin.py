"""Admin for execution: read-only (every write goes through the services, so each one is
on the timeline)."""

from django.contrib import admin

from aftersales.common.readonly_admin import ReadOnlyAdmin, ReadOnlyInline

from .models import AfterSaleOrder, Parcel, Payout, RepairRecord, ReturnInspection


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


class PayoutInline(ReadOnlyInline):
    model = Payout
    fields = ("direction", "amount", "channel", "reference", "state", "paid_at", "bounce_reason")
    readonly_fields = fields


@admin.register(AfterSaleOrder)
class AfterSaleOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "dispute", "type", "state", "department", "amount", "expected_by")
    list_filter = ("state", "type", "department", "payment_channel")
    search_fields = ("number", "dispute__number", "platform_aftersale_no")
    raw_id_fields = ("dispute", "order_line")
    inlines = [ParcelInline, PayoutInline]


@admin.register(Parcel)
class ParcelAdmin(ReadOnlyAdmin):
    list_display = ("tracking_no", "carrier", "direction", "last_movement_at", "delivered_at")
    list_filter = ("direction", "carrier")
    search_fields = ("tracking_no", "aftersale_order__number", "aftersale_order__dispute__number")


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("aftersale_order", "direction", "amount", "channel", "state", "paid_at")
    list_filter = ("state", "direction", "channel")
    search_fields = ("reference", "aftersale_order__number")


@admin.register(ReturnInspection)
class ReturnInspectionAdmin(ReadOnlyAdmin):
    list_display = ("aftersale_order", "passed", "good_quantity", "defective_quantity")
    list_filter = ("passed",)


@admin.register(RepairRecord)
class RepairRecordAdmin(ReadOnlyAdmin):
    list_display = ("aftersale_order", "fault", "technician", "result", "failed", "finished_on")
    list_filter = ("result", "failed")
