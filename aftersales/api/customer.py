"""/api/v1/disputes/{number}/proposals/{id}/customer, …/accept, …/reject, …/counter and
…/agreement.pdf: the customer's side of mediation, authenticated by the customer link
they received with the proposal (`X-Customer-Token`, docs/mediation.md) and rate limited
per client IP; accepting also per dispute (aftersales.api.throttling). Accepting needs
the one-time code sent with the revision."""

import datetime as dt
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import APIKeyHeader
from ninja.throttling import BaseThrottle

from aftersales.common.errors import NotFound
from aftersales.common.money import format_yuan
from aftersales.disputes.access_log import agreement_read
from aftersales.fulfilment import flows, goods, payouts
from aftersales.fulfilment import selectors as aftersale_reads
from aftersales.fulfilment.customer_words import customer_state_text
from aftersales.fulfilment.flows import State
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.mediation import negotiation, proposal_drafts
from aftersales.mediation import proposal_selectors as proposal_reads
from aftersales.mediation.models import CustomerAccess, Proposal, ProposalRevision
from aftersales.parties.actors import customer_actor

from .aftersale_schemas import BODY_ERRORS as AFTERSALE_ERRORS
from .auth import BearerToken, Session
from .mediation import staff_dispute
from .proposal_schemas import (
    PROPOSAL_ERRORS,
    READ_ERRORS,
    AgreementOut,
    CustomerRemedyOut,
    agreement_out,
    remedy_out,
)
from .schemas import ErrorOut
from .throttling import CODE_THROTTLES, CUSTOMER_THROTTLES, client_ip

router = Router()
LIMITED = {429: ErrorOut}


class CustomerToken(APIKeyHeader):
    """The customer link sent with a proposal; scoped to one dispute."""

    param_name = "X-Customer-Token"

    def authenticate(self, request, key):
        return negotiation.customer_access_for(key or "")


class CustomersOnly(BaseThrottle):
    """A throttle counted for customer-link requests only, on a URL staff read too."""

    def __init__(self, inner: BaseThrottle):
        self.inner = inner

    def allow_request(self, request) -> bool:
        if not isinstance(getattr(request, "auth", None), CustomerAccess):
            return True
        return self.inner.allow_request(request)

    def wait(self) -> float | None:
        return self.inner.wait()


class CustomerProposalOut(Schema):
    id: int
    number: str
    state: str
    state_label: str
    revision: int
    message: str
    remedies: list[CustomerRemedyOut]
    total_amount: str
    customer_pays_total: str
    sent_at: datetime | None
    agreement: AgreementOut | None


class AnswerIn(Schema):
    revision: int | None = Field(
        None, description="所答复的方案版本（查看方案时的 revision）；已有新版本时 409"
    )


class AcceptIn(AnswerIn):
    code: str | None = Field(None, max_length=20)  # required; a missing one is a clear 422


class RejectIn(AnswerIn):
    message: str = Field("", max_length=1000)


class CounterIn(AnswerIn):
    remedy: str | None = None
    amount: Any = None
    message: str = Field("", max_length=1000)


def _customer_proposal(request: HttpRequest, number: str, proposal_id: int) -> Proposal:
    access = request.auth
    assert isinstance(access, CustomerAccess)
    return negotiation.customer_proposal(access, number, proposal_id)


def _sent_revision(proposal: Proposal) -> ProposalRevision:
    """The newest revision the customer was sent."""
    proposal = proposal_reads.dispute_proposal(proposal.dispute, proposal.pk)
    shown = [r for r in proposal.revisions.all() if r.sent_at is not None]
    if not shown:
        raise NotFound(_("找不到该调解方案"))
    return shown[-1]


def _customer_out(proposal: Proposal) -> dict:
    revision = _sent_revision(proposal)
    proposal = revision.proposal
    return {
        "id": proposal.pk,
        "number": proposal.dispute.number,
        "state": revision.state,
        "state_label": revision.get_state_display(),
        "revision": revision.number,
        "message": revision.message,
        "remedies": [remedy_out(r) for r in revision.remedies],
        "total_amount": f"{revision.total_amount:.2f}",
        "customer_pays_total": f"{proposal_drafts.customer_pays_total(revision):.2f}",
        "sent_at": revision.sent_at,
        "agreement": agreement_out(proposal),
    }


def _client(request: HttpRequest) -> tuple[str | None, str]:
    return client_ip(request) or None, request.headers.get("User-Agent", "")


