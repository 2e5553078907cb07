"""Demo data: one staff user per role, mediation teams, and thousands of realistic
disputes across every state, channel and category over the last 90 days.

Texts come from the project's own generator (`demo_text`); rows go through
`bulk.bulk_intake`, which replays each row's history through the lifecycle and writes
the whole timeline. Idempotent: intake keys derive from the seed and the row index, and a
database that already holds demo disputes is left as it is.

The demo password is public: the demo is for a developer's own machine (DEBUG).
"""

import datetime as dt
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from aftersales.fulfilment import demo as fulfilment_demo
from aftersales.mediation import demo as mediation_demo
from aftersales.parties.models import Team
from aftersales.parties.roles import ROLE_LABELS, Department, Role
from aftersales.parties.services import staff_create
from aftersales.sla import demo as sla_demo

from . import lifecycle
from .bulk import BulkRow, HistoryStep, OrderFacts, bulk_intake, row_hash
from .demo_text import Complaint, DemoTextGenerator, Person, StoreInfo
from .intake import validate_intake
from .lifecycle import Action, EscalationRoute, Status
from .models import Channel, Dispute, Task
from .taxonomy import CATEGORY_LABELS, SEVERITY_LABELS, Category, Severity

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_PASSWORD = "demo12345"
KEY_PREFIX = "demo:"
DAYS = 90

# (role, display name, team code or None)
DEMO_STAFF: tuple[tuple[Role, str, str | None], ...] = (
    (Role.AGENT, "王晓敏", "team-1"),
    (Role.TEAM_LEAD, "李建国", "team-1"),
    (Role.OPERATIONS, "张丽华", None),
    (Role.QUALITY_CONTROL, "陈志强", None),
    (Role.LEGAL, "刘文静", None),
    (Role.LOGISTICS, "赵磊", None),
    (Role.FINANCE, "孙芳", None),
    (Role.SUPERVISOR, "周敏", None),
    (Role.MANAGEMENT, "吴海涛", None),
    (Role.ADMIN, "郑宇", None),
)
DEMO_TEAMS: tuple[tuple[str, str], ...] = (("team-1", "调解一组"), ("team-2", "调解二组"))
# Handlers of 调解二组 named on its timelines (no logins of their own).
TEAM2_HANDLERS: tuple[str, ...] = ("何静", "马超", "罗佳慧")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    role_label: str
    display_name: str
    team_name: str
    created: bool


@dataclass
class DemoSummary:
    created: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    already_present: bool = False
    seconds: float = 0.0
    total: int = 0
    tasks: int = 0
    timers: int = 0
    executions: int = 0
    parcels: int = 0
    commitments: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


# ── Staff and teams ───────────────────────────────────────────────────────────────


def ensure_demo_teams() -> dict[str, Team]:
    teams = {code: Team.objects.get_or_create(code=code, defaults={"name": name})[0]
             for code, name in DEMO_TEAMS}  # fmt: skip
    default = Team.objects.filter(is_default=True).order_by("id").first()
    if default is None:
        default = Team.objects.create(code="default", name="默认调解小组", is_default=True)
    teams["default"] = default
    return teams


@transaction.atomic
def ensure_demo_staff() -> list[DemoLogin]:
    """One user per role, username = role code. Existing users are left alone."""
    teams = ensure_demo_teams()
    users = get_user_model().objects
    logins, new = [], []
    for role, display_name, team_code in DEMO_STAFF:
        team = teams[team_code] if team_code else None
        created = not users.filter(username=role.value).exists()
        if created:
            user = staff_create(
                username=role.value,
                password=None,  # set below: one hash for all, not ten slow ones
                role=role,
                display_name=display_name,
                team=team,
                email=f"{role.value}@demo.invalid",
            )
            new.append(user.pk)
        logins.append(
            DemoLogin(
                username=role.value,
                password=DEMO_PASSWORD,
                role=role.value,
                role_label=ROLE_LABELS[role],
                display_name=display_name,
                team_name=team.name if team else "",
                created=created,
            )
        )
    if new:
        users.filter(pk__in=new).update(password=make_password(DEMO_PASSWORD))
    # The team lead also routes what lands in the default team.
    lead = users.filter(username=Role.TEAM_LEAD.value).first()
    if lead is not None:
        Team.objects.filter(pk=teams["default"].pk, lead__isnull=True).update(lead=lead)
    return logins


