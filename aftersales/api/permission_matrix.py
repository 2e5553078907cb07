"""The permission matrix: every door staff and customers come through (each operation of
the REST API, each workbench page, the admin site) and the operation it asks the
permissions module about (aftersales.disputes.grants). docs/permissions.md prints it;
tests/security/test_role_matrix.py walks it — every role against every door, on a
dispute in and out of the user's scope — and fails on a door missing here.

Regenerate the doc after a change: `python -m aftersales.api.permission_matrix --write`."""

import sys
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation

from aftersales.disputes.grants import (
    ACTION_GRANTS,
    GRANTS,
    OP_LABELS,
    READ_ALL,
    Op,
    roles_granted,
)
from aftersales.disputes.states import Action
from aftersales.parties.roles import Role

ROLES: tuple[Role, ...] = tuple(Role)


@dataclass(frozen=True)
class Door:
    """One way in. `who`: the operation (or lifecycle action) asked; None for the
    customer's doors, which staff credentials do not open. `scoped`: it names a dispute,
    which answers 404 outside the user's scope. `customer`: the customer link
    (X-Customer-Token) opens it too, for the customer's own dispute only."""

    method: str
    path: str  # API: under /api/v1, as routed; pages: the URL name
    who: Op | Action | None
    scoped: bool = True
    customer: bool = False
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


D = "/disputes/{number}"
P = D + "/proposals/{proposal_id}"
A = D + "/aftersale-orders"
AO = A + "/{order_number}"
C = D + "/customer/aftersale-orders"
IN_SCOPE = "rows of the disputes in scope"

