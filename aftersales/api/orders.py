"""/api/v1/orders/{order_no}: record an order (PUT, idempotent) and read it back with
personal data masked (GET). The contract is docs/orders.md."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja import Status as Reply

from aftersales.common.errors import Forbidden, NotFound, ValidationFailed
from aftersales.common.money import format_yuan
from aftersales.disputes.permissions import can_view_orders
from aftersales.intake.orders import order_record
from aftersales.parties.masking import mask_account, mask_address, mask_name, mask_phone
from aftersales.parties.models import Order
from aftersales.parties.order_input import ORDER_NO_MAX, SHANGHAI, parse_order
from aftersales.parties.selectors import order_detail

from .order_schemas import OrderIn, OrderOut, OrderWriteOut
from .parser import is_storable
from .schemas import ErrorOut

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.put(
    "/{order_no}",
    response={201: OrderWriteOut, 200: OrderWriteOut, 400: ErrorOut, **ERRORS},
    summary="登记或更新订单 / Create or update an order",
)
def put_order(request: HttpRequest, order_no: str, payload: OrderIn):
    if not is_storable(order_no):
        problem = _("含有无法识别的字符")
    elif len(order_no) > ORDER_NO_MAX:
        problem = _("订单号不能超过 %(max)d 个字符") % {"max": ORDER_NO_MAX}
    else:
        problem = ""
    if problem:
        raise ValidationFailed(_("订单内容有误，请按提示修改"), fields={"order_no": problem})
    data = parse_order(payload.model_dump(), order_no=order_no)
    order, created = order_record(data=data, actor=request.auth)
    body = order_out(order_detail(order_no=order.order_no)) | {"changes": order.changes}
    return Reply(201 if created else 200, body)


@router.get("/{order_no}", response={200: OrderOut, **ERRORS}, summary="订单 / An order")
def get_order(request: HttpRequest, order_no: str):
    if not can_view_orders(request.auth):
        raise Forbidden(_("您没有查看订单的权限"))
    if not is_storable(order_no):  # no order has one, and PostgreSQL refuses to compare it
        raise NotFound(_("找不到订单 %(order_no)s") % {"order_no": order_no.replace("\x00", "")})
    return order_out(order_detail(order_no=order_no))


def order_out(order: Order) -> dict:
    """The order as GET shows it: buyer's name, phone, account and the address masked."""
    customer = order.customer
    buyer = None
    if customer is not None or order.buyer_account:
        buyer = {
            "name": mask_name(customer.name) if customer else "",
            "phone": mask_phone(customer.phone) if customer else "",
            "account": mask_account(order.buyer_account),
        }
    received = order.received_at
    return {
        "order_no": order.order_no,
        "store": order.store.name,
        "store_code": order.store.code,
        "platform": order.store.platform,
        "platform_order_no": order.platform_order_no,
        "channel": order.sale_channel,
        "payment_channel": order.payment_channel,
        "return_shipping_insurance": order.return_shipping_insurance,
        "buyer": buyer,
        "address": mask_address(order.address),
        "paid_at": order.paid_at,
        "shipped_at": order.shipped_at,
        "received_on": timezone.localtime(received, SHANGHAI).date() if received else None,
        "carrier": order.carrier,
        "tracking_no": order.tracking_no,
        "amount_paid": format_yuan(order.amount_paid),
        "lines": [
            {
                "line_no": line.line_no,
                "product": line.product.name,
                "sku": line.product.sku,
                "goods_kind": line.product.goods_kind,
                "three_guarantees": line.product.three_guarantees,
                "warranty_days": line.product.warranty_days,
                "quantity": line.quantity,
                "unit_price": format_yuan(line.unit_price),
                "paid": format_yuan(line.paid_amount),
                "bundle": [
                    {
                        "product": part.component.name,
                        "sku": part.component.sku,
                        "price": format_yuan(part.unit_price),
                        "quantity": part.quantity,
                    }
                    for part in line.product.bundle_components.all()
                ],
            }
            for line in order.lines.all()
        ],
    }
