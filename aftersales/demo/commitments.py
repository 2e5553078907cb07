"""Demo commitments for `aftersales demo`: promises handlers made to customers on open
demo disputes (kept, overdue, due today, due later), with the timeline events
`services.commitment_make` and `commitment_keep` write."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from aftersales.common.fastinsert import build, insert_many
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import DisputeKind, new_event
from aftersales.mediation.models import Commitment
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.roles import Role

KEY_PREFIX = "demo:"
STAFF_NAMES = {
    Role.AGENT: "王晓敏",
    Role.TEAM_LEAD: "李建国",
    Role.QUALITY_CONTROL: "陈志强",
    Role.LEGAL: "刘文静",
    Role.OPERATIONS: "张丽华",
    Role.LOGISTICS: "赵磊",
    Role.FINANCE: "孙芳",
    Role.SUPERVISOR: "周敏",
    Role.MANAGEMENT: "吴海涛",
}

# What a handler promises, by the dispute's state.
PROMISES = {
    "triaged": ("今天下班前回电告知处理进度", "明天上午回电确认订单和诉求"),
    "investigating": (
        "回电告知质检结果",
        "寄送检测报告给顾客",
        "向快递公司核实后回电告知包裹情况",
        "请运营核实活动规则后回复顾客",
    ),
    "proposing": ("回电答复顾客的还价", "把书面调解方案发到顾客邮箱", "请组长审批后回复补偿金额"),
    "executing": ("退款到账后短信告知顾客", "补发商品寄出后告知快递单号", "跟进退货签收后回电"),
    "follow_up": ("回电确认退款是否到账", "再次回访确认问题已解决"),
    "reopened": ("重新核实后回电说明处理方案",),
    "escalated": ("向平台提交举证材料后告知顾客", "把消协调解会时间通知顾客"),
}
# (share, when it is due): kept already, overdue, due later today, due later on.
COMMITMENT_MIX = (("kept", 0.3), ("overdue", 0.2), ("today", 0.25), ("later", 0.25))
COMMITMENT_SHARE = 0.15


@dataclass
class DemoCommitments:
    made: int = 0
    kept: int = 0
    overdue: int = 0
    due_today: int = 0
    later: int = 0


def populate_commitments(*, seed: int = 2026, now: dt.datetime | None = None) -> DemoCommitments:
    """Promises to the customer on some open demo disputes: kept, overdue (yesterday's
    unfinished promises), due later today, or due in the next days; each made after the
    dispute's last step, with the timeline events `services.commitment_make` and
    `commitment_keep` write. The demo agent gets at least one due or overdue."""
    from aftersales.sla.calendar import SHANGHAI

    now = now or timezone.now()
    rng = random.Random(f"aftersales-demo-commitments:{seed}")
    out = DemoCommitments()
    users = get_user_model().objects.filter(username__in=[r.value for r in Role])
    agent_id = next((u.pk for u in users if u.username == Role.AGENT.value), None)
    labels = {u.pk: STAFF_NAMES.get(Role(u.username), u.username) for u in users}
    last: dict[int, tuple[dt.datetime, str]] = {}
    for dispute_id, at, label in (
        Event.objects.filter(
            dispute__intake_key__startswith=KEY_PREFIX,
            dispute__is_open=True,
            kind=DisputeKind.ACTION,
        )
        .exclude(Exists(Commitment.objects.filter(dispute=OuterRef("dispute"))))
        .order_by("at", "id")
        .values_list("dispute_id", "at", "actor_label")
    ):
        last[dispute_id] = (at, label)
    disputes = list(
        Dispute.objects.filter(pk__in=list(last))
        .filter(~Q(status="received"))
        .order_by("id")
        .values_list("id", "status", "assignee_id")
    )
    # The agent's first dispute carries a promise due today or overdue, whatever the seed.
    disputes.sort(key=lambda d: d[2] != agent_id)
    end_of_today = dt.datetime.combine(
        now.astimezone(SHANGHAI).date() + dt.timedelta(days=1), dt.time(), SHANGHAI
    )
    rows, shown = [], {}
    for n, (dispute_id, status, assignee_id) in enumerate(disputes):
        if n > 0 and rng.random() >= COMMITMENT_SHARE:
            continue
        after, label = last[dispute_id]
        if now - after < dt.timedelta(minutes=30):
            continue
        mix = rng.choices([m for m, _w in COMMITMENT_MIX], [w for _m, w in COMMITMENT_MIX])[0]
        if n == 0:
            mix = "overdue" if now - after > dt.timedelta(hours=3) else "today"
        # Made in the last two days (after the last step), a few minutes before now.
        start = max(after, now - dt.timedelta(days=2))
        made = (start + (now - start) * rng.uniform(0.1, 0.8)).replace(microsecond=0)
        if mix == "overdue":
            due = made + (now - made) * rng.uniform(0.3, 0.9)
        elif mix == "kept":
            due = made + dt.timedelta(hours=rng.uniform(4, 48))
        elif mix == "today":
            due = now + (end_of_today - now) * rng.uniform(0.2, 0.9)
        else:
            due = end_of_today + dt.timedelta(hours=rng.uniform(10, 72))
        due = due.replace(second=0, microsecond=0)
        if due <= made:
            continue
        kept = None
        if mix == "kept":
            kept = (made + (min(due, now) - made) * rng.uniform(0.3, 0.95)).replace(microsecond=0)
        text = rng.choice(PROMISES.get(status, PROMISES["investigating"]))
        rows.append(
            build(
                Commitment,
                dispute_id=dispute_id,
                made_by_id=assignee_id,
                text=text,
                due_at=due,
                state=Commitment.State.KEPT if kept else Commitment.State.OPEN,
                made_at=made,
                kept_at=kept,
            )
        )
        shown[id(rows[-1])] = labels.get(assignee_id) or label
        field = "due_today" if mix == "today" else mix
        setattr(out, field, getattr(out, field) + 1)
    with transaction.atomic():
        insert_many(rows)
        events = []
        for c in rows:
            payload = {"commitment": c.pk, "text": c.text, "due_at": c.due_at.isoformat()}
            for kind, at in (
                (MediationKind.COMMITMENT_MADE, c.made_at),
                (MediationKind.COMMITMENT_KEPT, c.kept_at),
            ):
                if at is not None:
                    events.append(
                        new_event(
                            kind,
                            dispute_id=c.dispute_id,
                            actor_id=c.made_by_id,
                            actor_label=shown[id(c)],
                            payload=payload,
                            at=at,
                        )
                    )
        insert_many(events)
    out.made = len(rows)
    return out
