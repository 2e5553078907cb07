"""The portal's forms: they carry what the customer typed; the services judge it. A
refusal comes back onto the field it names (marked for assistive technology), else at
the top, with what was typed kept (`submit`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.common.errors import DomainError
from aftersales.common.upload_fields import EvidenceField
from aftersales.mediation.remedies import RemedyCode


class PortalForm(forms.Form):
    """Marks every field with an error for screen readers and points at its message
    (rendered by portal/field.html as #id_<prefix-name>_error)."""

    required_css_class = "required"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.required and not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs["required"] = True
                field.widget.attrs.setdefault("aria-required", "true")
            if name in getattr(self, "autocomplete", {}):
                field.widget.attrs["autocomplete"] = self.autocomplete[name]

    def full_clean(self):
        super().full_clean()
        self.mark_errors()

    def mark_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                error_id = f"{self[name].auto_id}_error"
                described = widget.attrs.get("aria-describedby", "")
                if error_id not in described.split():
                    widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()


def submit(
    form: PortalForm,
    call: Callable[[dict[str, Any]], Any],
    *,
    renames: dict[str, str] | None = None,
) -> bool:
    """Validate `form`, then `call(cleaned_data)`. True when the service did it; else the
    form carries the errors (on the fields named, the rest at the top). `renames`: the
    service's field names → the form's."""
    form.result = None
    form.error = None
    if not form.is_valid():
        return False
    try:
        form.result = call(form.cleaned_data)
    except DomainError as error:
        form.error = error
        placed = False
        for name, message in error.fields.items():
            name = (renames or {}).get(name, name)
            if name in form.fields:
                form.add_error(name, message)
                placed = True
        if not placed:
            form.add_error(None, error.message)
        form.mark_errors()
        return False
    return True


def refusals(bound: dict, shown: set[str]) -> list[str]:
    """What was said to a submitted form the page no longer shows — its step closed
    meanwhile (answered, done, withdrawn) — to say at the top of the page instead."""
    return [
        str(message)
        for name, form in bound.items()
        if name not in shown and isinstance(form, forms.Form)
        for messages in form.errors.values()
        for message in messages
    ]


def _text(label, *, max_length=200, required=True, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs=attrs),
    )


class SignInForm(PortalForm):
    autocomplete = {"order_no": "off", "phone": "tel"}
    order_no = _text(_("订单号"), max_length=100, spellcheck="false", autocapitalize="off")
    phone = _text(_("下单时的手机号"), max_length=40, inputmode="tel")


class CodeForm(PortalForm):
    autocomplete = {"code": "one-time-code"}
    code = _text(_("短信验证码"), max_length=10, inputmode="numeric", pattern="[0-9]*")


class AnswerForm(PortalForm):
    """An answer to the revision the page showed (its id): a newer one sent meanwhile is
    not answered unread."""

    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AcceptForm(AnswerForm):
    autocomplete = {"code": "one-time-code"}
    code = _text(
        _("验证码（随方案短信发给您的 6 位数字）"),
        max_length=20,
        required=False,
        inputmode="numeric",
        pattern="[0-9]*",
    )


class RejectForm(AnswerForm):
    message = forms.CharField(
        label=_("您不接受的原因（可选）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# What a customer may ask for in a counter-offer: the everyday remedies, in their words.
COUNTER_REMEDIES = (
    RemedyCode.REFUND,
    RemedyCode.RETURN_REFUND,
    RemedyCode.EXCHANGE,
    RemedyCode.RESHIP,
    RemedyCode.REPAIR,
    RemedyCode.PRICE_DIFFERENCE,
    RemedyCode.COMPENSATION,
    RemedyCode.SHIPPING_COMPENSATION,
    RemedyCode.APOLOGY,
)


class CounterForm(AnswerForm):
    remedy = forms.ChoiceField(
        label=_("您希望的解决办法"),
        required=False,
        choices=[("", pgettext_lazy("counter remedy", "不变"))]
        + [(c.value, c.label) for c in COUNTER_REMEDIES],
    )
    amount = _text(_("您希望的金额（元，可选）"), max_length=30, required=False)
    message = forms.CharField(
        label=_("给商家的留言"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"


class ReturnForm(PortalForm):
    carrier = _text(_("快递公司"), max_length=100)
    tracking_no = _text(_("快递单号"), max_length=100, spellcheck="false", autocapitalize="off")


class EmptyForm(PortalForm):
    """A button: the request itself is the answer (confirm the refund arrived)."""


class MessageForm(PortalForm):
    text = forms.CharField(
        label=_("给客服留言"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = EvidenceField(label=_("添加照片或其他证据（可选）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["aria-describedby"] = f"{self['files'].auto_id}_help"


class RatingForm(PortalForm):
    satisfaction = forms.TypedChoiceField(
        label=_("您对处理结果的评价"),
        coerce=int,
        choices=[
            (5, _("5 分 · 非常满意")),
            (4, _("4 分 · 满意")),
            (3, _("3 分 · 一般")),
            (2, _("2 分 · 不满意")),
            (1, _("1 分 · 非常不满意")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("您的意见（可选）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(PortalForm):
    reason = forms.CharField(
        label=_("撤回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ErasureForm(PortalForm):
    reason = forms.CharField(
        label=_("申请删除的原因（可选）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
