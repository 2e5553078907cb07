from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("fulfilment", "0004_aftersale_orders_from_executions")]

    operations = [
        migrations.AlterField(
            model_name="aftersaleorder",
            name="number",
            field=models.CharField(max_length=40, unique=True, verbose_name="售后单号"),
        ),
    ]
