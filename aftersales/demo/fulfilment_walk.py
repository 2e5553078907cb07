"""One demo after-sale order walked (demo.fulfilment): carried a number of moves along its
path through the real services at times spread between its making and an end, its
parcels tracked, the insurer's 运费险 paid; then, as planned, its payout bounced, the
order cancelled with a reason, or its inspection failed (back to mediation)."""

from __future__ import annotations

import datetime as dt
import math

from aftersales.demo.fulfilment_plan import (
    BOUNCE_REASONS,
    forward_path,
    insure,
    move,
    movements,
    track,
)
from aftersales.fulfilment import flows
from aftersales.fulfilment.models import AfterSaleOrder, Parcel

SHIPPING = frozenset({flows.Action.RETURN_SHIP, flows.Action.SHIP})
# Why an order was cancelled, by its type (others: OTHER_CANCEL_REASONS).
CANCEL_REASONS = {
    "exchange": ("顾客改变主意，协商改为只退款不换货", "换货商品顾客决定留用，协商取消换货"),
    "reship": ("顾客表示不再需要补发，已在线下协商一致", "漏发的配件顾客已自行找到，取消补发"),
}
OTHER_CANCEL_REASONS = ("顾客表示该项不再需要办理，协商取消", "与其他售后单合并办理，本单取消")


def walk(cast, order, stop, extra, handler, created, end, now, forced, *, stale=False) -> bool:
    """Carry `order` `stop` moves along its path, between `created` and `end`; then the
    extra: bounce its payout, cancel it, or fail its inspection (back to mediation).
    `stale`: its last move is the customer's return parcel (the plan stops just after
    it), picked up more than `cast.stale_days` days before `now`, nothing since.
    Whether it was cancelled (one the carrier's scan delivered first is not)."""
    rng = cast.rng
    full = forward_path(order)
    if extra == "fail":
        stop = full.index(flows.Action.INSPECT)
    path = full[:stop]
    finished = len(path) == len(full)
    times = times_between(rng, created, end, len(path) + (1 if extra else 0), open_=not finished)
    if stale:
        # Spread before a day past the stale limit (the plan allows at least a day).
        quiet = now - dt.timedelta(days=cast.stale_days + 1)
        step = (quiet - created) / (len(path) + 1)
        times = [(created + step * (k + 1)).replace(microsecond=0) for k in range(len(path))]
    for k, action in enumerate(path):
        at = times[k]
        if order.state in flows.FINAL:
            break  # the carrier's delivery scan confirmed it already
        order = move(cast, order, action, handler=handler, at=at)
        if action in SHIPPING:
            parcel = Parcel.objects.filter(aftersale_order=order).latest("id")
            if k + 1 < len(times):
                moves = movements(rng, at, times[k + 1], delivered=True)
            elif stale:
                moves = movements(rng, at, at + dt.timedelta(hours=8), delivered=False)[:1]
            else:
                moves = [m for m in movements(rng, at, now, delivered=False) if m[0] < now]
            track(cast, parcel, moves)
            order = AfterSaleOrder.objects.get(pk=order.pk)
    if order.insurance_expected_by and not order.insurance_paid_at:
        # The insurer pays within its 72 hours; one payout (after one paid) stays missing.
        paid = order.insurance_expected_by - dt.timedelta(hours=rng.uniform(4, 60))
        overdue = order.insurance_expected_by < now
        if overdue and forced["insured_paid"] and not forced["insurance"]:
            forced["insurance"] = True  # left overdue: the daily check's 运费险 item
        elif paid < now:
            insure(cast, order, at=max(paid, order.updated_at))
            forced["insured_paid"] = True
    last = times[-1] if times else end
    if extra == "bounce":
        reason = rng.choice(BOUNCE_REASONS)
        move(cast, order, flows.Action.BOUNCE, handler=handler, at=last, reason=reason)
    elif extra == "cancel" and order.state in flows.OPEN:
        reason = rng.choice(CANCEL_REASONS.get(order.type, OTHER_CANCEL_REASONS))
        move(cast, order, flows.Action.CANCEL, handler=handler, at=last, reason=reason)
        return True
    elif extra == "fail":
        move(cast, order, flows.Action.INSPECT, handler=handler, at=last, outcome=False)
    return False


def times_between(rng, start, end, n: int, *, open_: bool) -> list[dt.datetime]:
    """`n` moments after `start` and before `end`: a few hours to a day or two apart,
    squeezed to fit; an order still open made its last move recently."""
    if n == 0:
        return []
    gaps = [math.exp(rng.uniform(math.log(1800), math.log(129600))) for _ in range(n)]
    room = (end - start).total_seconds() * 0.95
    if open_:
        # Its last move some hours to days ago: stretch the gaps to end near `end`.
        tail = math.exp(rng.uniform(math.log(3600), math.log(5 * 86400)))
        target = max(room - tail, room * 0.5)
        scale = target / sum(gaps)
    else:
        scale = min(1.0, room / sum(gaps))
    out, t = [], start
    for g in gaps:
        t = t + dt.timedelta(seconds=g * scale)
        out.append(t.replace(microsecond=0))
    return out
