"""What staff and customers both read about a proposal: a remedy line and the settlement
agreement (api.mediation for staff, api.customer for the customer's link)."""

from datetime import datetime

from ninja import Schema

from aftersales.mediation import proposals
from aftersales.mediation import remedies as catalogue
from aftersales.mediation.models import Proposal

from .schemas import ErrorOut

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
PROPOSAL_ERRORS = {400: ErrorOut, 409: ErrorOut, 422: ErrorOut, **ERRORS}
READ_ERRORS = {422: ErrorOut, **ERRORS}  # 422: a proposal id that is not a number


class CustomerRemedyOut(Schema):
    code: str
    label: str
    amount: str | None  # what the customer receives on this line
    customer_pays: str | None = None  # what the customer pays instead (买家应补)
    kept: list[str] = []  # a bundle partial return: the components the customer keeps
    refund_first: bool = False  # a return: the refund is paid before the goods come back
    ship_first: bool = False  # an exchange: the replacement ships once the return moves
    deadline_days: int | None
    shipping_paid_by: str | None
    note: str
    text: str


class AgreementOut(Schema):
    sha256: str
    url: str
    customer_method: str
    customer_confirmed_at: datetime
    customer_ip: str | None
    staff_confirmed_by: str
    generated_at: datetime


def remedy_out(data: dict) -> dict:
    item = catalogue.RemedyItem.from_dict(data)
    return data | {
        "label": str(catalogue.RemedyCode(item.code).label),
        "text": proposals.remedy_line(item),
    }


def agreement_out(proposal: Proposal) -> dict | None:
    if not hasattr(proposal, "agreement"):  # the reverse one-to-one raises when absent
        return None
    record = proposal.agreement
    if record is None:
        return None
    return {
        "sha256": record.sha256,
        "url": f"/api/v1/disputes/{proposal.dispute.number}/proposals/{proposal.pk}/agreement.pdf",
        "customer_method": record.customer_method,
        "customer_confirmed_at": record.customer_confirmed_at,
        "customer_ip": record.customer_ip,
        "staff_confirmed_by": record.staff_confirmed_label,
        "generated_at": record.generated_at,
    }