# ── Rows ────────────────────────────────────────────────────────────────────────────

CATEGORY_WEIGHTS: dict[Category, int] = {
    Category.QUALITY: 20,
    Category.NOT_AS_DESCRIBED: 10,
    Category.COUNTERFEIT: 5,
    Category.PRICE_PROMOTION: 8,
    Category.WRONG_OR_MISSING: 9,
    Category.SHIPPING_DELAY: 9,
    Category.LOGISTICS: 12,
    Category.OUT_OF_STOCK: 4,
    Category.SERVICE: 8,
    Category.RETURN_REFUND: 10,
    Category.REPAIR_INSTALLATION: 5,
    Category.OTHER: 3,
}
CHANNEL_WEIGHTS: dict[str, int] = {
    Channel.PORTAL: 16,
    Channel.PHONE: 14,
    Channel.IN_PERSON: 3,
    Channel.LETTER: 2,
    Channel.EMAIL: 5,
    Channel.CHAT: 20,
    Channel.SOCIAL: 5,
    Channel.PLATFORM: 20,
    Channel.IMPORT: 8,
    Channel.API: 7,
}
# (general, complex, major) per category: harm makes quality the likeliest major case.
SEVERITY_WEIGHTS: dict[Category, tuple[int, int, int]] = {c: (74, 20, 6) for c in Category} | {
    Category.QUALITY: (70, 20, 10),
    Category.COUNTERFEIT: (60, 28, 12),
    Category.SERVICE: (80, 18, 2),
    Category.OTHER: (90, 10, 0),
}
# Intake by hour of day (Asia/Shanghai): office hours and the evening after work.
HOUR_WEIGHTS = (1, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 5, 9, 10, 10, 7, 8, 10, 10, 9, 8, 6, 6, 7, 6, 4, 2)

# Status by the dispute's age in days: the older, the likelier it has ended.
S = Status
AGE_STATUS_WEIGHTS: tuple[tuple[float, dict[Status, int]], ...] = (
    (1, {S.RECEIVED: 28, S.TRIAGED: 24, S.INVESTIGATING: 22, S.PROPOSING: 10, S.EXECUTING: 4,
         S.ESCALATED: 2, S.REJECTED: 4, S.WITHDRAWN: 4, S.CLOSED: 2}),
    (3, {S.RECEIVED: 4, S.TRIAGED: 8, S.INVESTIGATING: 22, S.PROPOSING: 20, S.EXECUTING: 15,
         S.FOLLOW_UP: 10, S.ESCALATED: 5, S.CLOSED: 8, S.REJECTED: 4, S.WITHDRAWN: 4}),
    (7, {S.RECEIVED: 1, S.TRIAGED: 2, S.INVESTIGATING: 8, S.PROPOSING: 12, S.EXECUTING: 14,
         S.FOLLOW_UP: 12, S.REOPENED: 3, S.ESCALATED: 7, S.CLOSED: 33, S.REJECTED: 4,
         S.WITHDRAWN: 4}),
    (30, {S.INVESTIGATING: 2, S.PROPOSING: 3, S.EXECUTING: 3, S.FOLLOW_UP: 4, S.REOPENED: 3,
          S.ESCALATED: 6, S.CLOSED: 67, S.REJECTED: 6, S.WITHDRAWN: 6}),
    (math.inf, {S.EXECUTING: 1, S.FOLLOW_UP: 1, S.REOPENED: 1, S.ESCALATED: 3, S.CLOSED: 80,
                S.REJECTED: 7, S.WITHDRAWN: 7}),
)  # fmt: skip
# Ages (days) for the rows that make sure every status appears.
FORCED_AGE: dict[Status, tuple[float, float]] = {
    S.RECEIVED: (0.01, 0.3),
    S.TRIAGED: (0.02, 0.8),
    S.INVESTIGATING: (0.1, 2),
    S.PROPOSING: (0.3, 3),
    S.EXECUTING: (1, 5),
    S.FOLLOW_UP: (2, 6),
    S.CLOSED: (5, 80),
    S.REOPENED: (4, 20),
    S.ESCALATED: (3, 30),
    S.REJECTED: (1, 60),
    S.WITHDRAWN: (1, 60),
}


