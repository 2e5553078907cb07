"""新建投诉: the intake form for phone, in-person, letter, e-mail and chat complaints.

The same path as POST /api/v1/disputes: `validate_intake`, then `dispute_create` with a
one-time key the form carries (a double submit replays the first intake instead of
making a second dispute), then each evidence file through `evidence_add` — all in one
transaction, so a refused file leaves nothing behind and the form comes back with what
was typed. On success the page shows at once the dispute's number and the acknowledgement
the customer is sent.

The order is looked up by number or phone as the agent types (htmx, `intake_orders`);
an order not on record is given inline and created with the dispute."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.common.errors import Conflict, DomainError
from aftersales.common.money import FEN
from aftersales.common.phones import InvalidPhone, normalize_phone
from aftersales.disputes import selectors
from aftersales.disputes.intake import ORDER_NO_MAX, validate_intake
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.permissions import can_create, can_view, can_view_orders
from aftersales.disputes.timeline import DisputeKind
from aftersales.intake.evidence import dispute_create_with_evidence
from aftersales.parties.masking import mask_name, mask_phone
from aftersales.parties.models import Customer, Order, OrderLine

from .forms_support import submit
from .intake_forms import IntakeForm, LookupForm, form_field_for, new_key

ORDER_MATCHES_MAX = 10


def yuan(value) -> str:
    """¥1,234.50"""
    return "" if value is None else f"¥{value.quantize(FEN):,}"


def _intake_key(user, key: str) -> str:
    return f"wb:{user.pk}:{key}"


@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    if not can_create(request.user):
        raise PermissionDenied(_("您没有受理投诉的权限"))
    request.nav_active = "new"
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        if submit(form, lambda _data: _take_in(request, form)):
            dispute, created = form.result
            return _done(request, dispute, created)
        status = 409 if form.conflict else 422
        return _page(request, form, status=status, lookup=LookupForm(request.POST))
    return _page(request, IntakeForm(initial={"key": new_key()}))


def _take_in(request, form: IntakeForm) -> tuple[Dispute, bool]:
    """The intake and its evidence, or a DomainError naming the form's fields."""
    user, key = request.user, form.cleaned_data["key"]
    data = form.intake_data()
    request_hash = hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    try:
        dispute, created = dispute_create_with_evidence(
            request=validate_intake(data),
            actor=user,
            uploads=form.cleaned_data["files"],
            intake_key=_intake_key(user, key),
            request_hash=request_hash,
        )
    except DomainError as error:
        raise _on_form(error, user, key) from None
    return dispute, created


def _on_form(error: DomainError, user, key: str) -> DomainError:
    """The error with its fields renamed to the form's; the API's words for a replayed
    key with other content become the form's."""
    if isinstance(error, Conflict) and error.code == "idempotency_mismatch":
        number = (
            Dispute.objects.filter(intake_key=_intake_key(user, key))
            .values_list("number", flat=True)
            .first()
        )
        error.message = _(
            "这份表单已经提交过，受理为投诉 %(number)s；如要受理另一份投诉，请打开新的表单。"
        ) % {"number": number}
        error.fields = {}
        return error
    fields: dict[str, str] = {}
    for name, message in error.fields.items():
        target = form_field_for(name)
        if target is None:
            continue
        fields[target] = f"{fields[target]} {message}" if target in fields else message
    error.fields = fields
    return error


def _page(request, form: IntakeForm, *, status: int = 200, lookup=None, matches=None):
    data = form.data if form.is_bound else form.initial
    new_order_open = bool(data.get("new_order")) or any(
        name in form.errors for name in IntakeForm.NEW_ORDER_FIELDS
    )
    return render(
        request,
        "workbench/intake/form.html",
        {
            "form": form,
            "lookup": lookup or LookupForm(),
            "matches": matches,
            "files_help": _("图片、视频、PDF 或纯文本文件，每个不超过 %(size)s")
            % {"size": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
            "had_files": bool(form.is_bound and form.files),
            "new_order_open": new_order_open,
            "new_order_fields": [form[name] for name in IntakeForm.NEW_ORDER_FIELDS],
        },
        status=status,
    )


def _done(request, dispute: Dispute, created: bool):
    dispute = selectors.dispute_for_creator(dispute)
    acknowledgement = (
        Event.objects.filter(dispute=dispute, kind=DisputeKind.ACKNOWLEDGEMENT)
        .order_by("id")
        .values_list("payload", flat=True)
        .first()
    ) or {}
    return render(
        request,
        "workbench/intake/done.html",
        {
            "dispute": dispute,
            "created": created,
            "acknowledgement": acknowledgement,
            "acknowledgement_channel": _channel_label(acknowledgement.get("channel")),
            "evidence": list(dispute.evidence.order_by("id")),
            "may_open": can_view(request.user, dispute),
        },
        status=201 if created else 200,
    )


def _channel_label(code: str | None) -> str:
    from aftersales.notifications.models import OutboundMessage

    return str(dict(OutboundMessage.Channel.choices).get(code, code or ""))


# -- order lookup --------------------------------------------------------------------


def order_matches(text: str) -> list[Order]:
    """Orders whose number (or platform order number) is `text`, or whose buyer's phone
    it is; newest first, at most ORDER_MATCHES_MAX."""
    text = text.strip()
    if not text or len(text) > ORDER_NO_MAX or "\x00" in text:
        return []
    condition = Q(order_no=text) | Q(platform_order_no=text)
    try:
        phone = normalize_phone(text)
    except InvalidPhone:
        phone = None
    if phone is not None:
        # The buyer's id first: an OR of columns of one table lets each use its index.
        buyer = Customer.objects.filter(phone=phone).values_list("pk", flat=True).first()
        if buyer is not None:
            condition |= Q(customer_id=buyer)
    lines = OrderLine.objects.select_related("product").order_by("id")
    return list(
        Order.objects.filter(condition)
        .select_related("store", "customer")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-paid_at", "-id")[:ORDER_MATCHES_MAX]
    )


def order_rows(orders: list[Order]) -> list[dict]:
    """What the lookup shows of each order: the buyer masked (the phone is revealed per
    dispute, on its timeline)."""
    return [
        {
            "order_no": o.order_no,
            "platform_order_no": o.platform_order_no,
            "store": o.store.name,
            "platform": o.store.get_platform_display(),
            "items": [(line.product.name, line.quantity) for line in o.lines.all()],
            "paid": yuan(o.amount_paid),
            "paid_at": o.paid_at,
            "buyer": mask_name(o.customer.name) if o.customer else "",
            "phone": mask_phone(o.customer.phone) if o.customer else "",
        }
        for o in orders
    ]


@login_required
def intake_orders(request):
    """The orders matching `q` (htmx: the list alone; else the intake page with it,
    what was typed kept)."""
    if not (can_create(request.user) and can_view_orders(request.user)):
        raise PermissionDenied(_("您没有查看订单的权限"))
    lookup = LookupForm(request.GET)
    text = lookup.cleaned_data["q"] if lookup.is_valid() else ""
    context = {"q": text, "orders": order_rows(order_matches(text)) if text else []}
    if request.htmx:
        return render(request, "workbench/intake/orders.html", context)
    request.nav_active = "new"
    initial = {k: v for k, v in request.GET.items() if k in IntakeForm.base_fields}
    initial.setdefault("key", new_key())
    return _page(request, IntakeForm(initial=initial), lookup=lookup, matches=context)


urlpatterns = [
    path("new/", intake, name="intake"),
    path("new/orders/", intake_orders, name="intake_orders"),
]
