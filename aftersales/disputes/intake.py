"""Validation of what arrives at intake, shared by the API, the import and the demo.

`validate_intake` takes loose values (strings from a form, a CSV cell, JSON) and returns a
frozen `IntakeRequest`, or raises ValidationFailed naming every bad field at once.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import ValidationFailed
from aftersales.common.money import InvalidAmount, parse_yuan
from aftersales.common.phones import InvalidPhone, normalize_phone
from aftersales.common.text import clean_line, clean_text
from aftersales.parties.order_input import OrderInput, read_order

from .models import Channel, Expectation

SHANGHAI = ZoneInfo("Asia/Shanghai")
DESCRIPTION_MAX = 5000
NAME_MAX = 100
ORDER_NO_MAX = 64
PRODUCT_NAME_MAX = 200
EXPECTATION_TEXT_MAX = 500
EXTERNAL_REF_MAX = 100
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=SHANGHAI)
# `Choices.values` builds a new list on every access; these are looked up per row.
CHANNELS = frozenset(Channel.values)
EXPECTATIONS = frozenset(Expectation.values)


@dataclass(frozen=True)
class CustomerInput:
    name: str
    phone: str
    email: str = ""


@dataclass(frozen=True)
class IntakeRequest:
    channel: str
    order_no: str
    customer: CustomerInput
    description: str
    product_name: str = ""
    amount_paid: Decimal | None = None
    claimed_amount: Decimal | None = None
    occurred_at: dt.datetime | None = None
    expectation: str = Expectation.OTHER
    expectation_text: str = ""
    external_ref: str | None = None
    received_at: dt.datetime | None = None  # set by imports of historical complaints
    # The order itself, when the complaint brings it (an agent on the phone, an order no
    # import has brought yet): created at intake if the number is unknown, else unused.
    order: OrderInput | None = None


def amount_message(reason: str) -> str:
    return {
        "negative": _("金额不能为负数"),
        "too_large": _("金额过大"),
        "too_precise": _("金额最多保留两位小数（精确到分）"),
    }.get(reason, _("金额必须是数字，例如 199.00"))


def parse_datetime_loose(raw: Any) -> dt.datetime:
    """ISO 8601 date or datetime; a value without an offset is Asia/Shanghai time."""
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time())
    else:
        text = str(raw).strip().replace("/", "-")
        value = dt.datetime.fromisoformat(text)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=SHANGHAI)
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    return str(value).strip()


def _free_text(data: Mapping[str, Any], key: str, *, multiline: bool) -> str:
    """Free text as stored: without control or bidi characters (aftersales.common.text),
    before its length is judged."""
    value = data.get(key)
    if value is None:
        return ""
    return clean_text(str(value)) if multiline else clean_line(str(value))


def validate_intake(data: Mapping[str, Any], *, now: dt.datetime | None = None) -> IntakeRequest:
    now = now or timezone.now()
    errors: dict[str, str] = {}

    channel = _text(data, "channel")
    if not channel:
        errors["channel"] = _("请填写受理渠道")
    elif channel not in CHANNELS:
        errors["channel"] = _("未知的受理渠道“%(value)s”，可选：%(choices)s") % {
            "value": channel,
            "choices": ", ".join(Channel.values),
        }

    order_no = _text(data, "order_no")
    order_raw = data.get("order")
    if not order_no and isinstance(order_raw, Mapping):
        order_no = _text(order_raw, "order_no")
    if not order_no:
        errors["order_no"] = _("请填写订单号")
    elif len(order_no) > ORDER_NO_MAX:
        errors["order_no"] = _("订单号不能超过 %(max)d 个字符") % {"max": ORDER_NO_MAX}

    customer_raw = data.get("customer")
    if not isinstance(customer_raw, Mapping):
        customer_raw = {}
        errors["customer"] = _("请填写顾客信息（姓名和手机号）")
    name = _free_text(customer_raw, "name", multiline=False)
    phone = ""
    email = _text(customer_raw, "email")
    if "customer" not in errors:
        if not name:
            errors["customer.name"] = _("请填写顾客姓名")
        elif len(name) > NAME_MAX:
            errors["customer.name"] = _("顾客姓名不能超过 %(max)d 个字符") % {"max": NAME_MAX}
        raw_phone = _text(customer_raw, "phone")
        if not raw_phone:
            errors["customer.phone"] = _("请填写联系电话")
        else:
            try:
                phone = normalize_phone(raw_phone)
            except InvalidPhone:
                errors["customer.phone"] = _(
                    "联系电话格式不正确：应为 11 位手机号（如 13812341234）或带区号的固定电话"
                )
        if email:
            try:
                validate_email(email)
            except DjangoValidationError:
                errors["customer.email"] = _("电子邮箱格式不正确")

    description = _free_text(data, "description", multiline=True)
    if not description:
        errors["description"] = _("请填写问题描述")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("问题描述不能超过 %(max)d 个字符（现有 %(n)d 个）") % {
            "max": DESCRIPTION_MAX,
            "n": len(description),
        }

    product_name = _free_text(data, "product_name", multiline=False)
    if len(product_name) > PRODUCT_NAME_MAX:
        errors["product_name"] = _("商品名称不能超过 %(max)d 个字符") % {"max": PRODUCT_NAME_MAX}

    amounts: dict[str, Decimal | None] = {}
    for key in ("amount_paid", "claimed_amount"):
        raw = data.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            amounts[key] = None
            continue
        try:
            amounts[key] = parse_yuan(raw)
        except InvalidAmount as exc:
            errors[key] = amount_message(exc.reason)

    times: dict[str, dt.datetime | None] = {}
    for key in ("occurred_at", "received_at"):
        raw = data.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            times[key] = None
            continue
        try:
            value = parse_datetime_loose(raw)
        except (ValueError, TypeError):
            errors[key] = _("时间格式不正确，请使用 ISO 8601，例如 2026-11-23T14:30:00+08:00")
            continue
        if value > now + dt.timedelta(minutes=5):
            errors[key] = _("时间不能晚于现在")
            continue
        if value < EARLIEST:  # also keeps year-1 dates away from UTC conversion overflow
            errors[key] = _("时间不能早于 %(year)d 年") % {"year": EARLIEST.year}
            continue
        times[key] = value

    expectation = _text(data, "expectation") or Expectation.OTHER
    if expectation not in EXPECTATIONS:
        errors["expectation"] = _("未知的顾客诉求“%(value)s”，可选：%(choices)s") % {
            "value": expectation,
            "choices": ", ".join(Expectation.values),
        }
    expectation_text = _free_text(data, "expectation_text", multiline=True)
    if len(expectation_text) > EXPECTATION_TEXT_MAX:
        errors["expectation_text"] = _("诉求说明不能超过 %(max)d 个字符") % {
            "max": EXPECTATION_TEXT_MAX
        }
    external_ref = _text(data, "external_ref") or None
    if external_ref and len(external_ref) > EXTERNAL_REF_MAX:
        errors["external_ref"] = _("外部单号不能超过 %(max)d 个字符") % {"max": EXTERNAL_REF_MAX}

    order = None
    if order_raw is not None:
        # Judged whole even when the number turns out to be known: what a client sends
        # is either right or refused, never half-used.
        order, order_errors = read_order(order_raw, order_no=order_no or None, prefix="order.")
        if "order.body" in order_errors:
            order_errors = {"order": order_errors["order.body"]}
        errors.update(order_errors)

    if errors:
        raise ValidationFailed(_("提交的内容有误，请按提示修改"), fields=errors)

    return IntakeRequest(
        channel=channel,
        order_no=order_no,
        customer=CustomerInput(name=name, phone=phone, email=email),
        description=description,
        product_name=product_name,
        amount_paid=amounts["amount_paid"],
        claimed_amount=amounts["claimed_amount"],
        occurred_at=times["occurred_at"],
        expectation=expectation,
        expectation_text=expectation_text,
        external_ref=external_ref,
        received_at=times["received_at"],
        order=order,
    )