API_DOORS: tuple[Door, ...] = (
    Door("POST", "/disputes", Op.CREATE_DISPUTE, scoped=False),
    Door("GET", "/disputes", Op.VIEW_DISPUTE, scoped=False, note="the user's scope only"),
    Door("GET", D, Op.VIEW_DISPUTE),
    Door("POST", D + "/actions", Action.CLOSE, note="per action: see the actions table"),
    Door("POST", D + "/assignment", Op.ASSIGN),
    Door("POST", D + "/evidence", Op.ADD_EVIDENCE),
    Door("GET", D + "/evidence/{evidence_id}", Op.VIEW_DISPUTE, note="recorded on the timeline"),
    Door("GET", D + "/contact", Op.REVEAL_CONTACT),
    Door("POST", D + "/classification", Op.RECLASSIFY),
    Door("POST", D + "/contacts", Op.RECORD_CONTACT, note="the first stops 首次联系"),
    Door("POST", D + "/notes", Op.ADD_NOTE),
    Door("GET", D + "/messages", Op.VIEW_DISPUTE, note="both ways, with delivery state"),
    Door("GET", D + "/messages/templates", Op.VIEW_DISPUTE),
    Door("POST", D + "/messages", Op.RECORD_CONTACT, note="a written reply to the customer"),
    Door("GET", D + "/customer/messages", None, customer=True),
    Door("POST", D + "/customer/messages", None, customer=True),
    Door("GET", D + "/timers", Op.VIEW_DISPUTE),
    Door("POST", D + "/timers/pause", Op.PAUSE_TIMERS),
    Door("POST", D + "/timers/resume", Op.PAUSE_TIMERS),
    Door("GET", "/group-complaints", Op.VIEW_DISPUTE, scoped=False, note="those in scope"),
    Door(
        "POST",
        "/group-complaints/{group_id}/decision",
        Op.DECIDE_GROUP_COMPLAINT,
        note="a group of disputes in scope",
    ),
    Door("GET", "/notifications", Op.READ_OWN_NOTIFICATIONS, scoped=False),
    Door(
        "POST",
        "/notifications/{notification_id}/read",
        Op.READ_OWN_NOTIFICATIONS,
        scoped=False,
        note="one's own; another's is 404",
    ),
    Door("GET", "/daily-checks", Op.SEE_DAILY_CHECKS, scoped=False),
    Door("GET", "/sla/compliance", Op.VIEW_SLA_FIGURES, scoped=False),
    Door("GET", D + "/entitlements", Op.VIEW_DISPUTE),
    Door("GET", D + "/proposals", Op.VIEW_PROPOSALS),
    Door("POST", D + "/proposals", Op.PROPOSE),
    Door("GET", D + "/proposals/template", Op.VIEW_PROPOSALS),
    Door("GET", P, Op.VIEW_PROPOSALS),
    Door("POST", P + "/revisions", Op.PROPOSE),
    Door("POST", P + "/approve", Op.APPROVE_PROPOSALS, note="within the approver's ceiling"),
    Door("POST", P + "/refuse", Op.APPROVE_PROPOSALS, note="within the approver's ceiling"),
    Door("POST", P + "/send", Op.PROPOSE),
    Door("POST", P + "/withdraw", Op.PROPOSE),
    Door("GET", P + "/customer", None, customer=True),
    Door("POST", P + "/accept", None, customer=True),
    Door("POST", P + "/reject", None, customer=True),
    Door("POST", P + "/counter", None, customer=True),
    Door("GET", P + "/agreement.pdf", Op.VIEW_PROPOSALS, customer=True),
    Door("GET", D + "/investigation", Op.VIEW_DISPUTE),
    Door("POST", D + "/tasks", Op.REQUEST_TASK),
    Door(
        "POST",
        D + "/tasks/{task_id}/report",
        Op.FILE_TASK_REPORT,
        note="the caller's own department's task (admins: any)",
    ),
    Door(
        "POST",
        D + "/tasks/{task_id}/qc-notify",
        Op.REQUEST_TASK,
        note="a quality-control task of the dispute",
    ),
    Door("POST", D + "/investigation/conclude", Op.PROPOSE),
    Door("POST", D + "/meetings", Op.RECORD_CASE_MEETING),
    Door("POST", D + "/responsibility", Op.DETERMINE_RESPONSIBILITY),
    Door("POST", D + "/escalations", Op.ESCALATE),
    Door("POST", D + "/escalations/{escalation_id}/acceptance", Op.RECORD_ESCALATION_PROGRESS),
    Door("POST", D + "/escalations/{escalation_id}/outcome", Op.RECORD_ESCALATION_PROGRESS),
    Door("GET", D + "/follow-up", Op.VIEW_DISPUTE),
    Door("POST", D + "/follow-up", Op.RECORD_FOLLOW_UP, note="closes or reopens the dispute"),
    Door("GET", D + "/facts", Op.VIEW_DISPUTE),
    Door("PUT", D + "/facts", Op.RECORD_FACTS, note="facts the role records (FACT_RECORDERS)"),
    Door("PUT", "/orders/{order_no}", Op.RECORD_ORDERS, scoped=False),
    Door("GET", "/orders/{order_no}", Op.VIEW_ORDERS, scoped=False),
    Door("GET", A, Op.VIEW_DISPUTE),
    Door("POST", A, Op.RECORD_EXECUTION, note="by hand, with a reason"),
    Door("GET", AO, Op.VIEW_DISPUTE),
    Door("POST", AO + "/cancel", Op.RECORD_EXECUTION),
    Door("POST", AO + "/finance-approval", Op.PAY_OUT),
    Door("POST", AO + "/payout", Op.PAY_OUT),
    Door("POST", AO + "/bounce", Op.PAY_OUT),
    Door("POST", AO + "/customer-payment", Op.PAY_OUT),
    Door("POST", AO + "/arrival", Op.RECORD_EXECUTION, note="on the customer's word"),
    Door("POST", AO + "/return-address", Op.RECORD_EXECUTION),
    Door("POST", AO + "/return-shipment", Op.RECORD_EXECUTION, note="on the customer's word"),
    Door("POST", AO + "/receipt", Op.TRACK_PARCEL),
    Door("POST", AO + "/inspection", Op.INSPECT_GOODS),
    Door("POST", AO + "/shipment", Op.TRACK_PARCEL),
    Door("POST", AO + "/delivery", Op.RECORD_EXECUTION, note="on the customer's word"),
    Door("POST", AO + "/out-of-stock", Op.TRACK_PARCEL),
    Door("POST", AO + "/repair-start", Op.INSPECT_GOODS),
    Door("POST", AO + "/repair", Op.INSPECT_GOODS),
    Door("POST", AO + "/coupon", Op.ISSUE_COUPON),
    Door("POST", AO + "/insurance-payout", Op.PAY_OUT),
    Door("POST", D + "/parcels/{parcel_id}/movements", Op.TRACK_PARCEL),
    Door("GET", "/aftersale-orders/payouts", Op.SEE_PAYOUT_LIST, scoped=False, note=IN_SCOPE),
    Door("GET", "/aftersale-orders/insurance", Op.SEE_PAYOUT_LIST, scoped=False, note=IN_SCOPE),
    Door("GET", "/aftersale-orders/returns", Op.SEE_PARCEL_LIST, scoped=False, note=IN_SCOPE),
    Door("GET", "/aftersale-orders/shipments", Op.SEE_PARCEL_LIST, scoped=False, note=IN_SCOPE),
    Door("GET", C, None, customer=True),
    Door("POST", C + "/{order_number}/return-shipment", None, customer=True),
    Door("POST", C + "/{order_number}/arrival", None, customer=True),
    Door("POST", C + "/{order_number}/delivery", None, customer=True),
)

