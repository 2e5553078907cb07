"""The views the after-sale order (售后单) and follow-up (回访) forms post to. One address
per move, as the API has (`/disputes/<number>/aftersale-orders/<order>/<door>/`), each
calling the same fulfilment service with the same input mapping. A form that failed
comes back on the page it was sent from (the dispute page, or 财务付款 / 退货收货 when it
says `next`), with what was typed: 422 for bad input, 409 for a stale version, 403 for a
refusal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import may
from aftersales.followup import visits
from aftersales.followup.visits import refund_expected
from aftersales.fulfilment import aftersale_orders, parcels
from aftersales.fulfilment import selectors as reads
from aftersales.fulfilment.steps import lock_order

from . import aftersale_forms as f
from .aftersale_doors import DOORS, Door, door_label, form_key, make_form, photo_choices
from .dispute_page import dispute_or_404, dispute_url
from .form_views import act, found_or_404

# Pages a form may be sent from besides the dispute page (url names, never a raw URL).
RETURN_PAGES = {
    "payouts": "workbench:payouts",
    "returns": "workbench:returns",
    "insurance": "workbench:insurance",
}


def _granted_or_403(request, dispute, op: Op) -> None:
    """Who may not make the move is refused before what they typed is judged (the
    service asks again): the same 403 whatever the form holds."""
    if not may(request.user, op, dispute):
        raise PermissionDenied(_("您没有权限执行该操作"))


def _act(request, dispute, form, call, **answer):
    """`form_views.act`, a refusal by the service also said at the top of the page (where
    the form may not be shown to this user): 403, 409 for a conflict, else 422."""
    return act(request, dispute, form, call, refusal_on_top=True, **answer)


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
        order = found_or_404(reads.dispute_aftersale_order, dispute, order_number)
        photos = photo_choices(dispute) if door.form is f.InspectionForm else ()
        form = make_form(door, order, data=request.POST, photos=photos)

        def call(data):
            with transaction.atomic():
                if not door.checks_version:
                    lock_order(order, version=data["version"])
                return door.call(request, order, data)

        page, url = _back(request, dispute, order)
        failed = None
        if page is not None:

            def failed(bound, status):
                from . import worklists

                return worklists.render_worklist(request, page, bound=bound, status=status)

        return _act(
            request,
            dispute,
            form,
            call,
            key=form_key(order, door),
            url=url,
            failed=failed,
            fresh=lambda: {"version": order.version},
            message=_("售后单 %(number)s：%(action)s 已登记")
            % {"number": order.number, "action": door_label(door)},
        )

    view.__name__ = door.url_name
    return view


@login_required
@require_POST
def parcel_movement(request, number: str, parcel_id: int):
    """A tracking movement of a parcel of the dispute (scanned, delivered)."""
    dispute = dispute_or_404(request, number)
    _granted_or_403(request, dispute, Op.TRACK_PARCEL)
    parcel = found_or_404(reads.dispute_parcel, dispute, parcel_id)
    key = f"parcel-{parcel.pk}"
    return _act(
        request,
        dispute,
        f.MovementForm(request.POST, prefix=key),
        lambda d: parcels.parcel_track(
            parcel=parcel,
            at=timezone.now(),
            actor=request.user,
            description=d["description"] or "",
            delivered=bool(d["delivered"]),
        ),
        key=key,
        anchor=f"order-{parcel.aftersale_order.number}",
        message=_lazy("物流更新已登记"),
    )


@login_required
@require_POST
def aftersale_create(request, number: str):
    """An after-sale order by hand, with the reason (a remedy agreed outside a proposal)."""
    dispute = dispute_or_404(request, number)
    _granted_or_403(request, dispute, Op.RECORD_EXECUTION)
    return _act(
        request,
        dispute,
        f.CreateOrderForm(request.POST, prefix="as-create"),
        lambda d: aftersale_orders.aftersale_order_create(
            dispute=dispute,
            type=d["type"],
            actor=request.user,
            reason=d["reason"],
            amount=d["amount"] or None,
            customer_pays=d["customer_pays"] or None,
            variant=d["variant"] or "",
            compensation_form=d["compensation_form"] or "",
            replacement=d["replacement"] or "",
            note=d["note"] or "",
        ),
        key="as-create",
        anchor=lambda form: f"order-{form.result.number}",
        message=lambda form: _("售后单 %(number)s 已登记") % {"number": form.result.number},
    )


@login_required
@require_POST
def followup_record(request, number: str):
    """One follow-up call (回访): the answers close the dispute or reopen it."""
    dispute = dispute_or_404(request, number)
    _granted_or_403(request, dispute, Op.RECORD_FOLLOW_UP)
    form = f.FollowUpForm(
        request.POST, prefix="followup", refund_expected=refund_expected(dispute.pk)
    )
    return _act(
        request,
        dispute,
        form,
        lambda d: visits.followup_record(
            dispute=dispute,
            actor=request.user,
            reached=d["reached"],
            resolved=d.get("resolved"),
            refund_arrived=d.get("refund_arrived"),
            satisfaction=d.get("satisfaction"),
            comment=d.get("comment") or "",
            channel=d["channel"],
        ),
        key="followup",
        anchor="follow-up",
        message=_lazy("回访已登记"),
    )


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