@router.get(
    "/{number}/proposals/{proposal_id}/customer",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={200: CustomerProposalOut, **READ_ERRORS, **LIMITED},
    summary="顾客查看方案 / The customer's view (X-Customer-Token)",
)
def customer_view(request: HttpRequest, number: str, proposal_id: int):
    return _customer_out(_customer_proposal(request, number, proposal_id))


@router.post(
    "/{number}/proposals/{proposal_id}/accept",
    auth=CustomerToken(),
    throttle=CODE_THROTTLES,
    response={200: CustomerProposalOut, **PROPOSAL_ERRORS, **LIMITED},
    summary="顾客接受 / The customer accepts (with the one-time code)",
)
def customer_accept(request: HttpRequest, number: str, proposal_id: int, payload: AcceptIn):
    proposal = _customer_proposal(request, number, proposal_id)
    ip, agent = _client(request)
    negotiation.proposal_accept(
        proposal=proposal,
        access=request.auth,
        code=payload.code,
        ip=ip,
        user_agent=agent,
        read=payload.revision,
    )
    return _customer_out(proposal)


@router.post(
    "/{number}/proposals/{proposal_id}/reject",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={200: CustomerProposalOut, **PROPOSAL_ERRORS, **LIMITED},
    summary="顾客拒绝 / The customer rejects",
)
def customer_reject(request: HttpRequest, number: str, proposal_id: int, payload: RejectIn):
    proposal = _customer_proposal(request, number, proposal_id)
    ip, _agent = _client(request)
    negotiation.proposal_reject(
        proposal=proposal,
        access=request.auth,
        message=payload.message,
        ip=ip,
        read=payload.revision,
    )
    return _customer_out(proposal)


@router.post(
    "/{number}/proposals/{proposal_id}/counter",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={200: CustomerProposalOut, **PROPOSAL_ERRORS, **LIMITED},
    summary="顾客还价 / The customer counters (remedy, amount, message)",
)
def customer_counter(request: HttpRequest, number: str, proposal_id: int, payload: CounterIn):
    proposal = _customer_proposal(request, number, proposal_id)
    ip, _agent = _client(request)
    negotiation.proposal_counter(
        proposal=proposal,
        access=request.auth,
        remedy=payload.remedy,
        amount=payload.amount,
        message=payload.message,
        ip=ip,
        read=payload.revision,
    )
    return _customer_out(proposal)


@router.get(
    "/{number}/proposals/{proposal_id}/agreement.pdf",
    auth=[CustomerToken(), BearerToken(), Session()],
    throttle=[CustomersOnly(t) for t in CUSTOMER_THROTTLES],
    response={200: None, **READ_ERRORS, **LIMITED},
    summary="调解协议书 PDF / The settlement agreement (customer link or staff)",
)
def agreement_pdf(request: HttpRequest, number: str, proposal_id: int):
    if isinstance(request.auth, CustomerAccess):
        proposal = _customer_proposal(request, number, proposal_id)
    else:
        proposal = proposal_reads.dispute_proposal(staff_dispute(request, number), proposal_id)
    record = proposal_reads.proposal_agreement(proposal)
    if not isinstance(request.auth, CustomerAccess):  # staff reading personal data
        agreement_read(agreement=record, actor=request.auth)
    response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{number}.pdf"'
    response["X-Content-SHA256"] = record.sha256
    return response


# -- the customer's after-sale orders (issue 12) ------------------------------------------
# The same customer link: the customer reads where each agreed remedy stands, in their own
# words (no internal codes), fills in the return's tracking number, and confirms that the
# refund arrived or the parcel was delivered. Any other dispute's orders answer 404.

# What the customer reads for each state: what is happening and who acts, never our codes.


class CustomerParcelOut(Schema):
    id: int
    direction: str  # 顾客寄回 / 寄给顾客 (a label, not a code)
    carrier: str
    tracking_no: str
    shipped_at: dt.datetime
    last_movement: str
    delivered: bool


class CustomerAfterSaleOut(Schema):
    number: str
    kind: str  # 售后类型, in words
    status: str  # where it stands, in the customer's words
    amount: str | None
    paid_amount: str
    customer_pays: str | None
    expected_from: dt.datetime | None
    expected_by: dt.datetime | None
    expected_rule: str
    return_address: str
    replacement: str
    arrival_confirmed: bool
    shipping_insurance: bool
    insurance_expected_by: dt.datetime | None
    insurance_amount: str | None
    insurance_paid: bool
    parcels: list[CustomerParcelOut]
    can_fill_return_tracking: bool
    can_confirm_arrival: bool
    can_confirm_delivery: bool


class CustomerTrackingIn(Schema):
    carrier: str | None = Field(None, max_length=100)
    tracking_no: str | None = Field(None, max_length=100)


