"""The proposal builder (调解方案: its remedy lines, each with the options the API takes —
what the customer pays, the components of a bundle kept, refund first, ship first) and
the forms that act on a proposal: approve or refuse, send, withdraw. The lines are
checked here only as typed; the proposal services parse them against the catalogue and
the order's money and their refusals come back onto the row at fault."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.common.errors import DomainError
from aftersales.common.money import bundle_partial_refund
from aftersales.fulfilment.flows import Variant
from aftersales.mediation.money import Bundle
from aftersales.mediation.remedies import KEPT_NAME_MAX, Payer, RemedyCode, usual

from .forms_support import ReasonField
from .mediation_forms import Seen, _text

LINES = 4  # the builder's empty rows without JavaScript (proposal.js adds more)
# What a line says beyond its remedy, amount, deadline, shipping and note (the row's
# "其他选项"): open when one of them is set or refused.
OPTIONS = ("customer_pays", "kept", "refund_first", "ship_first")


def remedy_choices(category: str) -> list:
    """The remedy catalogue, the category's usual ones first (the category never blocks
    one)."""
    common = set(usual(category)) if category else set()
    first = [(c.value, c.label) for c in RemedyCode if c in common]
    rest = [(c.value, c.label) for c in RemedyCode if c not in common]
    return [
        ("", "—"),
        (pgettext_lazy("remedy group", "常用"), first),
        (pgettext_lazy("remedy group", "其他"), rest),
    ]


def _money_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "size": 10, **attrs})


def kept_names(typed: str) -> list[str]:
    """The kept components as typed: one a line, or separated by 、，, or ;."""
    return [name.strip() for name in re.split(r"[\n、，,；;]", typed or "") if name.strip()]


class LineForm(forms.Form):
    code = forms.ChoiceField(label=_("解决办法"), required=False)
    amount = forms.CharField(
        label=_("金额（元）"), required=False, max_length=20, widget=_money_input()
    )
    deadline_days = forms.IntegerField(
        label=_("办理期限（日）"),
        required=False,
        min_value=0,
        max_value=365,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    shipping_paid_by = forms.ChoiceField(
        label=_("运费承担"),
        required=False,
        choices=[("", "—"), (Payer.MERCHANT.value, _("商家")), (Payer.CONSUMER.value, _("顾客"))],
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)
    customer_pays = forms.CharField(
        label=_("买家应补（元）"),
        required=False,
        max_length=20,
        widget=_money_input(),
        help_text=_("换货、整机更换或维修：顾客补的差价或费用"),
    )
    kept = forms.CharField(
        label=_("顾客保留的套餐商品"),
        required=False,
        max_length=20 * (KEPT_NAME_MAX + 1),
        widget=forms.TextInput(attrs={"size": 18}),
        help_text=_("套餐部分退货（退货退款）：用“、”分隔；金额不填则为套餐实付减去保留商品的标价"),
    )
    refund_first = forms.BooleanField(
        label=Variant.REFUND_FIRST.label,
        required=False,
        help_text=_("退货退款：不等退货寄回，先退款"),
    )
    ship_first = forms.BooleanField(
        label=Variant.SHIP_FIRST.label,
        required=False,
        help_text=_("换货：顾客寄回的包裹有物流后即发出新货"),
    )

    def __init__(self, *args, category: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = remedy_choices(category)

    def option_fields(self) -> list:
        return [self[name] for name in OPTIONS]

    def options_open(self) -> bool:
        """Show the row's options: one is set, or refused."""
        return any(self[n].errors or self[n].value() not in (None, "", False) for n in OPTIONS)

    def raw(self, bundle: Callable[[], Bundle | None] | None = None) -> dict[str, Any] | None:
        """The line as the proposal services read it; None for an empty row. A bundle
        partial return without an amount gets the bundle's paid price less the listed
        prices of the components kept (`bundle()`: the order's bundle line)."""
        data = self.cleaned_data
        kept = kept_names(data.get("kept", ""))
        if not data.get("code"):
            typed = ("amount", "note", "deadline_days", "customer_pays", *OPTIONS)
            if any(data.get(k) not in (None, "", False) for k in typed):
                self.add_error("code", _("请选择解决办法"))
            return None
        line: dict[str, Any] = {"code": data["code"], "note": data.get("note", "")}
        if data.get("amount"):
            line["amount"] = data["amount"].strip()
        if data.get("deadline_days") is not None:
            line["deadline_days"] = data["deadline_days"]
        if data.get("shipping_paid_by"):
            line["shipping_paid_by"] = data["shipping_paid_by"]
        if data.get("customer_pays"):
            line["customer_pays"] = data["customer_pays"].strip()
        if kept:
            line["kept"] = kept
            if "amount" not in line and bundle is not None:
                refund = bundle_refund(bundle(), kept)
                if refund is not None:
                    line["amount"] = f"{refund:.2f}"
        for flag in ("refund_first", "ship_first"):
            if data.get(flag):
                line[flag] = True
        return line


