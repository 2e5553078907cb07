"""Executions recorded before after-sale orders become after-sale orders: numbered per
dispute, their kind mapped to the 售后类型, pending or in progress mapped to the first
state of their flow (done and cancelled stay)."""

from django.db import migrations

TYPE_OF_KIND = {"refund": "refund_shipped", "compensation": "compensation"}
FIRST_STATE = {
    "refund_shipped": "awaiting_finance",
    "compensation": "awaiting_finance",
    "return_refund": "awaiting_return_address",
    "exchange": "awaiting_return_address",
    "repair": "awaiting_return_address",
    "reship": "awaiting_shipment",
}
DEPARTMENT = {
    "awaiting_finance": "finance",
    "awaiting_return_address": "customer_service",
    "awaiting_shipment": "logistics",
}


def forwards(apps, schema_editor):
    AfterSaleOrder = apps.get_model("fulfilment", "AfterSaleOrder")
    Dispute = apps.get_model("disputes", "Dispute")
    numbers = dict(Dispute.objects.filter(aftersale_orders__isnull=False).values_list("pk", "number"))
    seen: dict[int, int] = {}
    for order in AfterSaleOrder.objects.order_by("dispute_id", "created_at", "id").iterator():
        seen[order.dispute_id] = seen.get(order.dispute_id, 0) + 1
        order.number = f"{numbers[order.dispute_id]}-{seen[order.dispute_id]:02d}"
        order.type = TYPE_OF_KIND.get(order.type, order.type)
        if order.state in ("pending", "in_progress"):
            order.state = FIRST_STATE[order.type]
            order.department = DEPARTMENT[order.state]
        order.save(update_fields=["number", "type", "state", "department"])


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0012_event_kind_registered_by_apps"),
        ("fulfilment", "0003_aftersale_orders"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