@dataclass
class RowPlan:
    line: int
    row: BulkRow
    complaint: Complaint
    status: Status
    team: str  # team code
    assignee: str | None  # username
    steps: list[tuple[Action, dt.datetime]]
    route: str = ""


def demo_populate(
    *, count: int = 2400, seed: int = 2026, now: dt.datetime | None = None
) -> DemoSummary:
    """Create `count` demo disputes, unless demo disputes already exist."""
    started = time.monotonic()
    now = now or timezone.now()
    summary = DemoSummary(logins=ensure_demo_staff())
    teams = ensure_demo_teams()
    if Dispute.objects.filter(intake_key__startswith=KEY_PREFIX).exists():
        summary.already_present = True
    else:
        plans = plan_rows(count=count, seed=seed, now=now)
        result = bulk_intake([p.row for p in plans], route=False)
        summary.created = len(result.created)
        summary.failed = result.failed
        number_of = dict(result.created)
        with transaction.atomic():
            _assign(plans, number_of, teams)
            summary.tasks = _create_tasks(plans, number_of)
        mediation_demo.populate(seed=seed)
        summary.timers = sla_demo.populate(seed=seed, now=now).timers
        done = fulfilment_demo.populate(seed=seed, now=now)
        summary.executions, summary.parcels = done.executions, done.parcels
        summary.commitments = mediation_demo.populate_commitments(seed=seed, now=now).made
    _count(summary)
    summary.seconds = time.monotonic() - started
    return summary


def plan_rows(*, count: int, seed: int, now: dt.datetime) -> list[RowPlan]:
    """The demo rows, deterministic for a seed (texts) and a seed and `now` (times)."""
    texts = DemoTextGenerator(seed)
    rng = random.Random(f"aftersales-demo-rows:{seed}")
    categories, channels, statuses = list(Category), list(Channel.values), list(Status)
    people: list[Person] = []
    plans = []
    for i in range(count):
        # The first rows walk through every category, channel and status; the rest follow
        # realistic weights.
        category = categories[i] if i < len(categories) else _pick(rng, CATEGORY_WEIGHTS)
        channel = channels[i] if i < len(channels) else _pick(rng, CHANNEL_WEIGHTS)
        severity = rng.choices(list(Severity), SEVERITY_WEIGHTS[category])[0]
        if i < len(statuses):
            status = statuses[i]
            low, high = FORCED_AGE[status]
            received = (now - dt.timedelta(days=rng.uniform(low, high))).replace(microsecond=0)
        else:
            received = _intake_time(rng, now)
            age = (now - received).total_seconds() / 86400
            weights = next(w for limit, w in AGE_STATUS_WEIGHTS if age < limit)
            status = _pick(rng, weights)
        if people and rng.random() < 0.1:
            person = rng.choice(people)  # a returning customer
        else:
            person = texts.person(with_email=channel == Channel.EMAIL or rng.random() < 0.15)
            people.append(person)
        line = texts.line_for(category, harm=severity == Severity.MAJOR)
        store = texts.store_for(line)
        order_no = texts.order_no(store.platform, received)
        complaint = texts.complaint(
            category,
            severity,
            channel=channel,
            store=store,
            line=line,
            order_no=order_no,
            customer_name=person.name,
            at=received.astimezone(SHANGHAI),
        )
        plans.append(
            _plan(i, rng, texts, seed, now, received, status, channel, person, store, order_no,
                  complaint)
        )  # fmt: skip
    return plans


