"""新建投诉 in the portal: the signed-in customer files a complaint about one of their own
orders — what happened, what they want, photos — after reading the privacy notice; then
they see its number and the next step. The same path as every intake
(`validate_intake`, then `dispute_create_with_evidence` with a one-time key the form
carries, so a double submit shows the first complaint instead of making a second)."""

from __future__ import annotations

import hashlib
import json
import uuid

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from aftersales.common.errors import Conflict, Forbidden
from aftersales.common.upload_fields import EvidenceField
from aftersales.disputes.intake import validate_intake
from aftersales.disputes.models import Channel, Expectation
from aftersales.intake.evidence import dispute_create_with_evidence
from aftersales.parties.actors import customer_actor
from aftersales.parties.models import Order

from . import session, wording
from .doors import signed_in_only
from .evidence import evidence_help, evidence_widget_attrs
from .forms import PortalForm, submit

# The service's field names → the form's.
RENAMES = {
    "order_no": "order_no",
    "description": "description",
    "expectation": "expectation",
    "expectation_text": "expectation_text",
    "claimed_amount": "claimed_amount",
    "product_name": "product_name",
    "file": "files",
}


class NewComplaintForm(PortalForm):
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    order_no = forms.ChoiceField(label=gettext_lazy("哪一笔订单"))
    product_name = forms.CharField(
        label=gettext_lazy("哪件商品（可选）"), required=False, max_length=200
    )
    description = forms.CharField(
        label=gettext_lazy("发生了什么"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    expectation = forms.ChoiceField(
        label=gettext_lazy("您希望怎样解决"),
        choices=[(e.value, e.label) for e in Expectation],
        widget=forms.RadioSelect,
    )
    expectation_text = forms.CharField(
        label=gettext_lazy("补充说明（可选）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    claimed_amount = forms.CharField(
        label=gettext_lazy("希望的金额（元，可选）"), required=False, max_length=30
    )
    files = EvidenceField(label=gettext_lazy("照片或其他证据（可选，可多选）"), required=False)
    privacy = forms.BooleanField(
        label=gettext_lazy("我已阅读并同意上面的个人信息处理说明"),
        error_messages={"required": gettext_lazy("请先阅读并同意个人信息处理说明")},
    )

    def __init__(self, *args, orders: list[Order], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order_no"].choices = [(o.order_no, _order_label(o)) for o in orders]
        self.fields["claimed_amount"].widget.attrs["inputmode"] = "decimal"
        self.fields["files"].widget.attrs.update(evidence_widget_attrs())
        self.fields["files"].widget.attrs["aria-describedby"] = "id_files_help"


def _order_label(order: Order) -> str:
    items = "、".join(line.product.name for line in order.lines.all())
    return f"{order.order_no} · {items}" if items else order.order_no


def _orders(customer) -> list[Order]:
    return list(
        Order.objects.filter(customer=customer)
        .select_related("store")
        .prefetch_related("lines__product")
        .order_by("-paid_at", "-id")[:50]
    )


def _file(form: NewComplaintForm, customer):
    d = form.cleaned_data
    data = {
        "channel": Channel.PORTAL.value,
        "order_no": d["order_no"],
        "customer": {"name": customer.name, "phone": customer.phone},
        "description": d["description"],
        "product_name": d["product_name"] or None,
        "expectation": d["expectation"],
        "expectation_text": d["expectation_text"] or None,
        "claimed_amount": d["claimed_amount"] or None,
    }
    digest = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    try:
        return dispute_create_with_evidence(
            request=validate_intake(data),
            actor=customer_actor(customer),
            uploads=d["files"],
            intake_key=f"portal:{customer.pk}:{d['key']}",
            request_hash=digest,
        )
    except Conflict as error:
        if error.code == "idempotency_mismatch":
            error.message = _("这份表单已经提交过。如要再投诉一件事，请重新打开“我要投诉”。")
            error.fields = {}
        raise
    except Forbidden:
        # The customer's door is refused as a whole: say what to do, not why.
        raise Forbidden(_("暂时无法在线提交投诉，请联系店铺客服。")) from None


@require_http_methods(["GET", "POST"])
@signed_in_only
def new_complaint(request):
    customer = request.customer
    orders = _orders(customer)
    if request.method == "POST":
        form = NewComplaintForm(request.POST, request.FILES, orders=orders)
        if submit(form, lambda _d: _file(form, customer), renames=RENAMES):
            dispute, _created = form.result
            dispute = session.customer_dispute(customer, dispute.number)
            return render(
                request,
                "portal/new_done.html",
                {"dispute": dispute, "status": wording.customer_status(dispute.status)},
                status=201 if _created else 200,
            )
        return _page(request, form, orders, status=422)
    return _page(
        request, NewComplaintForm(initial={"key": uuid.uuid4().hex}, orders=orders), orders
    )


def _page(request, form, orders, *, status: int = 200):
    return render(
        request,
        "portal/new.html",
        {"form": form, "orders": orders, "files_help": evidence_help()},
        status=status,
    )
