"""Issue 11 item 16: every role at every door, as the matrix says (docs/permissions.md).

The doors are enumerated from the Ninja API and the workbench URLs, so a new endpoint
fails here until aftersales.api.permission_matrix has a row for it. Each role calls each
door over HTTP on a dispute in its scope, then again with the dispute moved out of it
(another team, no department task), each call rolled back; a customer calls with the
customer link. What happens is compared with `permission_matrix.expected`: allowed
(anything but 401/403/404 and never a 500), 403, 404 or 401 — and a refused or hidden
call changes nothing on the timeline."""

import datetime as dt
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, reverse
from django.utils import timezone

from aftersales.api import permission_matrix as matrix
from aftersales.api.api import api
from aftersales.disputes.evidence import evidence_add
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.fulfilment.models import Parcel
from aftersales.fulfilment.parcels import parcel_add
from aftersales.mediation.investigation import task_request
from aftersales.mediation.models import Proposal
from aftersales.mediation.proposals import proposal_create, proposal_send
from aftersales.notifications.models import Notification
from aftersales.parties.models import ApiToken
from aftersales.parties.roles import TASK_DEPARTMENT_OF_ROLE, Role
from aftersales.parties.services import token_create
from aftersales.triage.models import GroupComplaint
from aftersales.workbench import urls as workbench_urls
from tests.customer_link import last_link
from tests.factories import (
    OrderFactory,
    TeamFactory,
    make_dispute,
    make_execution,
    make_staff,
    step,
)

LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"


def api_operations() -> set[tuple[str, str]]:
    """(method, path under /api/v1) of every operation the API routes."""
    found = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    found.add((method, f"{prefix}{path}".rstrip("/") or "/"))
    return found


def workbench_pages() -> set[str]:
    return {
        f"{workbench_urls.app_name}:{p.name}"
        for p in workbench_urls.urlpatterns
        if isinstance(p, URLPattern)
    }


def test_every_api_operation_has_a_row_in_the_matrix():
    rows = {door.key for door in matrix.API_DOORS}
    assert sorted(api_operations() - rows) == [], "endpoints without a matrix row"
    assert sorted(rows - api_operations()) == [], "matrix rows for no endpoint"


def test_every_workbench_page_has_a_row_in_the_matrix():
    rows = {door.path for door in matrix.PAGE_DOORS if door.path.startswith("workbench:")}
    assert workbench_pages() == rows


def test_the_doc_prints_the_matrix():
    text = matrix.DOC.read_text(encoding="utf-8")
    assert matrix.documented(text) == matrix.render(), (
        "docs/permissions.md differs from the matrix: "
        "python -m aftersales.api.permission_matrix --write"
    )


# -- the world every door is tried in ----------------------------------------------------


