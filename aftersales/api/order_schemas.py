"""Shapes of an order in the API (docs/orders.md): what `PUT /api/v1/orders/{order_no}`
and intake's inline `order` accept, and what `GET` returns (personal data masked).

The values are typed loosely on purpose (the OpenAPI document still says what is
expected): aftersales.parties.order_input judges them and answers with a message per
field path, e.g. a JSON number for money gets "write it as a string", not "not a string".
"""

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from aftersales.parties.order_input import (
    GOODS_KINDS,
    PAYMENT_CHANNELS,
    PLATFORMS,
    SALE_CHANNELS,
)

Text = Annotated[Any, WithJsonSchema({"type": "string"})]
Money = Annotated[
    Any,
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,8}(\.\d{1,2})?$", "example": "329.00"}),
]
Count = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1})]
Days = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 0})]
Flag = Annotated[Any, WithJsonSchema({"type": "boolean"})]
Moment = Annotated[Any, WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[Any, WithJsonSchema({"type": "string", "format": "date"})]


def _code(choices: tuple[str, ...]) -> Any:
    return Annotated[Any, WithJsonSchema({"type": "string", "enum": list(choices)})]


class BuyerIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: Text = Field(None, description="买家姓名（与手机号一起给出）")
    phone: Text = Field(None, description="买家手机号；据此关联顾客")
    account: Text = Field(None, description="买家账号（旺旺、昵称）")


class BundleItemIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    product: Text = Field(None, description="组成商品名称（必填）")
    sku: Text = Field(None, description="组成商品 SKU；缺省为“套餐 SKU/商品名称”")
    price: Money = Field(None, description='组成商品标价，十进制字符串，单位元（必填），如 "39.00"')
    quantity: Count = Field(None, description="套餐内数量，缺省 1")


class OrderLineIn(BaseModel):
    model_config = ConfigDict(
        extra="allow", json_schema_extra={"required": ["product", "sku", "quantity", "unit_price"]}
    )

    line_no: Text = Field(None, description="子订单号")
    product: Text = Field(None, description="商品名称（必填）")
    sku: Text = Field(None, description="SKU（必填），商品以此识别")
    goods_kind: _code(GOODS_KINDS) = Field(None, description="商品性质；缺省保持商品现有的")
    three_guarantees: Flag = Field(None, description="属于三包目录")
    warranty_days: Days = Field(None, description="保修天数")
    quantity: Count = Field(None, description="数量（必填），≥ 1")
    unit_price: Money = Field(None, description="成交单价（必填），十进制字符串，单位元")
    paid: Money = Field(None, description="实付，不超过数量 × 单价；缺省为数量 × 单价")
    bundle: list[BundleItemIn] | None = Field(
        None, description="套餐组成；给出则替换该商品的组成，不给则保持不变"
    )


class OrderIn(BaseModel):
    """一个订单的全部内容（PUT 整体替换：未给出的字段清空，明细以所给为准）。"""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"required": ["store", "platform", "lines"]}
    )

    order_no: Text = Field(None, description="订单号；给出时须与地址（或受理的 order_no）一致")
    store: Text = Field(None, description="店铺名称（必填），店铺以此识别，新店铺自动建立")
    platform: _code(PLATFORMS) = Field(None, description="平台（必填）")
    platform_order_no: Text = Field(None, description="线上单号")
    channel: _code(SALE_CHANNELS) = Field(None, description="销售方式，缺省 online")
    payment_channel: _code(PAYMENT_CHANNELS) = Field(None, description="支付方式")
    buyer: BuyerIn | None = Field(None, description="买家")
    address: Text = Field(None, description="收货地址")
    paid_at: Moment = Field(None, description="付款时间，ISO 8601；无时区按北京时间")
    shipped_at: Moment = Field(None, description="发货时间，不早于付款时间")
    received_on: Day = Field(None, description="签收日期，不早于付款、发货日期")
    carrier: Text = Field(None, description="快递公司")
    tracking_no: Text = Field(None, description="快递单号")
    return_shipping_insurance: Flag = Field(
        None, description="运费险：退货时保险公司按其费率赔付运费（换货不适用）"
    )
    lines: list[OrderLineIn] | None = Field(None, description="商品明细（至少一行）")


class BuyerOut(Schema):
    name: str
    phone: str
    account: str


class BundleItemOut(Schema):
    product: str
    sku: str
    price: str
    quantity: int


class OrderLineOut(Schema):
    line_no: str
    product: str
    sku: str
    goods_kind: str
    three_guarantees: bool
    warranty_days: int
    quantity: int
    unit_price: str
    paid: str
    bundle: list[BundleItemOut]


class OrderOut(Schema):
    order_no: str
    store: str
    store_code: str
    platform: str
    platform_order_no: str
    channel: str
    payment_channel: str
    buyer: BuyerOut | None
    address: str
    paid_at: datetime | None
    shipped_at: datetime | None
    received_on: date | None
    carrier: str
    tracking_no: str
    return_shipping_insurance: bool = Field(False, description="运费险")
    amount_paid: str
    lines: list[OrderLineOut]


class OrderWriteOut(OrderOut):
    changes: list[str] = Field(
        ..., description="写入了什么（order 为新建，其余为字段名）；内容相同再次提交时为空"
    )
