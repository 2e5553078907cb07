import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("parties", "0006_saved_view"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ErasureRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("requested_at", models.DateTimeField(verbose_name="申请时间")),
                ("reason", models.TextField(blank=True, verbose_name="申请理由")),
                ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="申请 IP")),
                (
                    "state",
                    models.CharField(
                        choices=[("pending", "待处理"), ("done", "已删除"), ("refused", "已拒绝")],
                        db_index=True,
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="处理时间"),
                ),
                ("decision_note", models.TextField(blank=True, verbose_name="处理说明")),
                ("report", models.JSONField(blank=True, default=dict, verbose_name="处理结果")),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="erasure_requests",
                        to="parties.customer",
                        verbose_name="顾客",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="处理人",
                    ),
                ),
            ],
            options={
                "verbose_name": "个人信息删除申请",
                "verbose_name_plural": "个人信息删除申请",
                "ordering": ["requested_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "pending")),
                        fields=("customer",),
                        name="erasure_one_pending_per_customer",
                    )
                ],
            },
        ),
    ]