PAGE_DOORS: tuple[Door, ...] = (
    Door("GET", "workbench:dispute_list", Op.VIEW_DISPUTE, scoped=False),
    Door("GET", "workbench:dispute_detail", Op.VIEW_DISPUTE),
    Door("GET", "workbench:api_tokens", Op.MANAGE_OWN_API_TOKENS, scoped=False),
    Door("POST", "workbench:api_token_create", Op.MANAGE_OWN_API_TOKENS, scoped=False),
    Door(
        "POST",
        "workbench:api_token_revoke",
        Op.MANAGE_OWN_API_TOKENS,
        scoped=False,
        note="one's own; anyone's: manage_api_tokens (admin)",
    ),
    Door("POST", "workbench:dispute_action_triage", Action.TRIAGE),
    Door("POST", "workbench:dispute_action_investigate", Action.INVESTIGATE),
    Door("POST", "workbench:dispute_action_reject", Action.REJECT),
    Door("POST", "workbench:dispute_action_complete", Action.COMPLETE),
    Door("POST", "workbench:dispute_action_close", Action.CLOSE),
    Door("POST", "workbench:dispute_action_reopen", Action.REOPEN),
    Door("POST", "workbench:dispute_action_withdraw", Action.WITHDRAW),
    Door("POST", "workbench:dispute_assign", Op.ASSIGN),
    Door("POST", "workbench:dispute_reclassify", Op.RECLASSIFY),
    Door("POST", "workbench:dispute_timers_pause", Op.PAUSE_TIMERS),
    Door("POST", "workbench:dispute_timers_resume", Op.PAUSE_TIMERS),
    Door("POST", "workbench:dispute_reveal", Op.REVEAL_CONTACT, note="recorded on the timeline"),
    Door("POST", "workbench:dispute_evidence_upload", Op.ADD_EVIDENCE),
    Door(
        "GET", "workbench:dispute_evidence_file", Op.VIEW_DISPUTE, note="recorded on the timeline"
    ),
    Door("POST", "workbench:dispute_contact", Op.RECORD_CONTACT),
    Door("POST", "workbench:dispute_note", Op.ADD_NOTE),
    Door("POST", "workbench:dispute_reply", Op.RECORD_CONTACT, note="a reply to the customer"),
    Door("POST", "workbench:reopen_decline", Action.REOPEN, note="closed, on request: lead"),
    Door("POST", "workbench:dispute_facts", Op.RECORD_FACTS, note="facts the role records"),
    Door("GET", "workbench:dispute_changes", Op.VIEW_DISPUTE, note="polled by the page"),
    Door("POST", "workbench:set_language", Op.VIEW_DISPUTE, scoped=False, note="anyone signed in"),
    Door("GET", "workbench:intake", Op.CREATE_DISPUTE, scoped=False),
    Door("POST", "workbench:intake", Op.CREATE_DISPUTE, scoped=False),
    Door("GET", "workbench:intake_orders", Op.CREATE_DISPUTE, scoped=False),
    Door("GET", "workbench:department_tasks", Op.SEE_DEPARTMENT_TASKS, scoped=False),
    Door("GET", "workbench:daily_checks", Op.SEE_DAILY_CHECKS, scoped=False),
    Door("GET", "workbench:sla_figures", Op.VIEW_SLA_FIGURES, scoped=False),
    Door("GET", "workbench:inbox", Op.READ_OWN_NOTIFICATIONS, scoped=False),
    Door("POST", "workbench:inbox_read", Op.READ_OWN_NOTIFICATIONS, scoped=False),
    Door("POST", "workbench:inbox_read_all", Op.READ_OWN_NOTIFICATIONS, scoped=False),
    Door("GET", "workbench:my_work", Op.VIEW_DISPUTE, scoped=False),
    Door("POST", "workbench:queue_bulk_assign", Op.ASSIGN, scoped=False),
    Door("POST", "workbench:queue_bulk_reject", Action.REJECT, scoped=False),
    Door("POST", "workbench:saved_view_save", Op.VIEW_DISPUTE, scoped=False),
    Door("POST", "workbench:saved_view_delete", Op.VIEW_DISPUTE, scoped=False),
    Door("POST", "workbench:task_request", Op.REQUEST_TASK),
    Door("POST", "workbench:task_report", Op.FILE_TASK_REPORT),
    Door("POST", "workbench:qc_notify", Op.REQUEST_TASK),
    Door("POST", "workbench:investigation_conclude", Op.PROPOSE),
    Door("POST", "workbench:case_meeting", Op.RECORD_CASE_MEETING),
    Door("POST", "workbench:responsibility", Op.DETERMINE_RESPONSIBILITY),
    Door("POST", "workbench:escalation_file", Op.ESCALATE),
    Door("POST", "workbench:escalation_accept", Op.RECORD_ESCALATION_PROGRESS),
    Door("POST", "workbench:escalation_outcome", Op.RECORD_ESCALATION_PROGRESS),
    Door("POST", "workbench:proposal_create", Op.PROPOSE),
    Door("POST", "workbench:proposal_check", Op.PROPOSE),
    Door("POST", "workbench:proposal_revise", Op.PROPOSE),
    Door("POST", "workbench:proposal_send", Op.PROPOSE),
    Door("POST", "workbench:proposal_withdraw", Op.PROPOSE),
    Door("POST", "workbench:proposal_decide", Op.APPROVE_PROPOSALS),
    Door("GET", "workbench:approvals", Op.APPROVE_PROPOSALS, scoped=False),
    Door("POST", "workbench:approvals_decide", Op.APPROVE_PROPOSALS),
    Door("GET", "workbench:payouts", Op.SEE_PAYOUT_LIST, scoped=False, note=IN_SCOPE),
    Door("GET", "workbench:insurance", Op.SEE_PAYOUT_LIST, scoped=False, note=IN_SCOPE),
    Door("GET", "workbench:returns", Op.SEE_PARCEL_LIST, scoped=False, note=IN_SCOPE),
    Door("POST", "workbench:aftersale_create", Op.RECORD_EXECUTION, note="by hand, with a reason"),
    Door("POST", "workbench:aftersale_finance_approval", Op.PAY_OUT),
    Door("POST", "workbench:aftersale_payout", Op.PAY_OUT),
    Door("POST", "workbench:aftersale_bounce", Op.PAY_OUT),
    Door("POST", "workbench:aftersale_customer_payment", Op.PAY_OUT),
    Door("POST", "workbench:aftersale_arrival", Op.RECORD_EXECUTION),
    Door("POST", "workbench:aftersale_return_address", Op.RECORD_EXECUTION),
    Door("POST", "workbench:aftersale_return_shipment", Op.RECORD_EXECUTION),
    Door("POST", "workbench:aftersale_receipt", Op.TRACK_PARCEL),
    Door("POST", "workbench:aftersale_inspection", Op.INSPECT_GOODS),
    Door("POST", "workbench:aftersale_repair_start", Op.INSPECT_GOODS),
    Door("POST", "workbench:aftersale_repair", Op.INSPECT_GOODS),
    Door("POST", "workbench:aftersale_shipment", Op.TRACK_PARCEL),
    Door("POST", "workbench:aftersale_delivery", Op.RECORD_EXECUTION),
    Door("POST", "workbench:aftersale_out_of_stock", Op.TRACK_PARCEL),
    Door("POST", "workbench:aftersale_coupon", Op.ISSUE_COUPON),
    Door("POST", "workbench:aftersale_insurance_payout", Op.PAY_OUT),
    Door("POST", "workbench:aftersale_cancel", Op.RECORD_EXECUTION),
    Door("POST", "workbench:aftersale_parcel_movement", Op.TRACK_PARCEL),
    Door(
        "POST",
        "workbench:followup_record",
        Op.RECORD_FOLLOW_UP,
        note="closes or reopens the dispute",
    ),
    Door("GET", "admin:index", Op.USE_ADMIN_SITE, scoped=False),
)

