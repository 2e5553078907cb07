"""Dispute categories and severity (../shared/domain/taxonomy.md): stable codes, labels in
Chinese through gettext (`Category.QUALITY.label`, English in the catalogue)."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy, pgettext_lazy


class Category(TextChoices):
    QUALITY = "quality", gettext_lazy("商品质量问题")
    NOT_AS_DESCRIBED = "not_as_described", gettext_lazy("与描述不符")
    COUNTERFEIT = "counterfeit", gettext_lazy("假冒伪劣/虚假宣传")
    PRICE_PROMOTION = "price_promotion", gettext_lazy("价格与促销纠纷")
    WRONG_OR_MISSING = "wrong_or_missing", gettext_lazy("错发漏发")
    SHIPPING_DELAY = "shipping_delay", gettext_lazy("延迟发货")
    LOGISTICS = "logistics", gettext_lazy("物流问题")
    OUT_OF_STOCK = "out_of_stock", gettext_lazy("缺货")
    SERVICE = "service", gettext_lazy("服务态度")
    RETURN_REFUND = "return_refund", gettext_lazy("退换货与退款")
    REPAIR_INSTALLATION = "repair_installation", gettext_lazy("维修与安装")
    OTHER = "other", gettext_lazy("其他")


# The order in which a handler must act when a text names several problems.
PRIMARY_PRECEDENCE: tuple[Category, ...] = (
    Category.COUNTERFEIT,
    Category.QUALITY,
    Category.NOT_AS_DESCRIBED,
    Category.WRONG_OR_MISSING,
    Category.RETURN_REFUND,
    Category.REPAIR_INSTALLATION,
    Category.PRICE_PROMOTION,
    Category.SHIPPING_DELAY,
    Category.LOGISTICS,
    Category.OUT_OF_STOCK,
    Category.SERVICE,
    Category.OTHER,
)


class Severity(TextChoices):
    GENERAL = "general", pgettext_lazy("severity", "一般")
    COMPLEX = "complex", pgettext_lazy("severity", "复杂")
    MAJOR = "major", pgettext_lazy("severity", "重大")


# Higher is more urgent; stored on the dispute so queues sort in SQL.
SEVERITY_RANK: dict[Severity, int] = {Severity.GENERAL: 1, Severity.COMPLEX: 2, Severity.MAJOR: 3}