def _plan(
    i: int,
    rng: random.Random,
    texts: DemoTextGenerator,
    seed: int,
    now: dt.datetime,
    received: dt.datetime,
    status: Status,
    channel: str,
    person: Person,
    store: StoreInfo,
    order_no: str,
    c: Complaint,
) -> RowPlan:
    paid, shipped, delivered, occurred = _order_times(rng, c, received)
    external_ref = None
    if channel == Channel.PLATFORM:
        external_ref = f"{_REF_PREFIX.get(store.platform, 'PF')}{rng.randrange(10**11, 10**12)}"
    elif channel == Channel.API:
        external_ref = f"ERP-{received.astimezone(SHANGHAI):%Y%m%d}-{rng.randrange(10**7, 10**8)}"
    request = validate_intake(
        {
            "channel": channel,
            "order_no": order_no,
            "customer": {"name": person.name, "phone": person.phone, "email": person.email},
            "description": c.description,
            "product_name": c.product_name,
            "amount_paid": c.amount_paid,
            "claimed_amount": c.claimed_amount,
            "occurred_at": occurred,
            "expectation": c.expectation,
            "expectation_text": c.expectation_text,
            "external_ref": external_ref,
            "received_at": received,
        },
        now=now,
    )
    facts = OrderFacts(
        store_code=store.code,
        store_name=store.name,
        platform=store.platform,
        amount_paid=c.amount_paid,
        product_name=c.product_name,
        sku=c.sku,
        product_category=c.product_category,
        payment_channel=texts.payment_channel(store.platform),
        sale_channel=store.sale_channel,
        paid_at=paid,
        shipped_at=shipped,
        received_at=delivered,
    )
    team, assignee, handler = _route(rng, status, c)
    route = c.route or _pick(rng, _ROUTE_WEIGHTS)
    history, steps = _history(rng, status, c, received, now, handler, route, store)
    row = BulkRow(
        line=i + 1,
        request=request,
        intake_key=KEY_PREFIX + row_hash(["demo", seed, i]),
        order=facts,
        history=tuple(history),
        category=c.category,
        severity=c.severity,
        actor_label=handler or "system",
    )
    return RowPlan(i + 1, row, c, status, team, assignee, steps, route)


_REF_PREFIX = {"taobao": "TB", "tmall": "TM", "jd": "JD", "pinduoduo": "PDD", "douyin": "DY",
               "kuaishou": "KS"}  # fmt: skip
_ROUTE_WEIGHTS = {
    EscalationRoute.PLATFORM: 60,
    EscalationRoute.CONSUMER_ASSOCIATION: 14,
    EscalationRoute.REGULATOR: 16,
    EscalationRoute.ARBITRATION: 3,
    EscalationRoute.LAWSUIT: 7,
}


def _pick(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), list(weights.values()))[0]


def _intake_time(rng: random.Random, now: dt.datetime) -> dt.datetime:
    """A time in the last 90 days, more of them recent, mostly in business hours."""
    days = rng.randrange(14) if rng.random() < 0.3 else rng.randrange(DAYS)
    hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
    day = now.astimezone(SHANGHAI).date() - dt.timedelta(days=days)
    at = dt.datetime.combine(
        day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=SHANGHAI
    )
    if at > now - dt.timedelta(minutes=5):
        at -= dt.timedelta(days=1)
    return at


def _order_times(
    rng: random.Random, c: Complaint, received: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None, dt.datetime | None, dt.datetime]:
    """Paid, shipped, delivered and the problem's time, all before the complaint."""
    latest = received - dt.timedelta(minutes=2)

    def clip(at: dt.datetime) -> dt.datetime:
        return min(at, latest).replace(microsecond=0)

    paid = clip(received - dt.timedelta(days=c.occurred_days_ago, hours=rng.uniform(1, 12)))
    if c.category in (Category.SHIPPING_DELAY, Category.OUT_OF_STOCK):
        return paid, None, None, clip(paid + dt.timedelta(hours=rng.uniform(2, 48)))
    shipped = clip(paid + dt.timedelta(hours=rng.uniform(3, 36)))
    if c.category == Category.LOGISTICS:
        return paid, shipped, None, clip(shipped + dt.timedelta(hours=rng.uniform(12, 72)))
    delivered = clip(shipped + dt.timedelta(hours=rng.uniform(18, 72)))
    return paid, shipped, delivered, clip(delivered + dt.timedelta(hours=rng.uniform(0, 48)))


def _route(rng: random.Random, status: Status, c: Complaint) -> tuple[str, str | None, str]:
    """Team code, assignee username and the handler's name on the timeline."""
    agent, lead = DEMO_STAFF[0][1], DEMO_STAFF[1][1]
    if status == Status.RECEIVED:
        return "default", None, agent
    if rng.random() < 0.55:
        hard = c.severity != Severity.GENERAL
        if status == Status.TRIAGED and rng.random() < 0.4:
            return "team-1", None, agent  # routed, not yet taken
        if rng.random() < (0.5 if hard else 0.2):
            return "team-1", Role.TEAM_LEAD.value, lead
        return "team-1", Role.AGENT.value, agent
    return "team-2", None, rng.choice(TEAM2_HANDLERS)


