"""Shared set-up of the after-sale order API tests: a dispute walked to `executing` with
no after-sale orders of its own yet, the staff of each department speaking JSON, and
short ways to create an order and make a move."""

from __future__ import annotations

from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.mediation import proposals
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.conftest import ApiClient
from tests.factories import OrderFactory, make_dispute, make_staff, walk_to

URL = "/api/v1/disputes"
REASON = "电话中另行约定"


def executing(customer: dict | None = None, **order_kwargs):
    """A dispute on a new order walked to `executing` through the real services. Any
    after-sale order the accepted proposal made is removed (none has moved yet): these
    tests make their own by hand, as for a remedy agreed outside a proposal."""
    extra = {"customer": customer} if customer else {}
    dispute = make_dispute(OrderFactory(**order_kwargs), **extra)
    dispute = walk_to(dispute, "executing")
    AfterSaleOrder.objects.filter(dispute=dispute, version=1).delete()
    dispute.refresh_from_db()
    return dispute


def client(role: Role, language: str | None = None) -> ApiClient:
    return ApiClient(make_staff(role, team=Team.objects.get(is_default=True)), language)


def department_staff() -> dict[str, ApiClient]:
    """The case handler and the departments that carry after-sale orders out."""
    return {
        "agent": client(Role.AGENT),
        "finance": client(Role.FINANCE),
        "logistics": client(Role.LOGISTICS),
        "qc": client(Role.QUALITY_CONTROL),
    }


def orders_url(dispute, *rest) -> str:
    return "/".join([f"{URL}/{dispute.number}/aftersale-orders", *[str(r) for r in rest]])


def create(api: ApiClient, dispute, type_: str, **body):
    body = {"type": type_, "reason": REASON, **body}
    return api.post(orders_url(dispute), body)


def created(api: ApiClient, dispute, type_: str, **body) -> dict:
    response = create(api, dispute, type_, **body)
    assert response.status_code == 201, response.content.decode()
    return response.json()


def move(api: ApiClient, dispute, order: dict | str, path: str, body=None, headers=None):
    number = order if isinstance(order, str) else order["number"]
    return api.post(orders_url(dispute, number, path), body or {}, headers=headers)


def moved(api: ApiClient, dispute, order, path: str, body=None, headers=None) -> dict:
    response = move(api, dispute, order, path, body, headers)
    assert response.status_code == 200, f"{path}: {response.content.decode()}"
    return response.json()


def actions(order: dict) -> list[str]:
    return [a["action"] for a in order["allowed_actions"]]


def rewalk(dispute):
    """A dispute sent back to mediation, agreed again and executing once more (a new
    proposal sent and accepted); orders the new agreement made, untouched, removed."""
    # The first agreement's refund stays agreed: this time a goodwill compensation.
    dispute.refresh_from_db()
    proposals.proposal_create(
        dispute=dispute, actor=SYSTEM, remedies_raw=[{"code": "compensation", "amount": "10.00"}]
    )
    dispute = walk_to(dispute, "executing")
    AfterSaleOrder.objects.filter(dispute=dispute, version=1).delete()
    dispute.refresh_from_db()
    return dispute
