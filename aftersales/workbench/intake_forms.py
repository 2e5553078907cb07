"""The intake form (新建投诉): what an agent types while the customer is on the phone, at
the counter, or in a letter, e-mail or chat. The form only carries the text; the
judgement is `disputes.intake.validate_intake` — the same as POST /api/v1/disputes — and
its messages, named by the API's field paths (`customer.phone`, `order.lines.0.paid`),
come back onto the fields here (`API_FIELDS`)."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.common.upload_fields import EvidenceField
from aftersales.disputes.filetypes import ALLOWED_MEDIA, TEXT_EXTENSIONS
from aftersales.disputes.models import Channel, Expectation
from aftersales.parties.models import Order, Store

# The channels a complaint reaches a member of staff by (the others have their own doors:
# the portal, platform feeds, the import, the API).
STAFF_CHANNELS = (Channel.PHONE, Channel.IN_PERSON, Channel.LETTER, Channel.EMAIL, Channel.CHAT)
STAFF_CHANNELS += (Channel.SOCIAL,)
KEY_MAX = 64

# The API's field path → the form field that shows its message. `order.lines.N.x` maps by
# its last part (the form has one line).
API_FIELDS = {
    "channel": "channel",
    "order_no": "order_no",
    "order.order_no": "order_no",
    "customer": "customer_name",
    "customer.name": "customer_name",
    "customer.phone": "customer_phone",
    "customer.email": "customer_email",
    "description": "description",
    "product_name": "product_name",
    "claimed_amount": "claimed_amount",
    "occurred_at": "occurred_at",
    "expectation": "expectation",
    "expectation_text": "expectation_text",
    "order": "order_store",
    "order.store": "order_store",
    "order.platform": "order_platform",
    "order.channel": "order_channel",
    "order.paid_at": "order_paid_at",
    "order.received_on": "order_received_on",
    "order.buyer": "customer_name",
    "order.buyer.name": "customer_name",
    "order.buyer.phone": "customer_phone",
    "order.lines": "order_product",
    "file": "files",
    "note": "files",
}
_LINE_FIELDS = {
    "product": "order_product",
    "sku": "order_sku",
    "quantity": "order_quantity",
    "unit_price": "order_unit_price",
    "paid": "order_paid",
}
_LINE_PATH = re.compile(r"^order\.lines\.\d+\.(\w+)")


def form_field_for(path: str) -> str | None:
    """The form field showing the message the API gives under `path`, or None (shown
    at the top of the form)."""
    if path in API_FIELDS:
        return API_FIELDS[path]
    line = _LINE_PATH.match(path)
    if line:
        return _LINE_FIELDS.get(line.group(1), "order_product")
    return None


def accepted_types() -> tuple[list[str], list[str]]:
    """(MIME types, file name endings) evidence may have (disputes.filetypes): what the
    browser's file picker offers and intake.js checks before anything is sent."""
    types = sorted(t for media in ALLOWED_MEDIA.values() for t in media)
    endings = sorted(e for e in TEXT_EXTENSIONS if e)
    return types, endings


def new_key() -> str:
    return uuid.uuid4().hex


def _text(label, *, max_length=200, widget=None, required=False, **attrs) -> forms.CharField:
    widget = widget or forms.TextInput
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=widget(attrs=attrs)
    )


