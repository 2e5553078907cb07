"""Parcels of after-sale orders (SPEC §7): the customer's return with its tracking number,
or what we send them, and their tracking movements. Each is one transaction and one
timeline event; the moves of the order itself (return_ship, ship) are `goods`'.

Our parcel tracked as delivered (签收) confirms the order's delivery by itself (the system
takes `confirm_delivery` when the order is shipped and its flow has that step); the
customer's return parcel tracked as delivered does not receive the goods: the warehouse
does (`goods.return_receive`)."""

import datetime as dt
import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.text import clean_text
from aftersales.disputes.permissions import can_track_parcel
from aftersales.parties.actors import SYSTEM

from . import flows
from .models import AfterSaleOrder, Parcel
from .steps import apply_move, lock_order
from .timeline import parcel_moved_event, parcel_recorded_event

CARRIER_MAX = 50  # Parcel.carrier
# A tracking feed's clock may run a little ahead of ours; beyond this a movement is a typo.
MOVEMENT_SKEW = dt.timedelta(minutes=10)


def tracking_number(raw: str) -> str:
    """A tracking number as stored: full-width letters and digits typed with a Chinese
    input method ("ＳＦ１２３…") read as the carrier prints them."""
    return unicodedata.normalize("NFKC", clean_text(raw or "")).strip()


def tracking_problems(carrier: str, tracking_no: str) -> dict[str, str]:
    """Field messages for a carrier and tracking number as a person typed them: both
    required; a tracking number is letters and digits, no spaces."""
    fields = {}
    if not carrier.strip():
        fields["carrier"] = _("请填写快递公司")
    elif len(carrier.strip()) > CARRIER_MAX:
        fields["carrier"] = _("快递公司不能超过 %(max)d 个字") % {"max": CARRIER_MAX}
    elif not any(c.isalpha() for c in carrier):
        # Digits or punctuation alone name no carrier (顺丰, SF, 中通快递 do).
        fields["carrier"] = _("请填写快递公司的名称，如：顺丰、中通")
    number = tracking_number(tracking_no)
    if not number:
        fields["tracking_no"] = _("请填写快递单号")
    elif not number.isascii() or not number.replace("-", "").isalnum() or len(number) > 64:
        fields["tracking_no"] = _("快递单号只能包含字母、数字和连字符，不能有空格")
    return fields


def parcel_add(
    order: AfterSaleOrder,
    *,
    direction: str,
    carrier: str,
    tracking_no: str,
    actor,
    at: dt.datetime,
    shipped_at: dt.datetime | None = None,
) -> Parcel:
    """Record a parcel of a locked order inside the caller's transaction."""
    if direction not in Parcel.Direction.values:
        message = _("未知的包裹方向，可选：%(choices)s") % {
            "choices": ", ".join(Parcel.Direction.values)
        }
        raise ValidationFailed(message, fields={"direction": message})
    carrier, tracking_no = clean_text(carrier).strip(), tracking_number(tracking_no)
    fields = tracking_problems(carrier, tracking_no)
    if fields:
        raise ValidationFailed(_("提交的内容有误，请按提示修改"), fields=fields)
    shipped = shipped_at or at
    try:
        with transaction.atomic():
            parcel = Parcel.objects.create(
                aftersale_order=order,
                direction=direction,
                carrier=carrier,
                tracking_no=tracking_no[:64],
                shipped_at=shipped,
                last_movement_at=shipped,
                created_at=at,
            )
    except IntegrityError:
        raise Conflict(
            _("快递单号 %(tracking_no)s 已登记") % {"tracking_no": tracking_no},
            code="duplicate_parcel",
        ) from None
    parcel_recorded_event(parcel, dispute_id=order.dispute_id, actor=actor, at=at).save()
    return parcel


@transaction.atomic
def parcel_track(
    *,
    parcel: Parcel,
    at: dt.datetime,
    actor,
    description: str = "",
    delivered: bool = False,
    recorded_at: dt.datetime | None = None,
) -> Parcel:
    """A tracking movement of a parcel in transit (scanned, out for delivery, delivered)
    at `at`, learnt at `recorded_at` (default now: when the tracking feed told us). A
    movement older than the last one known is recorded but does not move the clock back.
    Our parcel delivered confirms a shipped order's delivery (the system, at `at`)."""
    if not can_track_parcel(actor):
        raise Forbidden(_("您没有登记包裹的权限"))
    if at > (recorded_at or timezone.now()) + MOVEMENT_SKEW:
        message = _("物流轨迹时间不能晚于现在")
        raise ValidationFailed(message, fields={"at": message})
    # The order first, then the parcel: the order's services lock in that order too.
    order = lock_order(parcel.aftersale_order_id)
    locked = Parcel.objects.select_for_update(of=("self",)).get(pk=parcel.pk)
    if locked.delivered_at is not None:
        raise Conflict(_("包裹已签收"), code="parcel_delivered")
    description = clean_text(description).strip()[:200]
    locked.last_movement_at = max(locked.last_movement_at, at)
    locked.last_movement = description or locked.last_movement
    locked.moved = True
    if delivered:
        locked.delivered_at = at
    locked.save(update_fields=["last_movement_at", "last_movement", "moved", "delivered_at"])
    parcel_moved_event(
        locked,
        dispute_id=order.dispute_id,
        actor=actor,
        moved_at=at,
        description=description,
        delivered=delivered,
        at=recorded_at or timezone.now(),
    ).save()
    if delivered and _delivery_confirms(order, locked):
        apply_move(
            order,
            flows.Action.CONFIRM_DELIVERY,
            actor=SYSTEM,
            at=at,
            data={"parcel": locked.pk, "tracking_no": locked.tracking_no, "by": "tracking"},
        )
    locked.aftersale_order = order
    return locked


def _delivery_confirms(order: AfterSaleOrder, parcel: Parcel) -> bool:
    """Our parcel delivered to a shipped order whose next step is the delivery."""
    return (
        parcel.direction == Parcel.Direction.TO_CUSTOMER
        and order.state == flows.State.SHIPPED
        and order.dispute.is_open
        and flows.Action.CONFIRM_DELIVERY
        in flows.allowed(order.type, order.variant, order.compensation_form, order.state)
    )
