"""Execution becomes the after-sale order (售后单): renamed, its kind now its type."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("fulfilment", "0001_initial")]

    operations = [
        migrations.RemoveIndex(model_name="execution", name="execution_unfinished_idx"),
        migrations.RemoveConstraint(model_name="execution", name="execution_amount_not_negative"),
        migrations.RemoveConstraint(model_name="parcel", name="parcel_once_per_execution"),
        migrations.RenameModel(old_name="Execution", new_name="AfterSaleOrder"),
        migrations.RenameField(
            model_name="parcel", old_name="execution", new_name="aftersale_order"
        ),
        migrations.RenameField(model_name="aftersaleorder", old_name="kind", new_name="type"),
    ]
