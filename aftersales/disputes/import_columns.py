"""The column mapping of `aftersales import` (documented in docs/import.md): which file
columns mean which intake field, and the loose values platform exports write (Chinese
labels, 2026/1/3 dates, amounts in 元) turned into what validate_intake accepts.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.utils import translation

from aftersales.parties.models import Order, Product, Store

from .models import Channel, Expectation

# field: (Chinese label used in messages, other accepted names). The field name itself is
# always accepted. Matching ignores case, spaces, "_" and "-", a leading "*" and a
# trailing unit in brackets: "Order No", "*订单号", "实付金额（元）" all match.
COLUMNS: dict[str, tuple[str, ...]] = {
    "external_ref": ("外部单号", "投诉单号", "售后单号"),
    "channel": ("受理渠道",),
    "order_no": ("订单号", "订单编号"),
    "store": ("店铺名称", "店铺"),
    "store_code": ("店铺编码",),
    "platform": ("平台",),
    "amount_paid": ("实付金额", "支付金额", "订单金额", "paid"),
    "paid_at": ("付款时间", "支付时间"),
    "received_at": ("投诉时间", "受理时间", "申请时间"),
    "occurred_at": ("发生时间",),
    "customer_name": ("顾客姓名", "买家姓名", "收货人"),
    "customer_phone": ("手机号", "联系电话", "买家手机"),
    "customer_email": ("邮箱", "电子邮箱"),
    "product_name": ("商品名称", "商品"),
    "sku": ("商品编码", "SKU"),
    "description": ("问题描述", "投诉内容", "售后原因"),
    "expectation": ("顾客诉求", "诉求"),
    "expectation_text": ("诉求说明",),
    "claimed_amount": ("诉求金额", "申请金额"),
    # The order's own facts (docs/orders.md), used when the row creates the order.
    "platform_order_no": ("线上单号", "平台订单号", "原始单号", "平台单号"),
    "line_no": ("子订单号",),
    "sale_channel": ("销售方式",),
    "payment_channel": ("支付方式", "付款方式"),
    "shipped_at": ("发货时间",),
    "received_on": ("签收日期", "签收时间"),
    "unit_price": ("成交单价", "单价", "商品单价"),
    "quantity": ("数量", "购买数量"),
    "goods_kind": ("商品性质",),
    "three_guarantees": ("三包", "是否三包", "属于三包目录"),
    "warranty_days": ("保修天数",),
    "buyer_account": ("买家账号", "买家旺旺", "买家昵称"),
    "address": ("收货地址",),
    "carrier": ("快递公司", "物流公司"),
    "tracking_no": ("快递单号", "物流单号", "运单号"),
}
REQUIRED = ("order_no", "customer_name", "customer_phone", "description")
LABELS = {name: aliases[0] for name, aliases in COLUMNS.items()}
# validate_intake's error keys, as columns.
ERROR_FIELD = {
    "customer": "customer_name",
    "customer.name": "customer_name",
    "customer.phone": "customer_phone",
    "customer.email": "customer_email",
}
# The order validator's error keys (aftersales.parties.order_input), as columns: a row is
# an order of one line.
ORDER_ERROR_FIELD = {
    "channel": "sale_channel",
    "buyer.account": "buyer_account",
    "lines": "amount_paid",
    "lines.0.line_no": "line_no",
    "lines.0.product": "product_name",
    "lines.0.sku": "sku",
    "lines.0.quantity": "quantity",
    "lines.0.unit_price": "unit_price",
    "lines.0.paid": "amount_paid",
    "lines.0.goods_kind": "goods_kind",
    "lines.0.three_guarantees": "three_guarantees",
    "lines.0.warranty_days": "warranty_days",
}


def column_key(name: object) -> str:
    text = str(name).strip().lstrip("*＊").casefold()
    text = re.sub(r"[（(][^）)]*[）)]$", "", text)
    return re.sub(r"[\s_\-]+", "", text)


FIELD_BY_KEY = {column_key(n): name for name, aliases in COLUMNS.items() for n in (name, *aliases)}


def _lookup(table: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Codes and their Chinese labels (and extra aliases) → code, matched case-insensitively.
    Chinese whatever language is active when this module is first imported."""
    out = {code.casefold(): code for code in table}
    with translation.override("zh-hans"):
        out.update({str(label).casefold(): code for code, label in table.items()})
    out.update({k.casefold(): v for k, v in (extra or {}).items()})
    return out


CHANNEL_CODES = _lookup(dict(Channel.choices), {"邮件": "email", "网页": "portal"})
EXPECTATION_CODES = _lookup(
    dict(Expectation.choices),
    {"仅退款": "refund", "退货": "return_refund", "换新": "exchange", "补寄": "reship"},
)
SALE_CHANNEL_CODES = _lookup(
    dict(Order.SaleChannel.choices),
    {"网购": "online", "直播": "live_stream", "电视": "tv", "电话": "phone", "门店": "offline"},
)
PAYMENT_CODES = _lookup(
    dict(Order.PaymentChannel.choices),
    {"微信": "wechat_pay", "余额": "platform_balance", "银行卡": "bank_quickpay", "花呗": "alipay"},
)
GOODS_KIND_CODES = _lookup(
    dict(Product.GoodsKind.choices),
    {"普通": "general", "定制": "custom_made", "生鲜": "perishable", "数字商品": "digital"},
)
FLAGS = {
    **dict.fromkeys(("是", "y", "yes", "true", "1", "√", "属于"), True),
    **dict.fromkeys(("否", "n", "no", "false", "0", "×", "不属于"), False),
}
PLATFORM_CODES = _lookup(
    dict(Store.Platform.choices),
    {"微信": "wechat", "小程序": "wechat", "官网": "own_site", "线下": "offline", "抖店": "douyin"},
)
# A store name that names its platform: "某某天猫旗舰店" is on Tmall.
_PLATFORM_IN_NAME = (
    ("天猫", "tmall"),
    ("淘宝", "taobao"),
    ("京东", "jd"),
    ("拼多多", "pinduoduo"),
    ("抖音", "douyin"),
    ("快手", "kuaishou"),
    ("小程序", "wechat"),
    ("官网", "own_site"),
    ("门店", "offline"),
)
_CN_TIME = re.compile(
    r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})(?:\s*日)?"
    r"(?:(?:[\sT]+|(?<=日))(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$"
)


def to_code(value: Any, table: Mapping[str, str]) -> str:
    text = "" if value is None else str(value).strip()
    return table.get(text.casefold(), text)


def amount_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().removesuffix("元").strip()
    return value


def time_text(value: Any) -> Any:
    """Dates as Chinese exports write them (2026/1/3 14:30, 2026年1月3日) → ISO 8601."""
    if not isinstance(value, str):
        return value
    text = value.strip().replace("：", ":").replace("时", ":").replace("分", ":")
    m = _CN_TIME.match(text.replace("秒", "").rstrip(":"))
    if not m:
        return value
    y, mo, d, h, mi, s = m.groups()
    text = f"{y}-{int(mo):02d}-{int(d):02d}"
    if h is not None:
        text += f"T{int(h):02d}:{int(mi):02d}:{int(s or 0):02d}"
    return text


def platform_in_name(store: str) -> str:
    return next((code for word, code in _PLATFORM_IN_NAME if word in store), "")