# ── Histories ─────────────────────────────────────────────────────────────────────

A = Action
MAIN_LINE = (A.TRIAGE, A.INVESTIGATE, A.PROPOSE, A.SETTLE, A.COMPLETE, A.CLOSE)
# Minutes after the previous step (log-uniform between the bounds).
GAP_MINUTES: dict[Action, tuple[float, float]] = {
    A.TRIAGE: (1, 12),  # classification is due in 10 minutes: most make it
    A.INVESTIGATE: (10, 300),
    A.PROPOSE: (60, 1440),
    A.REVISE: (120, 2000),
    A.SETTLE: (30, 2880),
    A.COMPLETE: (120, 4320),
    A.CLOSE: (180, 1800),
    A.ESCALATE: (240, 4320),
    A.REOPEN: (60, 1440),
    A.REJECT: (10, 600),
    A.WITHDRAW: (60, 4320),
}
CLOSE_AFTER_ESCALATION = (720, 4320)  # platform review: 3 working days


def _actions(rng: random.Random, target: Status) -> list[Action]:
    """A realistic sequence of actions to `target`: lifecycle.path_to, with the detours
    real cases take (revised proposals, escalations, reopened follow-ups)."""
    path = lifecycle.path_to(target)

    def with_revisions(actions: list[Action], share: float) -> list[Action]:
        out = []
        for action in actions:
            out.append(action)
            if action == A.PROPOSE and rng.random() < share:
                out += [A.REVISE] * rng.choice((1, 1, 1, 2))
        return out

    if target == Status.CLOSED:
        v = rng.random()
        if v < 0.08:
            head = [A.TRIAGE, A.INVESTIGATE] + ([A.PROPOSE] if rng.random() < 0.4 else [])
            return [*head, A.ESCALATE, A.CLOSE]
        if v < 0.12:
            return [A.TRIAGE, A.INVESTIGATE, A.ESCALATE, A.PROPOSE, A.SETTLE, A.COMPLETE, A.CLOSE]
        if v < 0.18:
            first = with_revisions(list(MAIN_LINE[:-1]), 0.2)
            return [*first, A.REOPEN, A.INVESTIGATE, A.PROPOSE, A.SETTLE, A.COMPLETE, A.CLOSE]
        return with_revisions(path, 0.25)
    if target == Status.ESCALATED:
        v = rng.random()
        if v < 0.5:
            return path
        if v < 0.9:
            return [*with_revisions([A.TRIAGE, A.INVESTIGATE, A.PROPOSE], 0.5), A.ESCALATE]
        return [A.TRIAGE, A.INVESTIGATE, A.PROPOSE, A.SETTLE, A.ESCALATE]
    if target == Status.WITHDRAWN:
        weights = {S.RECEIVED: 15, S.TRIAGED: 20, S.INVESTIGATING: 30, S.PROPOSING: 25,
                   S.EXECUTING: 10}  # fmt: skip
        return [*lifecycle.path_to(_pick(rng, weights)), A.WITHDRAW]
    if target in (Status.PROPOSING, Status.EXECUTING, Status.FOLLOW_UP, Status.REOPENED):
        return with_revisions(path, 0.3 if target == Status.PROPOSING else 0.2)
    return path


def _history(
    rng: random.Random,
    target: Status,
    c: Complaint,
    received: dt.datetime,
    now: dt.datetime,
    handler: str,
    route: str,
    store: StoreInfo,
) -> tuple[list[HistoryStep], list[tuple[Action, dt.datetime]]]:
    actions = _actions(rng, target)
    # Gaps between steps; squeezed to fit when the dispute is younger than they add up to.
    gaps = []
    status = Status.RECEIVED
    for action in actions:
        low, high = (
            CLOSE_AFTER_ESCALATION
            if action == A.CLOSE and status == Status.ESCALATED
            else GAP_MINUTES[action]
        )
        gaps.append(math.exp(rng.uniform(math.log(low), math.log(high))) * 60)
        status = lifecycle.TRANSITIONS[action].target_from(status)
    room = (now - received).total_seconds() - 60
    if sum(gaps) > room * 0.97:
        factor = room * 0.97 / sum(gaps)
        gaps = [g * factor for g in gaps]

    lead = DEMO_STAFF[1][1]
    amount = c.claimed_amount or c.amount_paid
    history: list[HistoryStep] = []
    steps: list[tuple[Action, dt.datetime]] = []
    at, status = received, Status.RECEIVED
    for action, gap in zip(actions, gaps, strict=True):
        at = at + dt.timedelta(seconds=max(int(gap), 1))
        reason, payload, actor = _step_text(rng, action, status, c, amount, route, store)
        if action == A.REVISE:
            amount = (amount * Decimal(rng.choice(("1.2", "1.3", "1.5")))).quantize(Decimal("1"))
            payload = {"remedy": c.expectation, "amount": f"{amount:.2f}"}
        move = lifecycle.decide(status, action, reason=reason, payload=payload)
        history.append(
            HistoryStep(
                action=action.value,
                at=at,
                reason=reason,
                payload=payload,
                actor_label=lead if actor == "lead" else handler,
            )
        )
        steps.append((action, at))
        status = move.target
    assert status == target, (status, target)
    return history, steps