def bundle_refund(bundle: Bundle | None, kept: list[str]) -> Any:
    """What a partial return of `bundle` keeping `kept` refunds (`money`'s rule), or None
    when there is no bundle or a name is not one of its components (the service says
    which)."""
    if bundle is None:
        return None
    found = [bundle.find(name) for name in kept]
    if any(c is None for c in found):
        return None
    return bundle_partial_refund(bundle.paid, [c.price for c in found if c is not None])


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=20, absolute_max=20)


class ProposalForm(Seen):
    """Draft a proposal (no `revision`) or revise the current one (its number, hidden: a
    newer revision meanwhile is a conflict; `reason` required by the service). Valid, it
    holds its lines as the services read them (`remedies`)."""

    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = _text(_("修改原因"), 2000, rows=2, required=False)
    note = _text(
        _("致顾客的附言"), 2000, rows=3, required=False, help_text=_("加在模板消息之后，顾客会看到")
    )

    def __init__(
        self,
        data=None,
        *,
        category: str = "",
        lines=(),
        revising: bool = False,
        bundle: Callable[[], Bundle | None] | None = None,
        **kw,
    ):
        super().__init__(data, prefix="proposal", **kw)
        self.revising = revising
        self.bundle = bundle
        if not revising:
            del self.fields["reason"]
        initial = [_initial(line) for line in lines]
        initial += [{}] * max(0, LINES - len(initial)) if data is None else []
        self.lines = LineFormSet(
            data,
            prefix="line",
            initial=initial or None,
            form_kwargs={"category": category},
        )
        self.remedies: list[dict[str, Any]] | None = None
        self._rows: list[int] = []

    def is_valid(self) -> bool:
        ok = super().is_valid()
        ok = self.lines.is_valid() and ok
        if ok and self.remedies is None:
            self.remedies = self._remedies()
            ok = not any(line.errors for line in self.lines.forms)
        return ok

    def _remedies(self) -> list[dict[str, Any]]:
        """The filled rows in order; `_rows` maps the service's line index to the row."""
        out, self._rows = [], []
        bundle = _once(self.bundle) if self.bundle is not None else None
        for i, line in enumerate(self.lines.forms):
            raw = line.raw(bundle)
            if raw is not None:
                out.append(raw)
                self._rows.append(i)
        return out

    def place(self, fields: dict[str, str]) -> bool:
        """Put the service's messages on the rows and fields they name
        (`remedies.1.amount`, `remedies.0.kept.1`); True if any found its place."""
        placed = False
        for name, message in fields.items():
            parts = name.split(".")
            if parts[0] == "remedies" and len(parts) >= 3 and parts[1].isdigit():
                index = int(parts[1])
                row = self._rows[index] if index < len(self._rows) else None
                form = self.lines.forms[row] if row is not None else None
                if form is not None:
                    field = parts[2] if parts[2] in form.fields else None
                    form.add_error(field, message)
                    placed = True
            elif name in self.fields:
                self.add_error(name, message)
                placed = True
        return placed

    def place_error(self, error: DomainError) -> None:
        """`forms_support.submit`'s hook: a line's refusal on its row of the builder."""
        if not self.place(error.fields or {}) or not error.fields:
            self.add_error(None, error.message)


def _once(read: Callable[[], Any]) -> Callable[[], Any]:
    """`read` asked at most once (the order's money: only when a line keeps components)."""
    kept: list[Any] = []

    def once():
        if not kept:
            kept.append(read())
        return kept[0]

    return once


def _initial(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": line.get("code", ""),
        "amount": line.get("amount") or "",
        "deadline_days": line.get("deadline_days"),
        "shipping_paid_by": line.get("shipping_paid_by") or "",
        "note": line.get("note", ""),
        "customer_pays": line.get("customer_pays") or "",
        "kept": "、".join(line.get("kept") or ()),
        "refund_first": bool(line.get("refund_first")),
        "ship_first": bool(line.get("ship_first")),
    }


# -- acting on a proposal ---------------------------------------------------------------------


class WithdrawForm(Seen):
    """Withdraw the proposal (its current revision's number: a newer one since is a
    conflict)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = ReasonField(label=_("撤回原因"))


class DecisionForm(Seen):
    """Approve or refuse the current revision: the button pressed is the decision."""

    APPROVE, REFUSE = "approve", "refuse"
    revision = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(APPROVE, _("同意")), (REFUSE, _("驳回"))], widget=forms.HiddenInput
    )
    reason = ReasonField(required=False, label=_("审批意见"))


class SendForm(Seen):
    revision = forms.IntegerField(widget=forms.HiddenInput)
