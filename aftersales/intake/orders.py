"""Recording an order as staff or an import sends it (PUT /api/v1/orders, the order
import): who may, then `parties.orders.order_upsert`, which writes it. The check lives
here, above `parties`, because the permissions module sits above `parties`."""

from django.utils.translation import gettext as _

from aftersales.common.errors import Forbidden
from aftersales.disputes.permissions import can_record_orders
from aftersales.parties.models import Order
from aftersales.parties.order_input import OrderInput
from aftersales.parties.orders import order_upsert


def order_record(*, data: OrderInput, actor) -> tuple[Order, bool]:
    """Create or update the order `data` describes, if `actor` may record orders (those
    who take disputes in, admins, the system); (order, created)."""
    if not can_record_orders(actor):
        raise Forbidden(_("您没有登记订单的权限"))
    return order_upsert(data=data, actor=actor)
