"""Who may do what: every operation staff can ask for, and the roles granted it (SPEC §1).
Pure data, no ORM. `permissions` answers every question with it and adds the scope (a
dispute outside a user's scope answers 404 before a role is asked); docs/permissions.md
prints it (`python -m aftersales.api.permission_matrix --write`). Roles outside a grant
get 403. The system actor may do everything; it never comes through a request.

Amount ceilings (aftersales.mediation.authority) are a rule about amounts, applied after
the grant here lets an approver in."""

from enum import StrEnum

from aftersales.parties.roles import Role

from .states import Action

CASE_HANDLERS = frozenset({Role.AGENT, Role.TEAM_LEAD})
# Readers of every dispute (and the whole company's figures).
READ_ALL = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGEMENT})
# Departments that work disputes through their tasks (they see a dispute with one).
DEPARTMENTS = frozenset(
    {Role.OPERATIONS, Role.QUALITY_CONTROL, Role.LEGAL, Role.LOGISTICS, Role.FINANCE}
)
EVERYONE = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
HANDLERS_AND_ADMIN = CASE_HANDLERS | ADMIN
PROPOSAL_APPROVERS = frozenset({Role.TEAM_LEAD, Role.SUPERVISOR, Role.MANAGEMENT, Role.LEGAL})


class Op(StrEnum):
    """An operation, as the permissions module is asked about it. Lifecycle actions are
    asked per action (`ACTION_GRANTS`)."""

    VIEW_DISPUTE = "view_dispute"
    CREATE_DISPUTE = "create_dispute"
    ASSIGN = "assign"
    ADD_EVIDENCE = "add_evidence"
    REVEAL_CONTACT = "reveal_contact"
    RECLASSIFY = "reclassify"
    DECIDE_GROUP_COMPLAINT = "decide_group_complaint"
    PAUSE_TIMERS = "pause_timers"
    VIEW_SLA_FIGURES = "view_sla_figures"
    SEE_DAILY_CHECKS = "see_daily_checks"
    SEE_OTHERS_DAILY_CHECKS = "see_others_daily_checks"
    RECORD_EXECUTION = "record_execution"
    TRACK_PARCEL = "track_parcel"
    PAY_OUT = "pay_out"
    INSPECT_GOODS = "inspect_goods"
    ISSUE_COUPON = "issue_coupon"
    SEE_PAYOUT_LIST = "see_payout_list"
    SEE_PARCEL_LIST = "see_parcel_list"
    MAKE_COMMITMENT = "make_commitment"
    RECORD_FOLLOW_UP = "record_follow_up"
    REQUEST_TASK = "request_task"
    FILE_TASK_REPORT = "file_task_report"
    RECORD_CASE_MEETING = "record_case_meeting"
    DETERMINE_RESPONSIBILITY = "determine_responsibility"
    ESCALATE = "escalate"
    RECORD_ESCALATION_PROGRESS = "record_escalation_progress"
    VIEW_PROPOSALS = "view_proposals"
    PROPOSE = "propose"
    APPROVE_PROPOSALS = "approve_proposals"
    RECORD_FACTS = "record_facts"
    RECORD_ORDERS = "record_orders"
    VIEW_ORDERS = "view_orders"
    READ_OWN_NOTIFICATIONS = "read_own_notifications"
    SEE_DEPARTMENT_TASKS = "see_department_tasks"
    RECORD_CONTACT = "record_contact"
    ADD_NOTE = "add_note"
    MANAGE_OWN_API_TOKENS = "manage_own_api_tokens"
    MANAGE_API_TOKENS = "manage_api_tokens"
    CONFIGURE = "configure"
    USE_ADMIN_SITE = "use_admin_site"