class World:
    """Staff per role (handlers in the dispute's team); `main`: an escalated dispute with
    an open task for every department, a proposal waiting for the team lead's and legal's
    approval, a group-complaint candidate, an after-sale order (a re-shipment) with our
    parcel on its way; `sent`: a proposal sent to the customer, an after-sale order;
    `settled`: a settlement agreement. Customer links for `sent` and `settled`. Neither
    `main` nor `sent` is being executed: the after-sale doors let the granted roles in
    and answer them 409 (the move is not open now) or do it."""

    def __init__(self):
        from aftersales.parties.models import Team

        self.team = Team.objects.get(is_default=True)
        self.other_team = TeamFactory(code="team-out", name="调解外组")
        self.author = make_staff(Role.AGENT, team=self.team, username="author")
        self.users = {
            role: make_staff(
                role,
                team=self.team if role in (Role.AGENT, Role.TEAM_LEAD) else None,
                username=f"as-{role.value}",
            )
            for role in Role
        }
        self.tokens = {role: token_create(user=user) for role, user in self.users.items()}
        self.task_ids: dict[int, dict[str, int]] = {}
        self.order = OrderFactory(received_at=timezone.now() - dt.timedelta(days=3))

        self.main = self._investigating(self.order)
        step(self.main, "escalate", actor=self.author, reason="顾客向消协投诉")
        self._tasks(self.main)
        # Above the agent's ceiling (team lead) and below the statutory minimum (legal).
        self.proposal = proposal_create(
            dispute=self.main,
            actor=self.author,
            remedies_raw=[{"code": "compensation", "amount": "300.00"}],
        )
        self.escalation = self.main.escalations.get()
        upload = SimpleUploadedFile("chat.txt", "顾客：热水器漏水了。\n".encode(), "text/plain")
        self.evidence = evidence_add(dispute=self.main, upload=upload, actor=self.author).evidence
        self.group = GroupComplaint.objects.create(
            product_name="电热水器", created_at=timezone.now()
        )
        self.group.disputes.add(self.main)
        self.notes = {
            role: Notification.objects.create(
                recipient=user, kind="assigned", title="分派给您", created_at=timezone.now()
            )
            for role, user in self.users.items()
        }

        self.sent = self._investigating(
            OrderFactory(received_at=timezone.now() - dt.timedelta(days=20))
        )
        self.sent_proposal = self._sent_proposal(self.sent)
        self.settled = self._investigating(
            OrderFactory(received_at=timezone.now() - dt.timedelta(days=20))
        )
        self.settled_proposal = self._sent_proposal(self.settled)
        self.link = {self.sent.pk: self._link(self.sent), self.settled.pk: self._link(self.settled)}
        token, code = self.link[self.settled.pk]
        response = Client().post(
            f"/api/v1/disputes/{self.settled.number}/proposals/{self.settled_proposal.pk}/accept",
            {"code": code},
            content_type="application/json",
            headers={"X-Customer-Token": token},
        )
        assert response.status_code == 200, response.content
        self._tasks(self.settled)
        now = timezone.now()
        self.aftersale = {
            d.pk: make_execution(d, at=now, kind="reship", amount=None)
            for d in (self.main, self.sent)
        }
        with transaction.atomic():
            self.parcel = parcel_add(
                self.aftersale[self.main.pk],
                direction=Parcel.Direction.TO_CUSTOMER,
                carrier="顺丰",
                tracking_no="SF0001",
                actor=self.author,
                at=now,
            )

    def _investigating(self, order) -> Dispute:
        dispute = make_dispute(order, description=LEAK, actor=self.author)
        step(dispute, "triage", actor=self.author)
        return step(dispute, "investigate", actor=self.author)

    def _tasks(self, dispute: Dispute) -> None:
        for department in TASK_DEPARTMENT_OF_ROLE.values():
            if not dispute.tasks.filter(department=department, state="open").exists():
                task_request(dispute=dispute, actor=self.author, department=department)
        self.task_ids[dispute.pk] = {
            t.department: t.pk for t in dispute.tasks.filter(state="open").order_by("-id")
        }

    def _sent_proposal(self, dispute: Dispute) -> Proposal:
        proposal = proposal_create(
            dispute=dispute,
            actor=self.author,
            remedies_raw=[{"code": "compensation", "amount": "50.00"}],
        )
        proposal_send(proposal=proposal, actor=self.author)
        return proposal

    def _link(self, dispute: Dispute) -> tuple[str, str]:
        """The customer link and one-time code the customer received with the proposal."""
        return last_link(dispute)

    # -- which objects a door is tried on --

    def dispute_for(self, door: matrix.Door) -> Dispute:
        if door.path.endswith("/agreement.pdf"):
            return self.settled
        if door.who is None:
            return self.sent
        return self.main

    def params(self, door: matrix.Door, role: Role | None) -> dict:
        dispute = Dispute.objects.get(pk=self.dispute_for(door).pk)
        proposal = {
            self.main.pk: self.proposal,
            self.sent.pk: self.sent_proposal,
            self.settled.pk: self.settled_proposal,
        }[dispute.pk]
        department = TASK_DEPARTMENT_OF_ROLE.get(role, "quality_control")
        # Looked up by id: out of scope, the tasks no longer name their departments.
        task = self.task_ids.get(dispute.pk, {}).get(department)
        return {
            "number": dispute.number,
            "proposal_id": proposal.pk,
            "escalation_id": self.escalation.pk,
            "evidence_id": self.evidence.pk,
            "group_id": self.group.pk,
            "notification_id": self.notes[role or Role.AGENT].pk,
            "task_id": task,
            "order_no": self.order.order_no,
            "order_number": self.aftersale[dispute.pk].number
            if dispute.pk in self.aftersale
            else "",
            "parcel_id": self.parcel.pk,
            # The caller's own API token (the tokens page revokes one's own).
            "token_id": ApiToken.objects.get(
                key_hash=ApiToken.hash_key(self.tokens[role or Role.AGENT])
            ).pk,
        }

    def move_out_of_scope(self, dispute: Dispute) -> None:
        """Another team's dispute, no department's task on it."""
        Dispute.objects.filter(pk=dispute.pk).update(team=self.other_team, assignee=None)
        Task.objects.filter(dispute=dispute).update(department="customer_service")


