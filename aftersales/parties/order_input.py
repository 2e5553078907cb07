"""Validation of an order as the API, intake and the import receive it (docs/orders.md).

`read_order` takes loose JSON-like values and returns a frozen `OrderInput` together with
every problem found, each under its field path (`lines.0.paid`), so that a caller can
merge them with its own; `parse_order` raises them as one ValidationFailed. Pure: no
database, so everything is judged before anything is written.
"""

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed
from aftersales.common.money import MAX_AMOUNT
from aftersales.common.phones import InvalidPhone, normalize_phone
from aftersales.common.text import clean_line

from .input_values import SHANGHAI, ValueReader

# The codes only (TextChoices carry no database access): one list for model and input.
from .models import Order, Product, Store

ORDER_NO_MAX = 64
STORE_MAX = 100
NAME_MAX = 100
ACCOUNT_MAX = 100
ADDRESS_MAX = 255
CARRIER_MAX = 50
TRACKING_NO_MAX = 64
LINE_NO_MAX = 64
PRODUCT_MAX = 200
SKU_MAX = 64
LINES_MAX = 200
BUNDLE_MAX = 50
QUANTITY_MAX = 100_000
WARRANTY_DAYS_MAX = 36_500

PLATFORMS = tuple(Store.Platform.values)
SALE_CHANNELS = tuple(Order.SaleChannel.values)
PAYMENT_CHANNELS = tuple(Order.PaymentChannel.values)
GOODS_KINDS = tuple(Product.GoodsKind.values)


@dataclass(frozen=True)
class BuyerInput:
    name: str
    phone: str
    email: str = ""  # customer_for_intake reads it; orders carry none


@dataclass(frozen=True)
class BundleItemInput:
    """A component of a bundle (套餐) and its listed price."""

    product: str
    sku: str
    price: Decimal
    quantity: int = 1


@dataclass(frozen=True)
class LineInput:
    line_no: str
    product: str
    sku: str
    quantity: int
    unit_price: Decimal
    paid: Decimal
    goods_kind: str | None = None  # None: the product keeps what it has
    three_guarantees: bool | None = None
    warranty_days: int | None = None
    bundle: tuple[BundleItemInput, ...] | None = None  # None: composition left as it is


@dataclass(frozen=True)
class OrderInput:
    order_no: str
    store: str
    platform: str
    lines: tuple[LineInput, ...]
    platform_order_no: str = ""
    channel: str = Order.SaleChannel.ONLINE
    payment_channel: str = ""
    buyer: BuyerInput | None = None
    buyer_account: str = ""
    address: str = ""
    paid_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    received_on: dt.date | None = None
    # The signing time when the source gives one (an import's 签收时间); else the start
    # of `received_on` in Asia/Shanghai is stored.
    received_time: dt.datetime | None = None
    carrier: str = ""
    tracking_no: str = ""
    # 运费险 bought with the order (a return of it is insured; an exchange is not).
    return_shipping_insurance: bool = False

    @property
    def amount_paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), Decimal("0.00"))

    @property
    def received_at(self) -> dt.datetime | None:
        if self.received_time is not None:
            return self.received_time
        if self.received_on is None:
            return None
        return dt.datetime.combine(self.received_on, dt.time(), tzinfo=SHANGHAI)


def component_sku(bundle_sku: str, name: str) -> str:
    """A component named without a SKU gets one derived from its bundle's: the same
    names always give the same SKU, at most SKU_MAX characters."""
    sku = f"{bundle_sku}/{name}"
    if len(sku) <= SKU_MAX:
        return sku
    digest = hashlib.sha1(sku.encode()).hexdigest()[:15]
    return f"{bundle_sku[: SKU_MAX - 16]}/{digest}"


def store_code_for(platform: str, store_name: str) -> str:
    """A stable store code for a store known only by name: platform slug + short sha1
    (the API and the import derive the same one)."""
    slug = re.sub(r"[^a-z0-9]+", "-", platform.lower()).strip("-") or "store"
    return f"{slug}-{hashlib.sha1(store_name.encode()).hexdigest()[:10]}"


