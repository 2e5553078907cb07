"""Dispute categories and severity (../shared/domain/taxonomy.md): stable codes, Chinese labels."""

from enum import StrEnum


class Category(StrEnum):
    QUALITY = "quality"
    NOT_AS_DESCRIBED = "not_as_described"
    COUNTERFEIT = "counterfeit"
    PRICE_PROMOTION = "price_promotion"
    WRONG_OR_MISSING = "wrong_or_missing"
    SHIPPING_DELAY = "shipping_delay"
    LOGISTICS = "logistics"
    OUT_OF_STOCK = "out_of_stock"
    SERVICE = "service"
    RETURN_REFUND = "return_refund"
    REPAIR_INSTALLATION = "repair_installation"
    OTHER = "other"


CATEGORY_LABELS: dict[Category, str] = {
    Category.QUALITY: "商品质量问题",
    Category.NOT_AS_DESCRIBED: "与描述不符",
    Category.COUNTERFEIT: "假冒伪劣/虚假宣传",
    Category.PRICE_PROMOTION: "价格与促销纠纷",
    Category.WRONG_OR_MISSING: "错发漏发",
    Category.SHIPPING_DELAY: "延迟发货",
    Category.LOGISTICS: "物流问题",
    Category.OUT_OF_STOCK: "缺货",
    Category.SERVICE: "服务态度",
    Category.RETURN_REFUND: "退换货与退款",
    Category.REPAIR_INSTALLATION: "维修与安装",
    Category.OTHER: "其他",
}

CATEGORY_LABELS_EN: dict[Category, str] = {
    Category.QUALITY: "Product quality",
    Category.NOT_AS_DESCRIBED: "Not as described",
    Category.COUNTERFEIT: "Counterfeit / false advertising",
    Category.PRICE_PROMOTION: "Price and promotion",
    Category.WRONG_OR_MISSING: "Wrong or missing items",
    Category.SHIPPING_DELAY: "Shipping delay",
    Category.LOGISTICS: "Logistics",
    Category.OUT_OF_STOCK: "Out of stock",
    Category.SERVICE: "Service attitude",
    Category.RETURN_REFUND: "Returns and refunds",
    Category.REPAIR_INSTALLATION: "Repair and installation",
    Category.OTHER: "Other",
}

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


class Severity(StrEnum):
    GENERAL = "general"
    COMPLEX = "complex"
    MAJOR = "major"


SEVERITY_LABELS: dict[Severity, str] = {
    Severity.GENERAL: "一般",
    Severity.COMPLEX: "复杂",
    Severity.MAJOR: "重大",
}
SEVERITY_LABELS_EN: dict[Severity, str] = {
    Severity.GENERAL: "General",
    Severity.COMPLEX: "Complex",
    Severity.MAJOR: "Major",
}

# Higher is more urgent; stored on the dispute so queues sort in SQL.
SEVERITY_RANK: dict[Severity, int] = {Severity.GENERAL: 1, Severity.COMPLEX: 2, Severity.MAJOR: 3}