def _fact_for(role: Role | None) -> str:
    from aftersales.disputes.grants import FACT_RECORDERS

    return next((n for n, roles in FACT_RECORDERS.items() if role in roles), "defect")


def body(door: matrix.Door, world: World, role: Role | None) -> dict:
    """A request body the door accepts from those it lets in."""
    version = Dispute.objects.get(pk=world.dispute_for(door).pk).version
    today = timezone.localdate().isoformat()
    path = door.path
    bodies = {
        ("POST", "/disputes"): {
            "channel": "phone",
            "order_no": world.order.order_no,
            "customer": {"name": "王五", "phone": "13700001111"},
            "description": "快递一直没有送到，要求退款。",
        },
        ("POST", "/actions"): {"action": "close", "version": version, "reason": "消协调解结束"},
        ("POST", "/assignment"): {"version": version, "assignee": world.author.username},
        ("POST", "/classification"): {
            "version": version,
            "severity": "complex",
            "reason": "涉及财产损失",
        },
        ("POST", "/pause"): {"reason": "等待顾客补充照片"},
        ("POST", "/resume"): {"reason": "顾客已补充照片"},
        ("POST", "/decision"): {"confirm": False, "reason": "问题各不相同"},
        ("POST", "/read"): {},
        ("POST", "/contacts"): {
            "channel": "phone",
            "direction": "outbound",
            "summary": "已致电顾客",
        },
        ("POST", "/notes"): {"text": "内部备注"},
        ("POST", "/messages"): {"text": "您好，已收到您的留言。"},
        ("POST", "/follow-up"): {"reached": False, "channel": "phone"},
        ("POST", "/qc-notify"): {"note": "商品已寄到质检"},
        ("POST", "/conclude"): {"summary": "调查完毕"},
        ("POST", "/evidence"): {},  # multipart: see `call`
        ("POST", "/proposals"): {"remedies": [{"code": "compensation", "amount": "80.00"}]},
        ("POST", "/revisions"): {
            "remedies": [{"code": "compensation", "amount": "120.00"}],
            "reason": "组长建议调整",
        },
        ("POST", "/approve"): {"reason": "同意"},
        ("POST", "/refuse"): {"reason": "金额过高"},
        ("POST", "/send"): {},
        ("POST", "/withdraw"): {"reason": "改由消协调解"},
        ("POST", "/accept"): {"code": world.link[world.sent.pk][1]},
        ("POST", "/reject"): {"message": "不同意"},
        ("POST", "/counter"): {"amount": "80.00", "message": "希望多补一点"},
        ("POST", "/tasks"): {"department": "legal", "note": "请出具法律意见"},
        ("POST", "/report"): {"text": "已核查，情况属实。"},
        ("POST", "/meetings"): {
            "held_at": timezone.now().isoformat(),
            "attendees": ["李建国", "王晓敏"],
            "minutes": "讨论赔偿方案",
            "decisions": ["先行补偿"],
        },
        ("POST", "/responsibility"): {"shares": {"merchant": 100}, "root_causes": []},
        ("POST", "/escalations"): {
            "version": version,
            "route": "regulator",
            "reason": "顾客向 12315 投诉",
        },
        ("POST", "/acceptance"): {"accepted_on": today},
        ("POST", "/outcome"): {"outcome": "mediated", "concluded_on": today},
        ("PUT", "/facts"): {"facts": {_fact_for(role): None}, "reason": "核实后撤回"},
        ("PUT", "/{order_no}"): {
            "store": "暖家电器旗舰店",
            "platform": "tmall",
            "paid_at": "2026-11-28T10:00:00+08:00",
            "lines": [
                {"product": "空气炸锅", "sku": "AF-55", "quantity": 1, "unit_price": "329.00"}
            ],
        },
        # After-sale orders: the staff's doors and the customer's (same bodies where
        # both have a door ending alike: /return-shipment, /arrival, /delivery).
        ("POST", "/aftersale-orders"): {"type": "reship", "reason": "电话中另行约定"},
        ("POST", "/cancel"): {"reason": "顾客改变主意"},
        ("POST", "/finance-approval"): {},
        ("POST", "/payout"): {"reference": "ALI-1", "idempotency_key": "m-1"},
        ("POST", "/bounce"): {"reason": "银行卡已注销"},
        ("POST", "/customer-payment"): {
            "amount": "10.00",
            "reference": "WX-1",
            "idempotency_key": "m-2",
        },
        ("POST", "/arrival"): {},
        ("POST", "/return-address"): {"address": "上海市售后仓"},
        ("POST", "/return-shipment"): {"carrier": "顺丰", "tracking_no": "SF1"},
        ("POST", "/receipt"): {},
        ("POST", "/inspection"): {
            "passed": True,
            "report": "完好",
            "good_quantity": 1,
            "defective_quantity": 0,
        },
        ("POST", "/shipment"): {"carrier": "顺丰", "tracking_no": "SF1"},
        ("POST", "/delivery"): {},
        ("POST", "/out-of-stock"): {"reason": "该型号已停产"},
        ("POST", "/repair-start"): {},
        ("POST", "/repair"): {
            "fault": "不加热",
            "technician": "李师傅",
            "fixed": True,
            "started_on": today,
            "finished_on": today,
        },
        ("POST", "/coupon"): {"reference": "CPN-1"},
        ("POST", "/insurance-payout"): {"amount": "12.00", "reference": "INS-1"},
        ("POST", "/movements"): {"description": "已揽收"},
    }
    for (method, ending), data in bodies.items():
        if method == door.method and (path == ending or path.endswith(ending)):
            return data
    if door.method != "GET":
        raise AssertionError(f"no request body for {door.method} {path}: add one here")
    return {}