def _yuan(value) -> str | None:
    return None if value is None else format_yuan(value)


def customer_order_out(order: AfterSaleOrder) -> dict:
    pays = flows.pays_out(order.type, order.compensation_form)
    paid_out = pays and order.paid_amount > 0
    return {
        "number": order.number,
        "kind": order.get_type_display(),
        "status": customer_state_text(order.state),
        "amount": _yuan(order.amount),
        "paid_amount": format_yuan(order.paid_amount),
        "customer_pays": _yuan(order.customer_pays),
        "expected_from": order.expected_from if pays else None,
        "expected_by": order.expected_by,
        "expected_rule": order.expected_rule,
        "return_address": order.return_address,
        "replacement": order.replacement,
        "arrival_confirmed": order.arrival_confirmed_at is not None,
        "shipping_insurance": order.shipping_insurance,
        "insurance_expected_by": order.insurance_expected_by,
        "insurance_amount": _yuan(order.insurance_amount),
        "insurance_paid": order.insurance_paid_at is not None,
        "parcels": [
            {
                "id": p.pk,
                "direction": p.get_direction_display(),
                "carrier": p.carrier,
                "tracking_no": p.tracking_no,
                "shipped_at": p.shipped_at,
                "last_movement": p.last_movement,
                "delivered": p.delivered_at is not None,
            }
            for p in order.parcels.all()
        ],
        "can_fill_return_tracking": order.state == State.AWAITING_RETURN,
        "can_confirm_arrival": bool(paid_out) and order.arrival_confirmed_at is None,
        "can_confirm_delivery": order.state == State.SHIPPED,
    }


def _customer_orders(request: HttpRequest, number: str) -> list[AfterSaleOrder]:
    access = request.auth
    assert isinstance(access, CustomerAccess)
    if access.dispute.number != number:
        raise NotFound(_("找不到投诉 %(number)s") % {"number": number})
    return aftersale_reads.dispute_aftersale_orders(access.dispute)


def _customer_order(request: HttpRequest, number: str, order_number: str) -> AfterSaleOrder:
    for order in _customer_orders(request, number):
        if order.number == order_number:
            return order
    raise NotFound(_("找不到售后单 %(number)s") % {"number": order_number})


def _customer(request: HttpRequest):
    return customer_actor(request.auth.dispute.customer)


def _fresh_customer_order(order: AfterSaleOrder) -> dict:
    return customer_order_out(aftersale_reads.dispute_aftersale_order(order.dispute, order.number))


@router.get(
    "/{number}/customer/aftersale-orders",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={200: list[CustomerAfterSaleOut], **READ_ERRORS, **LIMITED},
    summary="顾客查看售后进度 / The customer's after-sale orders (X-Customer-Token)",
)
def customer_orders(request: HttpRequest, number: str):
    return [customer_order_out(o) for o in _customer_orders(request, number)]


@router.post(
    "/{number}/customer/aftersale-orders/{order_number}/return-shipment",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={200: CustomerAfterSaleOut, **AFTERSALE_ERRORS, **LIMITED},
    summary="顾客填写退货物流 / The customer fills in the return carrier and tracking number",
)
def customer_return_shipment(
    request: HttpRequest, number: str, order_number: str, payload: CustomerTrackingIn
):
    order = _customer_order(request, number, order_number)
    goods.return_ship(
        order=order,
        carrier=payload.carrier or "",
        tracking_no=payload.tracking_no or "",
        actor=_customer(request),
    )
    return _fresh_customer_order(order)


@router.post(
    "/{number}/customer/aftersale-orders/{order_number}/arrival",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={200: CustomerAfterSaleOut, **AFTERSALE_ERRORS, **LIMITED},
    summary="顾客确认退款到账 / The customer confirms the refund arrived",
)
def customer_arrival(request: HttpRequest, number: str, order_number: str):
    order = _customer_order(request, number, order_number)
    payouts.arrival_confirm(order=order, actor=_customer(request))
    return _fresh_customer_order(order)


@router.post(
    "/{number}/customer/aftersale-orders/{order_number}/delivery",
    auth=CustomerToken(),
    throttle=CUSTOMER_THROTTLES,
    response={200: CustomerAfterSaleOut, **AFTERSALE_ERRORS, **LIMITED},
    summary="顾客确认收货 / The customer confirms the delivery",
)
def customer_delivery(request: HttpRequest, number: str, order_number: str):
    order = _customer_order(request, number, order_number)
    goods.delivery_confirm(order=order, actor=_customer(request))
    return _fresh_customer_order(order)