INVESTIGATION = {
    Category.QUALITY: "已通知质检部门核查顾客提供的照片和视频",
    Category.NOT_AS_DESCRIBED: "已调取商品详情页存档，与实物照片比对",
    Category.COUNTERFEIT: "已请质检和法务核实商品来源与进货凭证",
    Category.PRICE_PROMOTION: "已请运营核实活动规则和价格记录",
    Category.WRONG_OR_MISSING: "已调取仓库出库记录和打包视频",
    Category.SHIPPING_DELAY: "已向仓库核实排单和发货情况",
    Category.LOGISTICS: "已联系快递公司核实物流轨迹",
    Category.OUT_OF_STOCK: "已向运营确认库存和补货时间",
    Category.SERVICE: "已调取客服聊天记录和通话录音",
    Category.RETURN_REFUND: "已核对退货物流和退款记录",
    Category.REPAIR_INSTALLATION: "已联系售后网点了解维修和安装记录",
    Category.OTHER: "已联系顾客了解具体诉求",
}
REMEDY = {
    "refund": "全额退款 {amount} 元",
    "return_refund": "退货退款 {amount} 元，退货运费由商家承担",
    "exchange": "换新，寄回运费由商家承担",
    "repair": "安排售后网点免费上门维修",
    "reship": "补发缺少的商品，顺丰发出",
    "compensation": "补偿 {amount} 元",
    "apology": "电话致歉并赠送 20 元无门槛优惠券",
    "other": "说明情况并赠送 10 元优惠券",
}
REMEDY_BY_CATEGORY = {
    Category.SHIPPING_DELAY: "约定三日内发货，赠送小礼品",
    Category.OUT_OF_STOCK: "全额退款 {amount} 元并赠送 10 元优惠券",
}
DONE = {
    "refund": "退款已提交财务，原路退回，预计 1-3 个工作日到账",
    "return_refund": "已收到退货，退款已提交财务，预计 1-3 个工作日到账",
    "exchange": "换货新品已发出，快递单号 SF{track}",
    "repair": "维修完成，顾客已签字确认",
    "reship": "补发包裹已发出，快递单号 YT{track}",
    "compensation": "补偿款已打款到顾客支付宝",
    "apology": "已致电顾客道歉，优惠券已发放",
    "other": "已向顾客说明情况，优惠券已发放",
}
ESCALATION = {
    "platform": "顾客申请平台介入，平台客服已介入处理",
    "consumer_association": "顾客向消费者协会投诉，消协来函要求调解",
    "regulator": "顾客拨打 12315 投诉，市场监管局转来工单",
    "arbitration": "双方协商不成，按约定提交仲裁",
    "lawsuit": "顾客委托律师发来律师函，准备起诉",
}
ESCALATION_OUTCOME = {
    "platform": ("平台判定支持顾客，已按平台结果退款", "平台判定商家无责，纠纷关闭"),
    "consumer_association": ("经消协调解双方达成一致，已履行",),
    "regulator": ("市场监管局组织调解，双方达成一致，结案",),
    "arbitration": ("仲裁裁决已履行",),
    "lawsuit": ("法院调解结案，已按调解书赔付",),
}
REJECTION = {
    "duplicate": "同一订单的问题已在另一投诉中处理，重复投诉",
    "invalid": "经核实商品无质量问题，顾客描述与事实不符",
    "fake": "顾客提供的照片为网络图片，订单信息对不上，虚假投诉",
    "mistaken": "顾客购买的不是本店商品，误投，已告知正确的投诉渠道",
}
REOPENING = (
    "回访：顾客表示退款仍未到账",
    "回访：顾客反映问题仍未解决，要求重新处理",
    "回访：顾客对处理结果不满意",
    "回访：补发的商品仍然少件",
)
WITHDRAWAL = (
    "顾客表示问题已自行解决，撤回投诉",
    "顾客来电撤回投诉，表示已收到商品",
    "顾客在平台撤销了纠纷申请",
)
CLOSING = (
    "回访：顾客表示满意，问题已解决",
    "回访：款项已到账，顾客确认结案",
    "回访：顾客认可处理结果",
)