def call(door: matrix.Door, world: World, role: Role | None, *, customer_token=None):
    params = world.params(door, role)
    if not door.path.startswith("/"):
        client = Client()
        client.force_login(world.users[role])
        # POST pages get an empty form: refused roles 403 before any validation.
        send = client.post if door.method == "POST" else client.get
        response = send(reverse(door.path, kwargs=_page_kwargs(door, params)))
        if response.status_code == 302 and "/login/" in response["Location"]:
            return 403  # to the login page: not let in
        return response.status_code
    url = "/api/v1" + door.path.format(**params)
    headers = (
        {"X-Customer-Token": customer_token}
        if customer_token
        else {"Authorization": f"Bearer {world.tokens[role]}"}
    )
    client = Client()
    data = body(door, world, role)
    if door.method == "GET":
        params_qs = {"start": "2026-01-01", "end": "2026-01-31"} if "compliance" in url else {}
        return client.get(url, params_qs, headers=headers).status_code
    if door.path.endswith("/evidence"):
        upload = SimpleUploadedFile("chat.txt", "顾客：热水器漏水了。\n".encode(), "text/plain")
        return client.post(url, {"file": upload, "note": "聊天记录"}, headers=headers).status_code
    send = client.put if door.method == "PUT" else client.post
    return send(url, data, content_type="application/json", headers=headers).status_code