# Who records which case fact the entitlements engine reads (aftersales.mediation.facts):
# one row per fact of the `aftersales entitlements` contract; admins record every fact. A
# fact no row names nobody but an admin records (a new contract field is placed here
# deliberately). docs/entitlements.md shows the table.
_LEGAL_OR_OPERATIONS = frozenset({Role.LEGAL, Role.OPERATIONS})
_GOODS_INSPECTORS = frozenset({Role.QUALITY_CONTROL, Role.TEAM_LEAD})
_MONEY_FINDERS = frozenset({Role.LEGAL, Role.TEAM_LEAD})
_REPAIR_RECORDERS = frozenset({Role.QUALITY_CONTROL, Role.TEAM_LEAD, Role.AGENT})
FACT_RECORDERS: dict[str, frozenset[Role]] = {
    # What the merchant did or knew: legal, or operations (who check ads and live streams).
    "fraud": _LEGAL_OR_OPERATIONS,
    "food_safety_violation": _LEGAL_OR_OPERATIONS,
    "known_defect_serious_harm": _LEGAL_OR_OPERATIONS,
    "label_defect_only": _LEGAL_OR_OPERATIONS,
    # The goods themselves: QC's inspection, or the team lead's judgement.
    "defect": _GOODS_INSPECTORS,
    "intact": _GOODS_INSPECTORS,
    "digital_unsealed": _GOODS_INSPECTORS,
    # Money the law turns on, and the day the claim was first made: legal or the lead.
    "loss": _MONEY_FINDERS,
    "price": _MONEY_FINDERS,
    "claim_on": _MONEY_FINDERS,
    # The repair history: QC and the handlers who hold the repair records.
    "failed_repairs": _REPAIR_RECORDERS,
    "parts_wait_days": _REPAIR_RECORDERS,
    "repair_delay_days": _REPAIR_RECORDERS,
    # Order and product details the handlers check with the customer and the order.
    **dict.fromkeys(
        (
            "channel",
            "received_on",
            "sold_on",
            "goods_kind",
            "three_guarantees",
            "car",
            "warranty_days",
            "food",
            "excluded_confirmed",
        ),
        CASE_HANDLERS,
    ),
}
_FACT_ROLES = frozenset().union(*FACT_RECORDERS.values())