DOORS: tuple[Door, ...] = API_DOORS + PAGE_DOORS

ALLOWED, REFUSED, HIDDEN, UNAUTHENTICATED = "allowed", "403", "404", "401"


def sees_every_dispute(role: Role) -> bool:
    return role in READ_ALL


def expected(door: Door, role: Role, *, in_scope: bool = True) -> str:
    """What a user holding only `role` gets at `door`: ALLOWED, REFUSED (403), HIDDEN
    (404: the dispute is outside their scope) or UNAUTHENTICATED (401: a customer's door).
    Out of scope means nothing to those who see every dispute."""
    if door.who is None:
        return UNAUTHENTICATED
    if door.scoped and not in_scope and not sees_every_dispute(role):
        return HIDDEN
    return ALLOWED if role in roles_granted(door.who) else REFUSED


# -- the document ------------------------------------------------------------------------

START = "<!-- permission-matrix:start (generated; edit aftersales/api/permission_matrix.py) -->"
END = "<!-- permission-matrix:end -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
_MARK = {ALLOWED: "✓", REFUSED: "—", UNAUTHENTICATED: "401"}


def _what(who: Op | Action | None) -> str:
    if who is None:
        return "顾客链接 · customer link"
    if isinstance(who, Action):
        return f"`{who.value}` {who.label}"
    return f"`{who.value}`"