def _step_text(
    rng: random.Random,
    action: Action,
    status: Status,
    c: Complaint,
    amount: Decimal,
    route: str,
    store: StoreInfo,
) -> tuple[str, dict, str]:
    """Reason, payload and who acted ("handler" or "lead") for one step."""
    category = Category(c.category)
    if action == A.TRIAGE:
        reason = f"分类：{CATEGORY_LABELS[category]}，{SEVERITY_LABELS[Severity(c.severity)]}"
        return reason, {"category": c.category, "severity": c.severity}, "handler"
    if action == A.INVESTIGATE:
        return INVESTIGATION[category], {}, "handler"
    if action in (A.PROPOSE, A.SETTLE):
        if c.remedy and c.expectation not in ("return_refund", "exchange"):
            remedy = c.remedy
        else:
            remedy = REMEDY_BY_CATEGORY.get(category, REMEDY[c.expectation])
        remedy = remedy.format(amount=f"{amount:.2f}")
        payload = {"remedy": c.expectation, "amount": f"{amount:.2f}"}
        if action == A.SETTLE:
            return f"顾客同意调解方案（{remedy}），调解协议已双方确认", payload, "handler"
        if status == Status.ESCALATED:
            return f"根据外部调解意见提出方案：{remedy}", payload, "lead"
        return f"调解方案：{remedy}", payload, "handler"
    if action == A.REVISE:
        return rng.choice(
            ("顾客不接受，希望提高补偿金额，经组长同意调整方案",
             "顾客对补偿金额有异议，重新协商",
             "顾客要求换个处理方式，修改方案")
        ), {}, "lead"  # fmt: skip
    if action == A.COMPLETE:
        done = DONE[c.expectation].format(track=rng.randrange(10**11, 10**12))
        return done, {"remedy": c.expectation}, "handler"
    if action == A.CLOSE:
        if status == Status.ESCALATED:
            return rng.choice(ESCALATION_OUTCOME[route]), {"route": route}, "lead"
        if rng.random() < 0.3:
            return "顾客确认问题已解决", {"customer_confirmed": True}, "handler"
        score = rng.choices((3, 4, 5), (10, 35, 55))[0]
        return rng.choice(CLOSING), {"satisfaction": score, "resolved": True}, "handler"
    if action == A.ESCALATE:
        return ESCALATION[route], {"route": route}, "lead"
    if action == A.REOPEN:
        score = rng.choice((1, 2))
        return rng.choice(REOPENING), {"satisfaction": score, "resolved": False}, "handler"
    if action == A.REJECT:
        ground = rng.choices(list(REJECTION), (35, 25, 20, 20))[0]
        return REJECTION[ground], {"ground": ground}, "lead"
    if action == A.WITHDRAW:
        options = WITHDRAWAL + (("顾客与主播私下协商一致，申请撤回",) if store.is_live else ())
        return rng.choice(options), {}, "handler"
    raise AssertionError(action)  # pragma: no cover


# ── After intake: teams, assignees, flags, department tasks ─────────────────────────