GRANTS: dict[Op, frozenset[Role]] = {
    # Everyone sees the disputes in their scope: handlers their team's and their own,
    # team leads also the team-less pool, departments those with their task, readers all.
    Op.VIEW_DISPUTE: EVERYONE,
    Op.CREATE_DISPUTE: HANDLERS_AND_ADMIN,
    Op.ASSIGN: frozenset({Role.TEAM_LEAD, Role.ADMIN}),
    # Anyone working the case: handlers, and departments with a task on it (QC photos,
    # logistics proofs). Readers (supervisor, management) may not.
    Op.ADD_EVIDENCE: HANDLERS_AND_ADMIN | DEPARTMENTS,
    Op.REVEAL_CONTACT: HANDLERS_AND_ADMIN | {Role.SUPERVISOR},  # supervisors call back
    Op.RECLASSIFY: HANDLERS_AND_ADMIN,
    Op.DECIDE_GROUP_COMPLAINT: frozenset({Role.TEAM_LEAD, Role.ADMIN}),
    Op.PAUSE_TIMERS: HANDLERS_AND_ADMIN,
    # Team leads their teams' figures, readers the company's; agents may not.
    Op.VIEW_SLA_FIGURES: READ_ALL | {Role.TEAM_LEAD},
    Op.SEE_DAILY_CHECKS: CASE_HANDLERS | READ_ALL,
    Op.SEE_OTHERS_DAILY_CHECKS: READ_ALL | {Role.TEAM_LEAD},
    # Execution: handlers record and complete it; finance pays; logistics ships.
    # After-sale orders by hand, their cancellation, the return address, delivery and the
    # customer's word on their return tracking: the case handlers who talk to the customer.
    Op.RECORD_EXECUTION: HANDLERS_AND_ADMIN,
    Op.TRACK_PARCEL: HANDLERS_AND_ADMIN | {Role.LOGISTICS},
    # Money moves only through finance (待财审, 打款, 退回, 买家补款, 运费险理赔).
    Op.PAY_OUT: frozenset({Role.FINANCE, Role.ADMIN}),
    # Returned goods inspected (退货入库) and repairs recorded (维修单).
    Op.INSPECT_GOODS: HANDLERS_AND_ADMIN | {Role.QUALITY_CONTROL},
    # Coupons agreed as compensation: operations issue them (they run the promotions).
    Op.ISSUE_COUPON: HANDLERS_AND_ADMIN | {Role.OPERATIONS},
    # Work lists (/api/v1/aftersale-orders/…); rows limited to the disputes in scope.
    Op.SEE_PAYOUT_LIST: frozenset({Role.FINANCE}) | HANDLERS_AND_ADMIN | READ_ALL,
    Op.SEE_PARCEL_LIST: frozenset({Role.LOGISTICS, Role.QUALITY_CONTROL})
    | HANDLERS_AND_ADMIN
    | READ_ALL,
    Op.MAKE_COMMITMENT: HANDLERS_AND_ADMIN,
    # The follow-up visit (回访) closes or reopens the dispute: who talks to the customer.
    Op.RECORD_FOLLOW_UP: HANDLERS_AND_ADMIN,  # promises to the customer: who talks to them
    Op.REQUEST_TASK: HANDLERS_AND_ADMIN,
    # A department files its own task's report (the permissions module checks the task).
    Op.FILE_TASK_REPORT: DEPARTMENTS | ADMIN,
    Op.RECORD_CASE_MEETING: frozenset({Role.TEAM_LEAD, Role.ADMIN}),
    Op.DETERMINE_RESPONSIBILITY: HANDLERS_AND_ADMIN | {Role.LEGAL},
    Op.ESCALATE: HANDLERS_AND_ADMIN,
    # The outside body's acceptance and outcome: handlers, and legal (in every escalation).
    Op.RECORD_ESCALATION_PROGRESS: HANDLERS_AND_ADMIN | {Role.LEGAL},
    Op.VIEW_PROPOSALS: HANDLERS_AND_ADMIN | PROPOSAL_APPROVERS,
    Op.PROPOSE: HANDLERS_AND_ADMIN,  # draft, revise, send, withdraw
    # Within their ceilings; legal on proposals below the statutory minimum. Admins set
    # the ceilings but approve nothing.
    Op.APPROVE_PROPOSALS: PROPOSAL_APPROVERS,
    # Some fact (FACT_RECORDERS says which).
    Op.RECORD_FACTS: _FACT_ROLES | ADMIN,
    # Whoever takes disputes in records orders; the readers of every dispute read them.
    Op.RECORD_ORDERS: HANDLERS_AND_ADMIN,
    Op.VIEW_ORDERS: HANDLERS_AND_ADMIN | READ_ALL,
    Op.READ_OWN_NOTIFICATIONS: EVERYONE,
    # A call or message with the customer (联系记录; the first one stops 首次联系): who
    # talks to them. Internal notes: anyone working the case.
    # 部门任务: each department its own open tasks; readers every department's.
    Op.SEE_DEPARTMENT_TASKS: DEPARTMENTS | READ_ALL,
    Op.RECORD_CONTACT: HANDLERS_AND_ADMIN | {Role.SUPERVISOR},
    Op.ADD_NOTE: HANDLERS_AND_ADMIN | DEPARTMENTS | {Role.SUPERVISOR},
    # API tokens: staff who work through the API make and revoke their own (readers use
    # the pages); admins anyone's.
    Op.MANAGE_OWN_API_TOKENS: HANDLERS_AND_ADMIN | DEPARTMENTS,
    Op.MANAGE_API_TOKENS: ADMIN,
    # SLA policy, company calendar, authority ceilings, users and roles.
    Op.CONFIGURE: ADMIN,
    Op.USE_ADMIN_SITE: ADMIN,
}

# Lifecycle actions (aftersales.disputes.lifecycle): staff apply them through the door
# the lifecycle table names; these are the roles that may. Settling is the customer's
# acceptance; withdrawing is also the customer's through their own door.
ACTION_GRANTS: dict[Action, frozenset[Role]] = {
    **dict.fromkeys(Action, HANDLERS_AND_ADMIN),
    Action.SETTLE: frozenset(),
    Action.RENEGOTIATE: frozenset(),  # the system alone, when an after-sale order fails
    Action.RESUME: frozenset(),  # the system alone, when an after-sale order opens again
}
CUSTOMER_ACTIONS: frozenset[Action] = frozenset({Action.SETTLE, Action.WITHDRAW})

