"""The real part of the pages benchmark's data (`benchmarks/pages_load.py`): K disputes
taken in and worked by the product's own services, exactly as they write them.

- `bulk_intake` (the import's multi-row INSERT / COPY path) with a history of one or two
  lifecycle moves (triage, then investigate for two in three), routing on; channel,
  category, severity (1 in 10 complex), escalation risk (1 in 50) and low confidence
  (1 in 9) drawn independently (not from the row number, whose common factors made
  some filter combinations empty and others walk a whole severity); writing the
  customer, the order and its line, the dispute (search columns included), the intake,
  classification, acknowledgement, routing and move events, the acknowledgement
  message, the routing table's department tasks, the day's number sequence;
- four SLA clocks each (`add_timers`: the import starts none, its histories being past)
  as the live system leaves them, and `Dispute.due_at` from them;
- per dispute, through the services an agent's page calls: a recorded call
  (`contact_record`, which stops the first-contact clock), an internal note
  (`note_add`), and, where routing made no task, a department task (`task_request`,
  which starts the task's clocks) — so ≈ 8 events and ≈ 1 task each.
"""

import datetime as dt
import random
from decimal import Decimal

RARE = "烤面包机"
RARE_TEXT = f"另外买的{RARE}也坏了。"
RARE_EVERY = 20_011  # the rare term: in one dispute of this many (pages_load.mark_rare)
PRODUCTS = ("电热水器", "电饭煲", "洗衣机", "冰箱", "空调", "吸尘器", "燃气灶", "净水器")
PROBLEMS = (
    "用了三天就漏水",
    "收到时外包装破损",
    "快递三天没有更新物流",
    "发错了颜色",
    "开机没反应",
    "噪音特别大",
    "少发了配件",
    "直播间说有赠品但没收到",
)
WISHES = ("要求退货退款", "希望换一台新的", "请尽快安排维修", "要求补发", "要求赔偿")
CATEGORIES = ("quality", "logistics", "service", "wrong_or_missing")
# The department a dispute without a routed task asks, by category.
ASKED = {
    "quality": "quality_control",
    "logistics": "logistics",
    "service": "operations",
    "wrong_or_missing": "logistics",
}
SPAN_MINUTES = 60 * 24 * 20  # intake times spread over the last 20 days


def order_no(i: int) -> str:
    return f"P{i:09d}"


def platform_order_no(i: int) -> str:
    return f"TM{i:012d}"


def phone(i: int) -> str:
    return f"139{i:08d}"


def description(i: int, rng: random.Random) -> str:
    product = PRODUCTS[i % len(PRODUCTS)]
    problem = PROBLEMS[rng.randrange(len(PROBLEMS))]
    return f"{product}{problem}，{WISHES[rng.randrange(len(WISHES))]}。订单第{i % 97}件。"


def seed(k: int, now: dt.datetime):
    """Take in and work K disputes through the services; returns the agent."""
    from aftersales.parties.models import Team
    from aftersales.parties.roles import Role
    from aftersales.parties.services import staff_create

    team = Team.objects.get(is_default=True)
    agent = staff_create(username="agent", password="pass-Word-123", role=Role.AGENT, team=team)
    _intake(k, now)
    add_timers(now)
    set_due()
    _work(agent, now)
    return agent


def _intake(k: int, now: dt.datetime) -> None:
    from aftersales.disputes import lifecycle
    from aftersales.disputes.bulk import BulkRow, HistoryStep
    from aftersales.disputes.bulk_orders import OrderFacts
    from aftersales.disputes.intake import validate_intake
    from aftersales.intake.bulk import bulk_intake

    rng = random.Random(13)
    pick = random.Random(31)  # labels and channel, drawn independently of one another
    rows, labels = [], {}
    for i in range(k):
        received = now - dt.timedelta(minutes=30 + (i * 37) % SPAN_MINUTES)
        request = validate_intake(
            {
                "channel": pick.choice(("api", "phone", "chat", "email")),
                "order_no": order_no(i),
                "customer": {"name": f"顾客{i % 5000}号", "phone": phone(i)},
                "description": description(i, rng),
                "product_name": PRODUCTS[i % len(PRODUCTS)],
                "amount_paid": "299.00",
                "received_at": received.isoformat(),
            },
            now=now,
        )
        moves = ("triage", "investigate")[: 1 + (pick.random() < 2 / 3)]
        history = tuple(
            HistoryStep(a, received + dt.timedelta(minutes=5 * (n + 1)), via=lifecycle.owner_of(a))
            for n, a in enumerate(moves)
        )
        facts = OrderFacts(
            store_code="bench",
            store_name="基准旗舰店",
            platform="tmall",
            amount_paid=Decimal("299.00"),
            product_name=PRODUCTS[i % len(PRODUCTS)],
            payment_channel="alipay",
            platform_order_no=platform_order_no(i),
            paid_at=received - dt.timedelta(days=10),
            shipped_at=received - dt.timedelta(days=9),
            received_at=received - dt.timedelta(days=7),
        )
        rows.append(
            BulkRow(
                line=i + 1, request=request, intake_key=f"bench:{i}", order=facts, history=history
            )
        )
        labels[i + 1] = {
            "category": pick.choice(CATEGORIES),
            "categories": [],
            "severity": "complex" if pick.random() < 0.1 else "general",
            "escalation_risk": pick.random() < 0.02,
            "confidence": 0.35 if pick.random() < 1 / 9 else 0.86,
            "signals": [],
            "model_version": "bench",
        }
    result = bulk_intake(rows, labels=labels)
    assert not result.failed, result.failed[:3]


