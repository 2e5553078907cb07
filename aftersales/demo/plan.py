"""The demo rows: what each demo dispute is (category, channel, severity, status, age),
its customer, order and complaint text, and its history — deterministic for a seed
(texts) and a seed and `now` (times)."""

import datetime as dt
import math
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aftersales.demo.history import Handlers, history
from aftersales.demo.staff import DEMO_STAFF, TEAM2_HANDLERS
from aftersales.demo.text import Complaint, DemoTextGenerator, Person, StoreInfo
from aftersales.disputes.bulk import BulkRow, OrderFacts, row_hash
from aftersales.disputes.intake import validate_intake
from aftersales.disputes.lifecycle import EscalationRoute, Status
from aftersales.disputes.models import Channel
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.parties.roles import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY_PREFIX = "demo:"  # intake keys of demo rows
DAYS = 90

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
    route: str = ""


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
    who = Handlers(handler=handler, lead=DEMO_STAFF[1][1])
    steps = history(rng, status, c, received, now, who, route, store)
    row = BulkRow(
        line=i + 1,
        request=request,
        intake_key=KEY_PREFIX + row_hash(["demo", seed, i]),
        order=facts,
        history=tuple(steps),
        category=c.category,
        severity=c.severity,
        actor_label=handler or "system",
    )
    return RowPlan(i + 1, row, c, status, team, assignee, route)


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
