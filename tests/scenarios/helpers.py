"""Real cases pushed through the public API the way staff would push them (issue 10's
acceptance: order, dispute, facts, entitlements, proposals).

Every step is an HTTP call: the order (`PUT /orders/{order_no}`, or inline at intake),
the complaint (`POST /disputes`), triage and investigation (`/actions`; the case meeting
and responsibility finding a complex or major dispute needs before a proposal goes out),
the case facts (`PUT /disputes/{n}/facts`, each fact by the role allowed to record it;
QC, legal and operations ask for a department task first, since they only see disputes
they have a task on), the entitlements (`GET`), proposals, approvals, sending, and the
customer's acceptance through the link they were sent. Only reads of what the customer
received (the outbound message) look at the database.

The complaint's day is the claim day every period counts to (the API takes no intake
date), so each case runs on a clock set to the day legal.md's example names: Django's
`timezone.now`, which every part of the product reads, starts there and ticks on."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone as django_timezone

from aftersales.disputes.models import Dispute
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.conftest import ApiClient
from tests.customer_link import last_link
from tests.factories import make_staff

API = "/api/v1"
SIGNED = "2025-03-03"  # legal.md §4's shared assumption: signed Mon 2025-03-03, day 7 = 03-10

# Who records which case fact: the examples (fraud legal or operations, defect QC,
# loss legal or team lead); findings about what the merchant did or knew go to legal, the
# state of the returned goods to the team lead (who may judge goods as QC does). Facts not
# named here are the handling agent's (order details, repair history, food).
RECORDED_BY: dict[str, Role] = {
    "fraud": Role.LEGAL,
    "food_safety_violation": Role.LEGAL,
    "label_defect_only": Role.LEGAL,
    "known_defect_serious_harm": Role.LEGAL,
    "defect": Role.QUALITY_CONTROL,
    "intact": Role.TEAM_LEAD,
    "digital_unsealed": Role.TEAM_LEAD,
    "loss": Role.TEAM_LEAD,
}
# Roles that see a dispute only through a task of their department.
TASK_DEPARTMENT = {
    Role.LEGAL: "legal",
    Role.QUALITY_CONTROL: "quality_control",
    Role.OPERATIONS: "operations",
}
HANDLERS = (Role.AGENT, Role.TEAM_LEAD)

CPL55 = "消费者权益保护法第五十五条"
SANBAO = "部分商品修理更换退货责任规定"
# How a line or the agreement says the customer owes money (买家应补), not the merchant.
OWED_BY_CUSTOMER = re.compile(
    r"(顾客|买家|消费者)(应补|补交|补差|补足|需补|需支付|应支付|支付|应付)"
)


def put(api: ApiClient, path: str, body: Any):
    return api.client.put(
        path, data=json.dumps(body), content_type="application/json", headers=api.headers()
    )


# -- the order ---------------------------------------------------------------------------


def line(
    product: str,
    paid: str,
    *,
    sku: str,
    goods_kind: str = "general",
    three_guarantees: bool = False,
    warranty_days: int = 0,
    bundle: list[dict[str, str]] | None = None,
    line_no: str = "1",
) -> dict[str, Any]:
    out = {
        "line_no": line_no,
        "product": product,
        "sku": sku,
        "goods_kind": goods_kind,
        "three_guarantees": three_guarantees,
        "warranty_days": warranty_days,
        "quantity": 1,
        "unit_price": paid,
        "paid": paid,
    }
    if bundle is not None:
        out["bundle"] = bundle
    return out


@dataclass(frozen=True)
class Buyer:
    name: str
    phone: str
    account: str


def order_body(
    order_no: str,
    lines: list[dict[str, Any]],
    *,
    buyer: Buyer,
    received_on: str = SIGNED,
    store: str = "暖家电器旗舰店",
    platform: str = "tmall",
    channel: str = "online",
) -> dict[str, Any]:
    """The issue's order body: paid three days before signing, shipped the day before."""
    signed = dt.date.fromisoformat(received_on)
    paid = signed - dt.timedelta(days=3)
    shipped = signed - dt.timedelta(days=1)
    return {
        "store": store,
        "platform": platform,
        "platform_order_no": f"38{order_no[-10:]:0>10}",
        "channel": channel,
        "payment_channel": "alipay",
        "buyer": {"name": buyer.name, "phone": buyer.phone, "account": buyer.account},
        "address": "浙江省杭州市西湖区文三路 1 号",
        "paid_at": f"{paid.isoformat()}T10:00:00+08:00",
        "shipped_at": f"{shipped.isoformat()}T09:00:00+08:00",
        "received_on": received_on,
        "carrier": "SF",
        "tracking_no": f"SF{order_no[-10:]:0>10}",
        "lines": lines,
    }