class IntakeForm(forms.Form):
    key = forms.CharField(max_length=KEY_MAX, widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label=_("受理渠道"), choices=[(c.value, c.label) for c in STAFF_CHANNELS]
    )
    order_no = _text(_("订单号"), max_length=100, autocomplete="off", spellcheck="false")
    customer_name = _text(_("顾客姓名"), max_length=200, autocomplete="off")
    customer_phone = _text(
        _("联系电话"), max_length=40, widget=forms.TextInput, inputmode="tel", autocomplete="off"
    )
    customer_email = _text(_("电子邮箱（可选）"), max_length=254, inputmode="email")
    description = forms.CharField(
        label=_("问题描述"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    product_name = _text(_("商品名称（可选）"), max_length=300)
    expectation = forms.ChoiceField(
        label=_("顾客诉求"),
        required=False,
        choices=[("", _("请选择"))] + [(e.value, e.label) for e in Expectation],
    )
    expectation_text = forms.CharField(
        label=_("诉求说明（可选）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    claimed_amount = _text(_("诉求金额（元，可选）"), max_length=30, inputmode="decimal")
    occurred_at = _text(
        _("发生时间（可选）"), max_length=40, widget=forms.DateTimeInput, type="datetime-local"
    )
    # The order, when it is not on record yet: created with the dispute (as the API's
    # `order`); its buyer is the customer above.
    new_order = forms.BooleanField(label=_("订单尚未登记：随投诉一起登记此订单"), required=False)
    order_store = _text(_("店铺名称"), max_length=200)
    order_platform = forms.ChoiceField(
        label=_("平台"), required=False, choices=[("", _("请选择")), *Store.Platform.choices]
    )
    order_channel = forms.ChoiceField(
        label=_("销售方式"), required=False, choices=Order.SaleChannel.choices
    )
    order_paid_at = _text(
        _("付款时间（可选）"), max_length=40, widget=forms.DateTimeInput, type="datetime-local"
    )
    order_received_on = _text(
        _("签收日期（可选）"), max_length=20, widget=forms.DateInput, type="date"
    )
    order_product = _text(_("商品"), max_length=300)
    order_sku = _text(_("SKU（商品编码）"), max_length=100, spellcheck="false")
    order_quantity = _text(_("数量"), max_length=10, inputmode="numeric")
    order_unit_price = _text(_("成交单价（元）"), max_length=30, inputmode="decimal")
    order_paid = _text(_("实付（元，可选）"), max_length=30, inputmode="decimal")
    files = EvidenceField(label=_("证据文件（可选，可多选）"), required=False)

    NEW_ORDER_FIELDS = (
        "order_store",
        "order_platform",
        "order_channel",
        "order_paid_at",
        "order_received_on",
        "order_product",
        "order_sku",
        "order_quantity",
        "order_unit_price",
        "order_paid",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].initial = Channel.PHONE
        self.fields["order_channel"].initial = Order.SaleChannel.ONLINE
        types, endings = accepted_types()
        self.fields["files"].widget.attrs.update(
            {
                "accept": ",".join(types + endings),
                "data-types": " ".join(types),
                "data-endings": " ".join(endings),
                "data-max-bytes": str(settings.EVIDENCE_MAX_BYTES),
                "aria-describedby": "id_files_help",
            }
        )
        for name in ("channel", "order_no", "customer_name", "customer_phone", "description"):
            self.fields[name].widget.attrs["required"] = True
            self.fields[name].widget.attrs["aria-required"] = "true"

    def full_clean(self):
        super().full_clean()
        # Every field with an error is marked for assistive technology, and points at
        # its message (the template renders it as #<id>_error).
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                described = widget.attrs.get("aria-describedby", "")
                error_id = f"id_{name}_error"
                if error_id not in described.split():
                    widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()

    def intake_data(self) -> dict:
        """The request as POST /api/v1/disputes takes it (loose strings; validate_intake
        judges them)."""
        d = self.cleaned_data
        data = {
            "channel": d["channel"],
            "order_no": d["order_no"],
            "customer": {
                "name": d["customer_name"],
                "phone": d["customer_phone"],
                **({"email": d["customer_email"]} if d["customer_email"] else {}),
            },
            "description": d["description"],
            "product_name": d["product_name"] or None,
            "claimed_amount": d["claimed_amount"] or None,
            "occurred_at": d["occurred_at"] or None,
            "expectation": d["expectation"] or None,
            "expectation_text": d["expectation_text"] or None,
        }
        if d["new_order"]:
            line = {
                "product": d["order_product"],
                "sku": d["order_sku"],
                "quantity": d["order_quantity"] or None,
                "unit_price": d["order_unit_price"] or None,
                "paid": d["order_paid"] or None,
            }
            data["order"] = {
                "order_no": d["order_no"],
                "store": d["order_store"],
                "platform": d["order_platform"],
                "channel": d["order_channel"] or None,
                "buyer": {"name": d["customer_name"], "phone": d["customer_phone"]},
                "paid_at": d["order_paid_at"] or None,
                "received_on": d["order_received_on"] or None,
                "lines": [{k: v for k, v in line.items() if v is not None}],
            }
        return data


class LookupForm(forms.Form):
    q = forms.CharField(
        label=pgettext_lazy("order lookup", "订单号或手机号"), max_length=64, required=False
    )
