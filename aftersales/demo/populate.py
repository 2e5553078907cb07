"""Demo data: one staff user per role, mediation teams, and thousands of realistic
disputes across every state, channel and category over the last 90 days.

Staff and teams from `staff`; rows planned by `plan`: texts from the demo's own
generator (`text`), histories from `history`, each move judged by the lifecycle through
the door of the service that owns it; rows go through `intake.bulk.bulk_intake`, which
replays each history and writes the timeline. Then what the services would have written
along the way, with their own builders and checks: routing's department tasks, the team
lead's assignments (`routing`), the investigation, proposals and escalations
(`mediation`), SLA timers (`timers`), commitments; then the after-sale orders of the
accepted proposals, carried through the fulfilment services themselves (`fulfilment`).
Idempotent: intake keys derive from the seed and the row index, and a database that
already holds demo disputes is left as it is.

The demo password is public: the demo is for a developer's own machine (DEBUG).
"""

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from aftersales.demo import fulfilment as fulfilment_demo
from aftersales.demo import mediation as mediation_demo
from aftersales.demo import routing as demo_routing
from aftersales.demo import timers as sla_demo
from aftersales.demo.plan import KEY_PREFIX as KEY_PREFIX
from aftersales.demo.plan import plan_rows
from aftersales.demo.staff import DEMO_PASSWORD as DEMO_PASSWORD
from aftersales.demo.staff import DemoLogin, ensure_demo_staff, ensure_demo_teams
from aftersales.disputes.models import Dispute
from aftersales.intake.bulk import bulk_intake


@dataclass
class DemoSummary:
    created: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    already_present: bool = False
    seconds: float = 0.0
    total: int = 0
    tasks: int = 0
    timers: int = 0
    proposals: int = 0
    legal_reviewed: int = 0  # revisions below the statutory minimum that legal approved
    escalations: int = 0
    agreements: int = 0  # settlement agreements
    rendered: int = 0  # of which rendered as PDF
    aftersale_orders: int = 0  # 售后单
    aftersale_open: int = 0
    aftersale_done: int = 0
    aftersale_closed: int = 0  # of which on closed disputes (carried out, then closed)
    parcels: int = 0
    payouts: int = 0
    commitments: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


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
            routed = demo_routing.populate(plans, number_of, teams, now=now)
        mediated = mediation_demo.populate(seed=seed, now=now)
        summary.tasks = routed.tasks + mediated.tasks
        summary.proposals, summary.legal_reviewed = mediated.proposals, mediated.below_minimum
        summary.escalations = mediated.escalations
        summary.agreements, summary.rendered = mediated.agreements, mediated.rendered
        summary.timers = sla_demo.populate(seed=seed, now=now).timers
        summary.commitments = mediation_demo.populate_commitments(seed=seed, now=now).made
        done = fulfilment_demo.populate(seed=seed, now=now)
        summary.aftersale_orders, summary.parcels = done.orders, done.parcels
        summary.aftersale_open, summary.aftersale_done = done.open, done.done
        summary.aftersale_closed = done.closed
        summary.payouts = done.payouts
        demo_routing.name_actors()
    _count(summary)
    summary.seconds = time.monotonic() - started
    return summary


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
