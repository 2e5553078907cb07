"""/api/v1/disputes/{number}/proposals/{id}/customer, …/accept, …/reject, …/counter and
…/agreement.pdf: the customer's side of mediation, authenticated by the customer link
they received with the proposal (`X-Customer-Token`, docs/mediation.md) and rate limited
per client IP; accepting also per dispute (aftersales.api.throttling). Accepting needs
the one-time code sent with the revision."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import APIKeyHeader
from ninja.throttling import BaseThrottle

from aftersales.common.errors import NotFound
from aftersales.disputes.access_log import agreement_read
from aftersales.mediation import negotiation, proposal_drafts
from aftersales.mediation import proposal_selectors as proposal_reads
from aftersales.mediation.models import CustomerAccess, Proposal

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


class AcceptIn(Schema):
    code: str | None = Field(None, max_length=20)  # required; a missing one is a clear 422


class RejectIn(Schema):
    message: str = Field("", max_length=1000)


class CounterIn(Schema):
    remedy: str | None = None
    amount: Any = None
    message: str = Field("", max_length=1000)


def _customer_proposal(request: HttpRequest, number: str, proposal_id: int) -> Proposal:
    access = request.auth
    assert isinstance(access, CustomerAccess)
    return negotiation.customer_proposal(access, number, proposal_id)


def _customer_out(proposal: Proposal) -> dict:
    proposal = proposal_reads.dispute_proposal(proposal.dispute, proposal.pk)
    shown = [r for r in proposal.revisions.all() if r.sent_at is not None]
    if not shown:
        raise NotFound(_("找不到该调解方案"))
    revision = shown[-1]
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
        proposal=proposal, access=request.auth, code=payload.code, ip=ip, user_agent=agent
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
        proposal=proposal, access=request.auth, message=payload.message, ip=ip
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