def _work(agent, now: dt.datetime) -> None:
    """A call, a note and (where routing made none) a department task per dispute,
    through the services."""
    from aftersales.disputes.contacts import contact_record, note_add
    from aftersales.disputes.models import Dispute
    from aftersales.mediation.investigation import task_request

    with_task = set(
        Dispute.objects.filter(tasks__isnull=False).values_list("id", flat=True).distinct()
    )
    for n, dispute in enumerate(Dispute.objects.order_by("id").iterator(chunk_size=500)):
        called = min(dispute.received_at + dt.timedelta(minutes=20 + n % 40), now)
        contact_record(
            dispute=dispute,
            actor=agent,
            channel=("phone", "chat", "sms")[n % 3],
            direction="outbound",
            summary="已致电顾客，核实了商品问题和诉求，顾客同意等待调查结果。",
            outcome="等待调查",
            at=called,
        )
        note_add(dispute=dispute, actor=agent, text="顾客情绪稳定，需质检确认后再给方案。")
        if dispute.pk not in with_task:
            task_request(
                dispute=dispute,
                actor=agent,
                department=ASKED[dispute.category],
                at=called,
            )


def add_timers(now: dt.datetime) -> None:
    """The import starts no clocks (its histories are past): 4 per dispute as the live
    system leaves them — classification and acknowledgement stopped, first contact and
    investigation running (some already past due, some paused) — in multi-row inserts."""
    from django.db import transaction

    from aftersales.common.fastinsert import build, insert_many
    from aftersales.disputes.models import Dispute
    from aftersales.sla.models import PolicyVersion, Timer, TimerKind

    kinds = {k.code: k for k in TimerKind.objects.all()}
    version = PolicyVersion.objects.order_by("-number").first()
    plan = (
        ("classify", 10, "minutes"),
        ("acknowledge", 24, "hours"),
        ("first_contact", 30, "minutes"),
        ("investigation", 24, "hours"),
    )
    batch = []
    for dispute_id, received in Dispute.objects.order_by("id").values_list("id", "received_at"):
        for k, (code, limit, unit) in enumerate(plan):
            span = dt.timedelta(**{unit: limit})
            due = received + span
            state = Timer.State.STOPPED if k < 2 else Timer.State.RUNNING
            if k == 3:
                due = now + dt.timedelta(minutes=(dispute_id * 53) % (60 * 48) - 600)
                if dispute_id % 17 == 0:
                    state = Timer.State.PAUSED
            batch.append(
                build(
                    Timer,
                    dispute_id=dispute_id,
                    kind=kinds[code],
                    policy_version=version,
                    limit=Decimal(limit),
                    unit=unit,
                    state=state,
                    started_at=received,
                    due_at=due,
                    risk_at=due - span / 5,
                    paused_at=now if state == Timer.State.PAUSED else None,
                    stopped_at=received + span / 2 if state == Timer.State.STOPPED else None,
                    stopped_by="bench" if state == Timer.State.STOPPED else "",
                )
            )
    with transaction.atomic():
        insert_many(batch)


def set_due() -> None:
    """Dispute.due_at = the earliest due time of its running clocks (as
    sla.timers.refresh_due), by dispute in one executemany."""
    from django.db import connection, transaction
    from django.db.models import Min

    from aftersales.sla.models import Timer

    due = (
        Timer.objects.filter(state__in=Timer.URGENT)
        .order_by()
        .values_list("dispute_id")
        .annotate(earliest=Min("due_at"))
    )
    q = connection.ops.quote_name
    rows = [(earliest, dispute_id) for dispute_id, earliest in due]
    with connection.cursor() as cursor, transaction.atomic():
        cursor.executemany(f"UPDATE {q('disputes_dispute')} SET due_at = %s WHERE id = %s", rows)