# -- the people --------------------------------------------------------------------------


class Clock:
    """`django.utils.timezone.now` from a chosen moment on, ticking with real time."""

    def __init__(self, monkeypatch) -> None:
        self._monkeypatch = monkeypatch

    def set(self, moment: str) -> None:
        start = dt.datetime.fromisoformat(moment).astimezone(dt.UTC)
        began = time.monotonic()

        def now() -> dt.datetime:
            return start + dt.timedelta(seconds=time.monotonic() - began)

        self._monkeypatch.setattr(django_timezone, "now", now)


class Staff:
    """One staff member per role, each with a bearer token; handlers in the default team
    (where new disputes are routed). The clock the case runs on."""

    def __init__(self, clock: Clock) -> None:
        self._clients: dict[Role, ApiClient] = {}
        self.clock = clock

    def __call__(self, role: Role) -> ApiClient:
        if role not in self._clients:
            team = Team.objects.get(is_default=True) if role in HANDLERS else None
            self._clients[role] = ApiClient(make_staff(role, team=team))
        return self._clients[role]


# -- the case ----------------------------------------------------------------------------


def ok(response, *statuses: int) -> dict[str, Any]:
    assert response.status_code in (statuses or (200,)), (
        response.status_code,
        response.content.decode(),
    )
    return response.json()


@dataclass
class Case:
    staff: Staff
    number: str
    departments: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"{API}/disputes/{self.number}"

    def detail(self) -> dict[str, Any]:
        return ok(self.staff(Role.AGENT).get(self.url))

    def act(self, action: str, **extra) -> dict[str, Any]:
        version = self.detail()["version"]
        body = {"action": action, "version": version, **extra}
        return ok(self.staff(Role.AGENT).post(f"{self.url}/actions", body))

    def investigate(self) -> Case:
        """Triage and investigate; on a complex or major dispute the team lead's case
        meeting and the responsibility finding the proposal must follow."""
        self.act("triage")
        body = self.act("investigate")
        assert body["status"] == "investigating", body
        if body["severity"] in ("complex", "major"):
            meeting = {
                "held_at": django_timezone.now().isoformat(),
                "attendees": ["组长", "质检", "法务"],
                "minutes": "核实订单、质检结论与顾客诉求，依法提出调解方案。",
                "decisions": ["依法提出调解方案"],
            }
            ok(self.staff(Role.TEAM_LEAD).post(f"{self.url}/meetings", meeting), 201)
            finding = {"shares": {"merchant": 100}, "root_causes": ["supplier_quality"]}
            ok(self.staff(Role.AGENT).post(f"{self.url}/responsibility", finding), 201)
        return self

    def _ensure_task(self, role: Role, reason: str) -> None:
        department = TASK_DEPARTMENT.get(role)
        if department is None or department in self.departments:
            return
        tasks = ok(self.staff(Role.AGENT).get(f"{self.url}/investigation"))["tasks"]
        if not any(t["department"] == department for t in tasks):
            body = {"department": department, "note": reason}
            ok(self.staff(Role.AGENT).post(f"{self.url}/tasks", body), 200, 201)
        self.departments.add(department)

    def record(self, reason: str, **facts: Any) -> dict[str, Any]:
        """PUT the facts, each group by the role that may record it; the last answer
        (every fact of the dispute)."""
        groups: dict[Role, dict[str, Any]] = {}
        for name, value in facts.items():
            groups.setdefault(RECORDED_BY.get(name, Role.AGENT), {})[name] = value
        body: dict[str, Any] = {}
        for role, group in groups.items():
            self._ensure_task(role, reason)
            payload = {"facts": group, "reason": reason, "evidence_ids": []}
            body = ok(put(self.staff(role), f"{self.url}/facts", payload))
            for name in group:
                assert name in body["facts"], (name, body)
        return body

    def entitlements(self) -> dict[str, Any]:
        body = ok(self.staff(Role.AGENT).get(f"{self.url}/entitlements"))
        assert body["evaluated"] is True, body
        return body

    # -- proposals --

    def propose(self, remedies: list[dict[str, Any]], *, by: Role = Role.AGENT):
        return self.staff(by).post(f"{self.url}/proposals", {"remedies": remedies})

    def revise(self, pid: int, remedies: list[dict[str, Any]], reason: str, *, by=Role.AGENT):
        body = {"remedies": remedies, "reason": reason}
        return self.staff(by).post(f"{self.url}/proposals/{pid}/revisions", body)

    def send(self, pid: int, *, by: Role = Role.AGENT):
        return self.staff(by).post(f"{self.url}/proposals/{pid}/send")

    def approve(self, pid: int, by: Role, reason: str = "同意"):
        return self.staff(by).post(f"{self.url}/proposals/{pid}/approve", {"reason": reason})

    def accept(self, pid: int) -> dict[str, Any]:
        """The customer accepts through the link of the latest proposal message."""
        token, code = last_link(Dispute.objects.get(number=self.number))
        customer = Client(REMOTE_ADDR="203.0.113.7")
        response = customer.post(
            f"{self.url}/proposals/{pid}/accept",
            data={"code": code},
            content_type="application/json",
            headers={"X-Customer-Token": token, "User-Agent": "pytest-browser"},
        )
        return ok(response)

    def agreement_text(self, pid: int) -> str:
        """The settlement agreement's text, whitespace removed (pdftotext)."""
        api = self.staff(Role.AGENT)
        pdf = api.client.get(f"{self.url}/proposals/{pid}/agreement.pdf", headers=api.headers())
        assert pdf.status_code == 200, pdf.content[:500]
        out = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        return "".join(out.split())