def _assign(plans: list[RowPlan], number_of: dict[int, str], teams: dict[str, Team]) -> None:
    """Set-based updates: one per (team, assignee), per flag, per secondary category."""
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=[Role.AGENT.value, Role.TEAM_LEAD.value])}  # fmt: skip
    groups: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    risky: list[str] = []
    secondary: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for p in plans:
        number = number_of.get(p.line)
        if number is None:
            continue
        groups[(p.team, p.assignee if p.assignee in users else None)].append(number)
        if p.complaint.escalation_risk:
            risky.append(number)
        if p.complaint.secondary_categories:
            secondary[p.complaint.secondary_categories].append(number)
    for (team, assignee), numbers in groups.items():
        _update(numbers, team=teams[team], assignee=users.get(assignee) if assignee else None)
    _update(risky, escalation_risk=True)
    for cats, numbers in secondary.items():
        _update(numbers, secondary_categories=list(cats))


def _update(numbers: list[str], **values) -> None:
    for start in range(0, len(numbers), 500):
        Dispute.objects.filter(number__in=numbers[start : start + 500]).update(**values)


def _create_tasks(plans: list[RowPlan], number_of: dict[int, str]) -> int:
    ids = dict(
        Dispute.objects.filter(number__in=list(number_of.values())).values_list("number", "id")
    )
    tasks = []
    for p in plans:
        number = number_of.get(p.line)
        if number is None:
            continue
        for department, kind, title, start, end, hours in _tasks_for(p):
            at = dict(p.steps)
            if start not in at:
                continue
            if end in at:
                state = Task.State.DONE
            elif p.status in lifecycle.TERMINAL:
                state = Task.State.CANCELLED if p.status != Status.CLOSED else Task.State.DONE
            else:
                state = Task.State.OPEN
            tasks.append(
                Task(
                    dispute_id=ids[number],
                    department=department,
                    kind=kind,
                    title=title,
                    state=state,
                    due_at=at[start] + dt.timedelta(hours=hours),
                )
            )
    Task.objects.bulk_create(tasks, batch_size=1000)
    return len(tasks)


def _tasks_for(p: RowPlan):
    """(department, kind, title, the step that starts it, the step that ends it, hours)."""
    c = p.complaint
    category = Category(c.category)
    product = c.product_name
    if category in (Category.QUALITY, Category.NOT_AS_DESCRIBED, Category.COUNTERFEIT):
        title = f"质检：检验「{product}」并出具检验报告"
        yield Department.QUALITY_CONTROL, "qc_inspection", title, A.INVESTIGATE, A.PROPOSE, 1
    if category in (Category.LOGISTICS, Category.SHIPPING_DELAY, Category.WRONG_OR_MISSING):
        title = {
            Category.LOGISTICS: "物流：追踪包裹并向顾客反馈",
            Category.SHIPPING_DELAY: "物流：核实仓库排单，约定发货日期",
            Category.WRONG_OR_MISSING: "物流：核查出库记录，安排补发或换货",
        }[category]
        yield Department.LOGISTICS, "logistics_trace", title, A.INVESTIGATE, A.PROPOSE, 4
    if category == Category.PRICE_PROMOTION:
        yield (Department.OPERATIONS, "promotion_check", "运营：核实活动规则与价格记录",
               A.INVESTIGATE, A.PROPOSE, 2)  # fmt: skip
    if category == Category.COUNTERFEIT or c.severity == Severity.MAJOR:
        yield (Department.LEGAL, "legal_review", "法务：审核调解方案的合规性",
               A.INVESTIGATE, A.SETTLE, 24)  # fmt: skip
    if p.route and p.route != EscalationRoute.PLATFORM:
        label = lifecycle.ESCALATION_ROUTE_LABELS[EscalationRoute(p.route)]
        yield (Department.LEGAL, "external_case", f"法务：应对外部投诉（{label}）",
               A.ESCALATE, A.CLOSE, 24)  # fmt: skip
    if c.expectation in ("refund", "return_refund", "compensation"):
        title = f"财务：支付退款/赔付 {c.claimed_amount or c.amount_paid} 元"
        yield Department.FINANCE, "payout", title, A.SETTLE, A.COMPLETE, 72


def _count(summary: DemoSummary) -> None:
    demo = Dispute.objects.filter(intake_key__startswith=KEY_PREFIX)

    def by(field_name: str) -> dict[str, int]:
        rows = demo.values_list(field_name).annotate(n=Count("id")).order_by()
        return dict(Counter({k: n for k, n in rows}).most_common())

    summary.by_status = by("status")
    summary.by_channel = by("channel")
    summary.by_category = by("category")
    summary.by_severity = by("severity")
    summary.total = sum(summary.by_status.values())