OP_LABELS: dict[Op, str] = {
    Op.VIEW_DISPUTE: "查看投诉 · view a dispute",
    Op.CREATE_DISPUTE: "受理投诉 · take in a dispute",
    Op.ASSIGN: "分派 · assign",
    Op.ADD_EVIDENCE: "上传证据 · add evidence",
    Op.REVEAL_CONTACT: "查看完整联系方式 · reveal the full contact",
    Op.RECLASSIFY: "更正分类 · correct the classification",
    Op.DECIDE_GROUP_COMPLAINT: "认定集体投诉 · decide a group complaint",
    Op.PAUSE_TIMERS: "暂停/恢复计时 · pause or resume timers",
    Op.VIEW_SLA_FIGURES: "时限达标统计 · SLA figures",
    Op.SEE_DAILY_CHECKS: "每日主动检查 · daily checks",
    Op.SEE_OTHERS_DAILY_CHECKS: "他人的每日检查 · others' daily checks",
    Op.RECORD_EXECUTION: "登记执行 · record execution",
    Op.TRACK_PARCEL: "登记包裹 · track parcels",
    Op.PAY_OUT: "财务审核与打款 · finance approval and payouts",
    Op.INSPECT_GOODS: "验货与维修登记 · inspect returns, record repairs",
    Op.ISSUE_COUPON: "发放优惠券 · issue agreed coupons",
    Op.SEE_PAYOUT_LIST: "打款与运费险清单 · payout work lists",
    Op.SEE_PARCEL_LIST: "退货与发货清单 · return and shipment lists",
    Op.MAKE_COMMITMENT: "记录承诺 · make a commitment",
    Op.RECORD_FOLLOW_UP: "登记回访 · record a follow-up call",
    Op.REQUEST_TASK: "申请部门协查 · ask a department",
    Op.FILE_TASK_REPORT: "提交本部门报告 · file own department's report",
    Op.RECORD_CASE_MEETING: "记录案件会议 · record a case meeting",
    Op.DETERMINE_RESPONSIBILITY: "责任认定 · determine responsibility",
    Op.ESCALATE: "升级（外部途径）· escalate",
    Op.RECORD_ESCALATION_PROGRESS: "外部途径进展 · escalation progress",
    Op.VIEW_PROPOSALS: "查看调解方案 · view proposals",
    Op.PROPOSE: "拟定/修改/发送/撤回方案 · draft, revise, send, withdraw",
    Op.APPROVE_PROPOSALS: "审批方案（限额内）· approve within ceiling",
    Op.RECORD_FACTS: "记录案件事实 · record case facts",
    Op.RECORD_ORDERS: "登记订单 · record orders",
    Op.VIEW_ORDERS: "查看订单 · view orders",
    Op.READ_OWN_NOTIFICATIONS: "本人站内通知 · own notifications",
    Op.SEE_DEPARTMENT_TASKS: "部门任务清单 · department task lists",
    Op.RECORD_CONTACT: "联系记录 · record a call or message with the customer",
    Op.ADD_NOTE: "内部备注 · internal note",
    Op.MANAGE_OWN_API_TOKENS: "本人 API 令牌 · own API tokens",
    Op.MANAGE_API_TOKENS: "所有人的 API 令牌 · anyone's API tokens",
    Op.CONFIGURE: "配置 · configure",
    Op.USE_ADMIN_SITE: "后台管理 /admin/ · admin site",
}


def granted(roles: frozenset[Role] | set[Role], what: Op | Action) -> bool:
    """Whether any of `roles` is granted `what` (an operation or a lifecycle action)."""
    table: dict = ACTION_GRANTS if isinstance(what, Action) else GRANTS
    return bool(set(roles) & table[what])


def roles_granted(what: Op | Action) -> frozenset[Role]:
    return ACTION_GRANTS[what] if isinstance(what, Action) else GRANTS[what]