def has_poppler() -> bool:
    return bool(shutil.which("pdftotext"))


def file_case(
    staff: Staff,
    order: dict[str, Any],
    order_no: str,
    *,
    claim_on: str,
    description: str,
    expectation: str,
    inline: bool = False,
    channel: str = "api",
    claimed_amount: str | None = None,
    amount_paid: bool = True,
) -> Case:
    """The order (PUT, or inline at intake when the agent takes a call for an order no
    import brought in), then the complaint, received on `claim_on` at 10:00 Shanghai."""
    staff.clock.set(f"{claim_on}T10:00:00+08:00")
    agent = staff(Role.AGENT)
    if not inline:
        ok(put(agent, f"{API}/orders/{order_no}", order), 200, 201)
    (first,) = order["lines"][:1]
    body: dict[str, Any] = {
        "channel": channel,
        "order_no": order_no,
        "customer": {"name": order["buyer"]["name"], "phone": order["buyer"]["phone"]},
        "product_name": first["product"],
        "description": description,
        "expectation": expectation,
    }
    if amount_paid:  # the agent types what the customer paid for the product
        body["amount_paid"] = first["paid"]
    if claimed_amount is not None:
        body["claimed_amount"] = claimed_amount
    if inline:
        body["order"] = order
    created = ok(agent.post(f"{API}/disputes", body), 201)
    assert created["order_no"] == order_no
    assert created["received_at"].startswith(claim_on), created["received_at"]
    return Case(staff, created["number"])


# -- reading the answers -----------------------------------------------------------------


def fields_of(response) -> dict[str, str]:
    """The fields a 422 names."""
    assert response.status_code == 422, (response.status_code, response.content.decode())
    return response.json()["error"]["fields"]


def by_remedy(entitlements: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["remedy"]: e for e in entitlements["entitlements"]}


def current(proposal: dict[str, Any]) -> dict[str, Any]:
    (revision,) = [r for r in proposal["revisions"] if r["number"] == proposal["current_revision"]]
    return revision


def approvers(revision: dict[str, Any]) -> list[str]:
    return sorted(r["role"] for r in revision["required_approvals"])


def shortfall_codes(revision: dict[str, Any]) -> list[str]:
    return sorted(s["code"] for s in revision["shortfalls"])


def falls_short_of(revision: dict[str, Any], *remedies: str) -> bool:
    """Some shortfall names one of `remedies` among those it falls short of."""
    named = {r.strip() for s in revision["shortfalls"] for r in str(s["remedy"]).split(",")}
    return bool(named & set(remedies))
