"""The nature of goods (商品性质), which decides returns without reason and other rules:
one vocabulary for the product record and the entitlement engine. No ORM here, so the
engine stays pure."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy


class GoodsKind(TextChoices):
    GENERAL = "general", gettext_lazy("普通商品")
    CUSTOM_MADE = "custom_made", gettext_lazy("定制商品")
    PERISHABLE = "perishable", gettext_lazy("鲜活易腐")
    DIGITAL = "digital", gettext_lazy("数字化商品")
    PERIODICAL = "periodical", gettext_lazy("报纸期刊")
