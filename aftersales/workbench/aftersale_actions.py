"""The views the after-sale order (售后单) and follow-up (回访) forms post to. One address
per move, as the API has (`/disputes/<number>/aftersale-orders/<order>/<door>/`), each
calling the same fulfilment service with the same input mapping. A form that failed
comes back on the page it was sent from (the dispute page, or 财务付款 / 退货收货 when it
says `next`), with what was typed: 422 for bad input, 409 for a stale version, 403 for a
refusal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.common.errors import Forbidden, NotFound
from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import may
from aftersales.followup import visits
from aftersales.followup.visits import refund_expected
from aftersales.fulfilment import aftersale_orders, parcels
from aftersales.fulfilment import selectors as reads
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.fulfilment.steps import lock_order

from . import aftersale_forms as f
from .aftersale_forms import DOORS, Door, door_label, form_key, make_form, photo_choices
from .dispute_page import dispute_or_404, dispute_url, render_dispute
from .forms_support import done, submit

# Pages a form may be sent from besides the dispute page (url names, never a raw URL).
RETURN_PAGES = {
    "payouts": "workbench:payouts",
    "returns": "workbench:returns",
    "insurance": "workbench:insurance",
}


def _status(request, form, refused: list[Forbidden]) -> int:
    """The answer to a form that failed: 403 for a refusal (also said at the top of the
    page, where the form may not be shown to this user), 409 for a conflict, else 422."""
    if refused:
        messages.error(request, refused[0].message)
        return 403
    return 409 if form.conflict else 422


def _granted_or_403(request, dispute, op: Op) -> None:
    """Who may not make the move is refused before what they typed is judged (the
    service asks again): the same 403 whatever the form holds."""
    if not may(request.user, op, dispute):
        raise PermissionDenied(_("您没有权限执行该操作"))


def _order_or_404(dispute, order_number: str) -> AfterSaleOrder:
    try:
        return reads.dispute_aftersale_order(dispute, order_number)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _back(request, dispute, order) -> tuple[str | None, str]:
    page = request.POST.get("next") or ""
    if page in RETURN_PAGES:
        return page, reverse(RETURN_PAGES[page]) + f"#order-{order.number}"
    return None, dispute_url(dispute, f"order-{order.number}")


def _order_view(door: Door):
    @login_required
    @require_POST
    def view(request, number: str, order_number: str):
        dispute = dispute_or_404(request, number)
        _granted_or_403(request, dispute, door.op)
        order = _order_or_404(dispute, order_number)
        photos = photo_choices(dispute) if door.form is f.InspectionForm else ()
        form = make_form(door, order, data=request.POST, photos=photos)
        refused: list[Forbidden] = []

        def call(data):
            try:
                with transaction.atomic():
                    if not door.checks_version:
                        lock_order(order, version=data["version"])
                    return door.call(request, order, data)
            except Forbidden as exc:
                refused.append(exc)
                raise

        page, url = _back(request, dispute, order)
        if submit(form, call):
            messages.success(
                request,
                _("售后单 %(number)s：%(action)s 已登记")
                % {"number": order.number, "action": door_label(door)},
            )
            return done(request, url)
        status = _status(request, form, refused)
        bound = {form_key(order, door): form}
        if page is not None:
            from . import worklists

            return worklists.render_worklist(request, page, bound=bound, status=status)
        return render_dispute(request, dispute, bound=bound, status=status)

    view.__name__ = door.url_name
    return view


@login_required
@require_POST
def parcel_movement(request, number: str, parcel_id: int):
    """A tracking movement of a parcel of the dispute (scanned, delivered)."""
    dispute = dispute_or_404(request, number)
    _granted_or_403(request, dispute, Op.TRACK_PARCEL)
    try:
        parcel = reads.dispute_parcel(dispute, parcel_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    key = f"parcel-{parcel.pk}"
    form = f.MovementForm(request.POST, prefix=key)
    refused: list[Forbidden] = []

    def call(data):
        try:
            return parcels.parcel_track(
                parcel=parcel,
                at=timezone.now(),
                actor=request.user,
                description=data["description"] or "",
                delivered=bool(data["delivered"]),
            )
        except Forbidden as exc:
            refused.append(exc)
            raise

    if submit(form, call):
        messages.success(request, _("物流更新已登记"))
        return done(request, dispute_url(dispute, f"order-{parcel.aftersale_order.number}"))
    status = _status(request, form, refused)
    return render_dispute(request, dispute, bound={key: form}, status=status)


@login_required
@require_POST
def aftersale_create(request, number: str):
    """An after-sale order by hand, with the reason (a remedy agreed outside a proposal)."""
    dispute = dispute_or_404(request, number)
    _granted_or_403(request, dispute, Op.RECORD_EXECUTION)
    form = f.CreateOrderForm(request.POST, prefix="as-create")
    refused: list[Forbidden] = []

    def call(data):
        try:
            return aftersale_orders.aftersale_order_create(
                dispute=dispute,
                type=data["type"],
                actor=request.user,
                reason=data["reason"],
                amount=data["amount"] or None,
                customer_pays=data["customer_pays"] or None,
                variant=data["variant"] or "",
                compensation_form=data["compensation_form"] or "",
                replacement=data["replacement"] or "",
                note=data["note"] or "",
            )
        except Forbidden as exc:
            refused.append(exc)
            raise

    if submit(form, call):
        messages.success(request, _("售后单 %(number)s 已登记") % {"number": form.result.number})
        return done(request, dispute_url(dispute, f"order-{form.result.number}"))
    status = _status(request, form, refused)
    return render_dispute(request, dispute, bound={"as-create": form}, status=status)


@login_required
@require_POST
def followup_record(request, number: str):
    """One follow-up call (回访): the answers close the dispute or reopen it."""
    dispute = dispute_or_404(request, number)
    _granted_or_403(request, dispute, Op.RECORD_FOLLOW_UP)
    form = f.FollowUpForm(
        request.POST, prefix="followup", refund_expected=refund_expected(dispute.pk)
    )
    refused: list[Forbidden] = []

    def call(data):
        try:
            return visits.followup_record(
                dispute=dispute,
                actor=request.user,
                reached=data["reached"],
                resolved=data.get("resolved"),
                refund_arrived=data.get("refund_arrived"),
                satisfaction=data.get("satisfaction"),
                comment=data.get("comment") or "",
                channel=data["channel"],
            )
        except Forbidden as exc:
            refused.append(exc)
            raise

    if submit(form, call):
        messages.success(request, _("回访已登记"))
        return done(request, dispute_url(dispute, "follow-up"))
    status = _status(request, form, refused)
    return render_dispute(request, dispute, bound={"followup": form}, status=status)


ORDER = "disputes/<str:number>/aftersale-orders/<str:order_number>/"
urlpatterns: list = [
    path(
        "disputes/<str:number>/aftersale-orders/",
        aftersale_create,
        name="aftersale_create",
    ),
    *[path(f"{ORDER}{door.slug}/", _order_view(door), name=door.url_name) for door in DOORS],
    path(
        "disputes/<str:number>/parcels/<int:parcel_id>/movements/",
        parcel_movement,
        name="aftersale_parcel_movement",
    ),
    path("disputes/<str:number>/follow-up/", followup_record, name="followup_record"),
]