def _page_kwargs(door: matrix.Door, params: dict) -> dict:
    """The URL's own parameters (number, proposal_id, task_id, …), filled from `params`."""
    pattern = (
        next(
            p
            for p in workbench_urls.urlpatterns
            if isinstance(p, URLPattern) and f"{workbench_urls.app_name}:{p.name}" == door.path
        )
        if door.path.startswith("workbench:")
        else None
    )
    names = list(pattern.pattern.converters) if pattern is not None else []
    return {name: params[name] for name in names}


def outcome(status: int) -> str:
    return {
        401: matrix.UNAUTHENTICATED,
        403: matrix.REFUSED,
        404: matrix.HIDDEN,
        429: "429",
    }.get(status, matrix.ALLOWED if status < 500 else f"{status}")


class _Undo(Exception):
    pass


def tried(world: World, door: matrix.Door, role, *, in_scope: bool, customer=False):
    """What `role` (or the customer) gets at `door`, in a savepoint rolled back after."""
    dispute = world.dispute_for(door)
    result = {}
    try:
        with transaction.atomic():
            if not in_scope:
                world.move_out_of_scope(dispute)
            events = Event.objects.count()
            token = None
            if customer:
                other = world.settled if dispute.pk != world.settled.pk else world.sent
                mine = dispute if dispute.pk in world.link else world.sent
                token = world.link[(mine if in_scope else other).pk][0]
            result["got"] = outcome(call(door, world, role, customer_token=token))
            result["changed"] = Event.objects.count() != events
            raise _Undo
    except _Undo:
        pass
    return result["got"], result["changed"]


def _customer_expects(door: matrix.Door, in_scope: bool) -> str:
    if not door.customer:
        return matrix.UNAUTHENTICATED
    return matrix.ALLOWED if in_scope else matrix.HIDDEN


def disagreements(world: World, door: matrix.Door) -> list[str]:
    """Where `door` answers otherwise than the matrix says, for every role in and out of
    scope and for the customer. Out of scope is tried where it can differ: on a door
    naming a dispute, for a role that does not see every dispute."""
    wrong = []
    for role in matrix.ROLES:
        scopes = [True]
        if door.scoped and not matrix.sees_every_dispute(role):
            scopes.append(False)
        for in_scope in scopes:
            want = matrix.expected(door, role, in_scope=in_scope)
            got, changed = tried(world, door, role, in_scope=in_scope)
            if got != want:
                wrong.append(f"{door.method} {door.path} as {role} ({in_scope=}): {got} ≠ {want}")
            elif got != matrix.ALLOWED and changed:
                wrong.append(f"{door.method} {door.path} as {role}: refused but wrote events")
    if door.path.startswith("/"):
        for in_scope in (True, False) if door.customer else (True,):
            want = _customer_expects(door, in_scope)
            got, _changed = tried(world, door, None, in_scope=in_scope, customer=True)
            if got != want:
                wrong.append(f"{door.method} {door.path} as customer ({in_scope=}): {got} ≠ {want}")
    return wrong


@override_settings(MEDIA_ROOT=Path(tempfile.mkdtemp(prefix="role-matrix-")))
class TestRoleMatrix(TestCase):
    """One test per door (generated below), all in one world built once per class."""

    shared: ClassVar[dict] = {}  # a container, so TestCase does not copy the world per test

    @classmethod
    def setUpTestData(cls):
        cls.shared["world"] = World()

    def test_the_world_is_what_the_matrix_needs(self):
        """The proposal waits on both approvals the matrix tries (team lead's, legal's)."""
        world = self.shared["world"]
        revision = world.proposal.revisions.get()
        assert {r["role"] for r in revision.required_approvals} == {"team_lead", "legal"}
        assert revision.total_amount == Decimal("300.00")
        assert world.main.escalations.count() == 1


def _door_test(door: matrix.Door):
    def test(self):
        wrong = disagreements(self.shared["world"], door)
        assert wrong == [], "\n".join(["the door disagrees with the matrix:", *wrong])

    test.__doc__ = f"{door.method} {door.path}: every role as the matrix says."
    return test


for _door in matrix.DOORS:
    _name = re.sub(r"\W+", "_", f"test_{_door.method}_{_door.path}").strip("_").lower()
    setattr(TestRoleMatrix, _name, _door_test(_door))