def parse_order(data: Any, *, order_no: str | None = None, prefix: str = "") -> OrderInput:
    order, errors = read_order(data, order_no=order_no, prefix=prefix)
    if errors or order is None:
        raise ValidationFailed(_("订单内容有误，请按提示修改"), fields=errors)
    return order


def read_order(
    data: Any, *, order_no: str | None = None, prefix: str = ""
) -> tuple[OrderInput | None, dict[str, str]]:
    """The order in `data`, or None, and every problem found. `order_no` is the number
    the caller already has (the URL's, intake's); a different one in the body is an
    error. `prefix` ("order.") goes before every field path."""
    reader = _Reader()
    order = reader.order(data, order_no)
    errors = {prefix + key: message for key, message in reader.errors.items()}
    return (None if errors else order), errors


class _Reader(ValueReader):
    def line_text(
        self, data: Mapping, key: str, path: str, limit: int, *, required: str = ""
    ) -> str:
        """Free text (names, addresses): control and bidi characters removed, line breaks
        as spaces (aftersales.common.text); required-ness judged on what is left."""
        value = clean_line(self.text(data, key, path, limit, required=required))
        if not value and required and path not in self.errors:
            self.fail(path, required)
        return value

    def order(self, data: Any, order_no: str | None) -> OrderInput | None:
        if not isinstance(data, Mapping):
            self.fail("body", _("订单应为 JSON 对象"))
            return None
        given_no = self.text(data, "order_no", "order_no", ORDER_NO_MAX)
        if order_no and given_no and given_no != order_no:
            self.fail(
                "order_no",
                _("与订单号 %(order_no)s 不一致") % {"order_no": order_no},
            )
        number = order_no or given_no
        if not number:
            self.fail("order_no", _("请填写订单号"))
        elif len(number) > ORDER_NO_MAX:
            self.fail("order_no", _("不能超过 %(max)d 个字符") % {"max": ORDER_NO_MAX})
        store = self.line_text(data, "store", "store", STORE_MAX, required=_("请填写店铺名称"))
        platform = self.code(data, "platform", "platform", PLATFORMS)
        if not platform and "platform" not in self.errors:
            self.fail(
                "platform", _("请填写平台，可选：%(choices)s") % {"choices": ", ".join(PLATFORMS)}
            )
        channel = self.code(data, "channel", "channel", SALE_CHANNELS) or Order.SaleChannel.ONLINE
        payment = self.code(data, "payment_channel", "payment_channel", PAYMENT_CHANNELS)
        buyer, account = self.buyer(data.get("buyer"))
        paid_at = self.moment(data.get("paid_at"), "paid_at")
        shipped_at = self.moment(data.get("shipped_at"), "shipped_at")
        received_on, received_time = self.day(data.get("received_on"), "received_on")
        self.order_of_events(paid_at, shipped_at, received_on, received_time)
        lines = self.lines(data.get("lines"))
        values = {
            "platform_order_no": self.text(
                data, "platform_order_no", "platform_order_no", ORDER_NO_MAX
            ),
            "address": self.line_text(data, "address", "address", ADDRESS_MAX),
            "carrier": self.text(data, "carrier", "carrier", CARRIER_MAX),
            "tracking_no": self.text(data, "tracking_no", "tracking_no", TRACKING_NO_MAX),
            "return_shipping_insurance": bool(
                self.flag(data.get("return_shipping_insurance"), "return_shipping_insurance")
            ),
        }
        if self.errors:
            return None
        return OrderInput(
            order_no=number,
            store=store,
            platform=platform,
            lines=tuple(lines),
            channel=channel,
            payment_channel=payment,
            buyer=buyer,
            buyer_account=account,
            paid_at=paid_at,
            shipped_at=shipped_at,
            received_on=received_on,
            received_time=received_time,
            **values,
        )

    def buyer(self, raw: Any) -> tuple[BuyerInput | None, str]:
        if raw is None:
            return None, ""
        if not isinstance(raw, Mapping):
            self.fail("buyer", _('应为对象，例如 {"name": "宋艳", "phone": "18712348311"}'))
            return None, ""
        name = self.line_text(raw, "name", "buyer.name", NAME_MAX)
        account = self.line_text(raw, "account", "buyer.account", ACCOUNT_MAX)
        raw_phone = self.text(raw, "phone", "buyer.phone", 30)
        if not name and not raw_phone:
            return None, account  # an account alone: platforms hide the rest
        if not name:
            self.fail("buyer.name", _("请填写买家姓名"))
        phone = ""
        if not raw_phone:
            self.fail("buyer.phone", _("请填写买家手机号"))
        else:
            try:
                phone = normalize_phone(raw_phone)
            except InvalidPhone:
                self.fail(
                    "buyer.phone",
                    _("联系电话格式不正确：应为 11 位手机号（如 13812341234）或带区号的固定电话"),
                )
        if not name or not phone:
            return None, account
        return BuyerInput(name=name, phone=phone), account

    def order_of_events(
        self,
        paid_at: dt.datetime | None,
        shipped_at: dt.datetime | None,
        received_on: dt.date | None,
        received_time: dt.datetime | None,
    ) -> None:
        """Paid, then shipped, then signed for. Dates compare as Asia/Shanghai days."""
        if paid_at and shipped_at and shipped_at < paid_at:
            self.fail("shipped_at", _("发货时间不能早于付款时间"))
        if received_on is None:
            return
        for earlier, message in (
            (paid_at, _("签收日期不能早于付款日期（%(day)s）")),
            (shipped_at, _("签收日期不能早于发货日期（%(day)s）")),
        ):
            if earlier is None:
                continue
            if received_time is not None:
                too_early = received_time < earlier
            else:
                too_early = received_on < earlier.astimezone(SHANGHAI).date()
            if too_early:
                day = earlier.astimezone(SHANGHAI).date().isoformat()
                self.fail("received_on", message % {"day": day})
                return

    def lines(self, raw: Any) -> list[LineInput]:
        if raw is None or raw == []:
            self.fail("lines", _("订单至少要有一行商品明细"))
            return []
        if not isinstance(raw, list):
            self.fail("lines", _("应为数组，每个元素是一行商品明细"))
            return []
        if len(raw) > LINES_MAX:
            self.fail("lines", _("一个订单最多 %(max)d 行明细") % {"max": LINES_MAX})
            return []
        lines: list[LineInput] = []
        seen_line_no: dict[str, int] = {}
        by_sku: dict[str, tuple[int, LineInput]] = {}
        for index, item in enumerate(raw):
            line = self.line(item, f"lines.{index}")
            if line is None:
                continue
            if line.line_no:
                first = seen_line_no.setdefault(line.line_no, index)
                if first != index:
                    self.fail(
                        f"lines.{index}.line_no",
                        _("与第 %(n)d 行的子订单号重复") % {"n": first + 1},
                    )
            earlier = by_sku.setdefault(line.sku, (index, line))
            if earlier[0] != index and _product_of(earlier[1]) != _product_of(line):
                self.fail(
                    f"lines.{index}.sku",
                    _("同一 SKU 在第 %(n)d 行的商品信息与此行不一致") % {"n": earlier[0] + 1},
                )
            lines.append(line)
        total = sum((line.paid for line in lines), Decimal(0))
        if total > MAX_AMOUNT:
            self.fail("lines", _("订单实付合计过大"))
        return lines

    def line(self, raw: Any, at: str) -> LineInput | None:
        if not isinstance(raw, Mapping):
            self.fail(at, _("应为对象（一行商品明细）"))
            return None
        before = len(self.errors)
        line_no = self.text(raw, "line_no", f"{at}.line_no", LINE_NO_MAX)
        product = self.line_text(
            raw, "product", f"{at}.product", PRODUCT_MAX, required=_("请填写商品名称")
        )
        sku = self.text(raw, "sku", f"{at}.sku", SKU_MAX, required=_("请填写 SKU（商品编码）"))
        quantity = None
        if raw.get("quantity") is None:
            self.fail(f"{at}.quantity", _("请填写数量"))
        else:
            quantity = self.integer(raw["quantity"], f"{at}.quantity", low=1, high=QUANTITY_MAX)
        unit_price = self.money(raw.get("unit_price"), f"{at}.unit_price", required=True)
        paid = self.money(raw.get("paid"), f"{at}.paid", required=False)
        if quantity is not None and unit_price is not None:
            ceiling = unit_price * quantity
            if paid is None:
                paid = ceiling
                if ceiling > MAX_AMOUNT:
                    self.fail(f"{at}.unit_price", _("金额过大"))
            elif paid > ceiling:
                self.fail(
                    f"{at}.paid",
                    _("实付金额 %(paid)s 超过数量 × 单价（%(n)d × %(price)s = %(ceiling)s）")
                    % {"paid": paid, "n": quantity, "price": unit_price, "ceiling": ceiling},
                )
        goods_kind = self.code(raw, "goods_kind", f"{at}.goods_kind", GOODS_KINDS) or None
        three = self.flag(raw.get("three_guarantees"), f"{at}.three_guarantees")
        warranty = None
        if raw.get("warranty_days") is not None:
            warranty = self.integer(
                raw["warranty_days"], f"{at}.warranty_days", low=0, high=WARRANTY_DAYS_MAX
            )
        bundle = self.bundle(raw.get("bundle"), f"{at}.bundle", sku) if "bundle" in raw else None
        if len(self.errors) > before or quantity is None or unit_price is None or paid is None:
            return None
        return LineInput(
            line_no=line_no,
            product=product,
            sku=sku,
            quantity=quantity,
            unit_price=unit_price,
            paid=paid,
            goods_kind=goods_kind,
            three_guarantees=three,
            warranty_days=warranty,
            bundle=bundle,
        )

    def bundle(self, raw: Any, at: str, bundle_sku: str) -> tuple[BundleItemInput, ...] | None:
        if raw is None:
            return None
        if not isinstance(raw, list):
            self.fail(at, _('应为数组，例如 [{"product": "炸篮", "price": "39.00"}]'))
            return None
        if len(raw) > BUNDLE_MAX:
            self.fail(at, _("一个套餐最多 %(max)d 件组成商品") % {"max": BUNDLE_MAX})
            return None
        items: list[BundleItemInput] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(raw):
            path = f"{at}.{index}"
            if not isinstance(item, Mapping):
                self.fail(path, _('应为对象，例如 {"product": "炸篮", "price": "39.00"}'))
                continue
            name = self.line_text(
                item, "product", f"{path}.product", PRODUCT_MAX, required=_("请填写商品名称")
            )
            sku = self.text(item, "sku", f"{path}.sku", SKU_MAX)
            price = self.money(item.get("price"), f"{path}.price", required=True)
            quantity = 1
            if item.get("quantity") is not None:
                quantity = (
                    self.integer(item["quantity"], f"{path}.quantity", low=1, high=QUANTITY_MAX)
                    or 1
                )
            if not name or price is None:
                continue
            sku = sku or component_sku(bundle_sku or "BUNDLE", name)
            if sku == bundle_sku:
                self.fail(f"{path}.sku", _("套餐不能包含它自己"))
                continue
            first = seen.setdefault(sku, index)
            if first != index:
                self.fail(f"{path}.product", _("与第 %(n)d 件组成商品重复") % {"n": first + 1})
                continue
            items.append(BundleItemInput(product=name, sku=sku, price=price, quantity=quantity))
        return tuple(items)


def _product_of(line: LineInput) -> tuple:
    """What a line says about its product (not its sale)."""
    return (line.product, line.goods_kind, line.three_guarantees, line.warranty_days, line.bundle)
