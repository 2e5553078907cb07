"""The forms of the after-sale order (售后单) actions and of the follow-up visit (回访):
they check what was typed (types, lengths); the fulfilment and follow-up services apply
the rules and their refusals come back onto the fields (`forms_support.submit`). Every
order form carries the order's `version` (hidden): a stale one is a conflict. Which form
each move of an order shows, and the service it calls, is `aftersale_doors`' (its names
also answer here)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.followup.models import VisitChannel
from aftersales.fulfilment.flows import AfterSaleType, CompensationForm, Variant
from aftersales.parties.models import Order

from .forms_support import ReasonField, VersionField


def _yes_no(value: str):
    return {"yes": True, "no": False}.get(value)


def _yes_no_field(label, *, required: bool = True, blank=None) -> forms.TypedChoiceField:
    choices = [
        ("yes", pgettext_lazy("yes or no", "是")),
        ("no", pgettext_lazy("yes or no", "否")),
    ]
    if blank is not None:
        choices.insert(0, ("", blank))
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=_yes_no,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
    )


class Form(forms.Form):
    """A workbench form: labels without Django's ":" (the layout puts them above)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def new_key() -> str:
    """An idempotency key for one rendering of a payout form: a double click (or a retry
    of the same form) sends the same key and pays once."""
    return uuid.uuid4().hex


class OrderForm(Form):
    """A move of one order: its version, and the newest event the user saw."""

    version = VersionField()
    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StepForm(OrderForm):
    """A move that records nothing but itself (finance approval, starting a repair,
    the delivery or the refund's arrival on the customer's word)."""

    note = forms.CharField(label=_("备注"), max_length=500, required=False)


class ConfirmForm(OrderForm):
    """A confirmation with nothing to type (the return received, the refund arrived)."""


class ReasonForm(OrderForm):
    reason = ReasonField(max_length=500)


class PaymentForm(OrderForm):
    """Money moved (a payout, the customer's payment): an idempotency key for this
    rendering of the form, so a double click or a retry records it once."""

    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_key())
        super().__init__(*args, **kwargs)


class PayoutForm(PaymentForm):
    reference = forms.CharField(label=_("流水号"), max_length=100)
    amount = forms.CharField(
        label=_("实付金额（元）"),
        max_length=30,
        required=False,
        help_text=_("不填为应退金额减已付"),
    )
    channel = forms.ChoiceField(
        label=_("退款渠道"),
        choices=[("", _("按原支付渠道")), *Order.PaymentChannel.choices],
        required=False,
    )


class CustomerPaymentForm(PaymentForm):
    amount = forms.CharField(label=_("买家补款金额（元）"), max_length=30)
    reference = forms.CharField(label=_("流水号"), max_length=100)


class AddressForm(OrderForm):
    address = forms.CharField(
        label=_("退货地址"),
        max_length=255,
        required=False,
        help_text=_("不填则使用店铺默认退货地址"),
    )


class TrackingForm(OrderForm):
    carrier = forms.CharField(label=_("快递公司"), max_length=50)
    tracking_no = forms.CharField(label=_("快递单号"), max_length=64)


class InspectionForm(OrderForm):
    passed = _yes_no_field(_("验货是否通过"))
    report = forms.CharField(
        label=_("验货报告"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    good_quantity = forms.IntegerField(label=_("良品数量"), min_value=0, initial=0)
    defective_quantity = forms.IntegerField(label=_("次品数量"), min_value=0, initial=0)
    serial_or_batch = forms.CharField(label=_("SN/批次"), max_length=100, required=False)
    photos = forms.MultipleChoiceField(
        label=_("照片（本投诉的证据）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, photos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].choices = [(str(pk), name) for pk, name in photos]
        if not photos:
            del self.fields["photos"]


class RepairForm(OrderForm):
    fault = forms.CharField(label=_("故障描述"), max_length=300)
    fault_code = forms.CharField(label=_("故障代码"), max_length=100, required=False)
    technician = forms.CharField(label=_("维修人员"), max_length=100)
    fixed = _yes_no_field(_("是否已修复"))
    user_fault = forms.BooleanField(label=_("人为损坏"), required=False)
    parts = forms.CharField(
        label=_("更换配件"),
        max_length=500,
        required=False,
        help_text=_("多个配件用逗号分隔"),
    )
    started_on = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    finished_on = forms.DateField(
        label=_("完成日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_parts(self) -> list[str]:
        raw = self.cleaned_data.get("parts") or ""
        return [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]


class CouponForm(OrderForm):
    reference = forms.CharField(label=_("券码或批次号"), max_length=100)


class InsurancePayoutForm(OrderForm):
    amount = forms.CharField(label=_("理赔金额（元）"), max_length=30)
    reference = forms.CharField(label=_("理赔单号"), max_length=100)


class MovementForm(Form):
    description = forms.CharField(label=_("物流信息"), max_length=200, required=False)
    delivered = forms.BooleanField(label=_("已签收"), required=False)


class CreateOrderForm(Form):
    """An after-sale order by hand, for a remedy agreed outside a proposal."""

    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)
    type = forms.ChoiceField(label=_("售后类型"), choices=AfterSaleType.choices)
    amount = forms.CharField(label=_("金额（元）"), max_length=30, required=False)
    customer_pays = forms.CharField(label=_("买家应补（元）"), max_length=30, required=False)
    variant = forms.ChoiceField(label=_("执行方式"), choices=Variant.choices, required=False)
    compensation_form = forms.ChoiceField(
        label=_("补偿形式"),
        choices=[("", "—"), *CompensationForm.choices],
        required=False,
    )
    replacement = forms.CharField(label=_("换货/补发商品"), max_length=200, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    reason = ReasonField(label=_("登记原因（方案之外约定的解决办法）"), max_length=500)


class FollowUpForm(Form):
    """One follow-up call (回访): not reached is an attempt; reached, the answers close
    or reopen the dispute."""

    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(label=_("回访方式"), choices=VisitChannel.choices)
    reached = _yes_no_field(_("是否联系上顾客"))
    resolved = _yes_no_field(
        _("问题是否已解决"), required=False, blank=pgettext_lazy("not answered", "未回答")
    )
    refund_arrived = _yes_no_field(
        _("退款/赔付是否到账"), required=False, blank=pgettext_lazy("not answered", "未回答")
    )
    satisfaction = forms.TypedChoiceField(
        label=_("满意度（1–5）"),
        choices=[("", pgettext_lazy("not answered", "未回答"))]
        + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(
        label=_("顾客意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, refund_expected: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not refund_expected:
            del self.fields["refund_arrived"]