def _door_name(door: Door) -> str:
    if door.path.startswith("/"):
        return f"`{door.method} /api/v1{door.path}`"
    return f"page `{door.path}`"


def _header(extra: list[str]) -> list[str]:
    names = [f"{r.value}<br>{Role(r).label}" for r in ROLES]
    cells = ["", *extra, *names]
    return ["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]


def render() -> str:
    """The generated part of docs/permissions.md (labels in Chinese, whatever the
    active language)."""
    with translation.override("zh-hans"):
        return _render()


def _render() -> str:
    lines = [START, "", "### 端点 · Doors", ""]
    lines += _header(["操作 · asks", "范围 · scope", "顾客 · customer"])
    for door in DOORS:
        marks = [_MARK[expected(door, r)] for r in ROLES]
        scope = "404 outside" if door.scoped else "—"
        note = f" ({door.note})" if door.note else ""
        cells = [_door_name(door) + note, _what(door.who), scope, "✓" if door.customer else "—"]
        lines.append("| " + " | ".join(cells + marks) + " |")
    lines += ["", "### 操作 · Operations", ""]
    lines += _header([])
    for op in Op:
        marks = ["✓" if r in GRANTS[op] else "—" for r in ROLES]
        lines.append("| " + " | ".join([f"`{op.value}` {OP_LABELS[op]}", *marks]) + " |")
    lines += ["", "### 生命周期操作 · Lifecycle actions", ""]
    lines += _header([])
    for action in Action:
        marks = ["✓" if r in ACTION_GRANTS[action] else "—" for r in ROLES]
        lines.append("| " + " | ".join([_what(action), *marks]) + " |")
    lines += ["", END]
    return "\n".join(lines)


def documented(text: str) -> str:
    """The generated part as it stands in the doc `text` ('' when the markers are absent)."""
    if START not in text or END not in text:
        return ""
    return text[text.index(START) : text.index(END) + len(END)]


def write(path: Path = DOC) -> None:
    text = path.read_text(encoding="utf-8")
    current = documented(text)
    if not current:
        raise SystemExit(f"{path}: the markers {START!r} … {END!r} are missing")
    path.write_text(text.replace(current, render()), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    os.environ.setdefault("DEBUG", "1")  # a maintainer's tool: no production secrets needed
    django.setup()
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        print(render())
