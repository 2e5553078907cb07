"""After-sale orders at scale (issue 12): the 售后单 of N accepted proposals made, then
every dispute walked to closure through the services — each order's moves (finance
approval and payout, return address, the customer's tracking number, receipt,
inspection, shipping, delivery), the last order finishing completes the dispute, the
follow-up visit recorded satisfied closes it — counted per second.

    .venv/bin/python benchmarks/execution.py [--count 10000] [--database-url URL]

URL: a scratch SQLite file (default /tmp/aftersales_execution_bench.sqlite3, deleted
first) or PostgreSQL (postgres://postgres@127.0.0.1:5432/aftersales_execution_bench:
the database is dropped and recreated). Set-up, not measured: 2N disputes taken in by
the bulk import with their histories up to 执行中 (settled). Measured:

- floor: N plain lifecycle moves (`dispute_apply` complete on the other N disputes, which
  have no after-sale orders), the cost of the cheapest write a dispute gets;
- orders: `aftersale_orders_from_agreement` for each of the N (lines mapped by
  `mediation.execution_lines` from a mix of agreements: a refund; a return with refund;
  a re-shipment; a refund plus money compensation);
- closure: every order carried to done by its services, then `followup_record`.

Prints the load average before and after, and each phase per second and as a multiple of
the floor measured in the same run (so runs on a busy machine stay comparable).
"""

import argparse
import datetime as dt
import os
import platform
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import prepare_database  # noqa: E402 (after the path)

DEFAULT_URL = "sqlite:////tmp/aftersales_execution_bench.sqlite3"
# The agreements, by dispute index modulo 4: remedy lines (code, amount).
MIX = (
    (("refund", "100.00"),),
    (("return_refund", "299.00"),),
    (("reship", None),),
    (("refund", "50.00"), ("compensation", "20.00")),
)


def load(count: int, now: dt.datetime) -> tuple[list[int], list[int], dict]:
    """2N disputes settled (执行中) through the bulk import, and the staff who act."""
    from aftersales.disputes import lifecycle
    from aftersales.disputes.bulk import BulkRow, HistoryStep
    from aftersales.disputes.bulk_orders import OrderFacts
    from aftersales.disputes.intake import validate_intake
    from aftersales.intake.bulk import bulk_intake
    from aftersales.parties.models import Team
    from aftersales.parties.roles import Role
    from aftersales.parties.services import staff_create

    team = Team.objects.get(is_default=True)
    users = {}
    for role in (Role.TEAM_LEAD, Role.FINANCE, Role.LOGISTICS, Role.QUALITY_CONTROL,
                 Role.OPERATIONS, Role.ADMIN):  # fmt: skip
        users[role.value] = staff_create(
            username=role.value,
            password="pass-Word-123",
            role=role,
            team=team if role == Role.TEAM_LEAD else None,
        )
    received = now - dt.timedelta(days=3)
    actions = ("triage", "investigate", "propose", "settle")
    rows = []
    for i in range(2 * count):
        request = validate_intake(
            {
                "channel": "api",
                "order_no": f"B{i:09d}",
                "customer": {"name": "基准顾客", "phone": f"188{i:08d}"},
                "description": "热水器用了三天就漏水，要求处理。",
                "product_name": "电热水器",
                "amount_paid": "299.00",
                "received_at": received.isoformat(),
            },
            now=now,
        )
        history = tuple(
            HistoryStep(a, received + dt.timedelta(hours=k + 1), via=lifecycle.owner_of(a))
            for k, a in enumerate(actions)
        )
        facts = OrderFacts(
            store_code="bench",
            store_name="基准旗舰店",
            platform="tmall",
            amount_paid=Decimal("299.00"),
            product_name="电热水器",
            payment_channel="alipay",
            paid_at=received - dt.timedelta(days=10),
            shipped_at=received - dt.timedelta(days=9),
            received_at=received - dt.timedelta(days=7),
        )
        rows.append(
            BulkRow(
                line=i + 1,
                request=request,
                intake_key=f"bench:{i}",
                order=facts,
                history=history,
                category="quality",
                severity="general",
            )
        )
    result = bulk_intake(rows, route=False)
    assert not result.failed, result.failed[:3]
    from aftersales.disputes.models import Dispute

    settled = Dispute.objects.filter(status="executing").order_by("id")
    ids = list(settled.values_list("id", flat=True))
    assert len(ids) == 2 * count, len(ids)
    return ids[:count], ids[count:], users


def run_floor(ids: list[int]) -> float:
    from aftersales.disputes.models import Dispute
    from aftersales.disputes.services import dispute_apply
    from aftersales.parties.actors import SYSTEM

    began = time.perf_counter()
    for dispute in Dispute.objects.filter(pk__in=ids).order_by("id").iterator():
        dispute_apply(
            dispute=dispute,
            action="complete",
            actor=SYSTEM,
            version=dispute.version,
            reason="",
            payload={},
        )
    return time.perf_counter() - began


def run_orders(ids: list[int], users: dict) -> tuple[float, int]:
    from aftersales.disputes.models import Dispute
    from aftersales.fulfilment.aftersale_orders import aftersale_orders_from_agreement
    from aftersales.mediation.execution_lines import agreed_lines
    from aftersales.mediation.remedies import RemedyItem

    lead = users["team_lead"]
    made = 0
    began = time.perf_counter()
    for i, dispute in enumerate(Dispute.objects.filter(pk__in=ids).order_by("id").iterator()):
        items = [
            RemedyItem.from_dict({"code": code, "amount": amount}) for code, amount in MIX[i % 4]
        ]
        made += len(
            aftersale_orders_from_agreement(
                dispute=dispute,
                agreement_id=dispute.pk,
                lines=agreed_lines(items, shipped=True),
                actor=lead,
            )
        )
    return time.perf_counter() - began, made


def run_closure(ids: list[int], users: dict) -> tuple[float, int]:
    import random

    from django.utils import timezone

    from aftersales.demo.fulfilment_plan import Cast, forward_path, move
    from aftersales.disputes.models import Dispute
    from aftersales.followup.visits import followup_record, refund_expected
    from aftersales.fulfilment.models import AfterSaleOrder

    cast = Cast(users, random.Random("bench"), 3)
    lead = users["team_lead"]
    moves = 0
    began = time.perf_counter()
    for dispute_id in ids:
        for order in AfterSaleOrder.objects.filter(dispute_id=dispute_id).order_by("id"):
            for action in forward_path(order):
                order = move(cast, order, action, handler=lead, at=timezone.now())
                moves += 1
        dispute = Dispute.objects.get(pk=dispute_id)
        followup_record(
            dispute=dispute,
            actor=lead,
            reached=True,
            resolved=True,
            refund_arrived=True if refund_expected(dispute_id) else None,
            satisfaction=5,
            channel="phone",
        )
    return time.perf_counter() - began, moves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    n = args.count

    prepare_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings"
    # Production settings (DEBUG off: no query log), as the intake benchmark runs them.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    now = timezone.now()
    began = time.perf_counter()
    measured, floor_ids, users = load(n, now)
    print(f"set-up: {2 * n:,} settled disputes in {time.perf_counter() - began:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT version()")
            db = cursor.fetchone()[0].split(",")[0]
    else:
        import sqlite3

        db = f"SQLite {sqlite3.sqlite_version}"
    print(f"{db}; Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.node()}")
    load_before = os.getloadavg()

    floor = run_floor(floor_ids)
    creating, orders = run_orders(measured, users)
    closing, moves = run_closure(measured, users)
    load_after = os.getloadavg()

    from aftersales.disputes.models import Dispute
    from aftersales.fulfilment.models import AfterSaleOrder

    closed = Dispute.objects.filter(pk__in=measured, status="closed").count()
    done = AfterSaleOrder.objects.filter(dispute_id__in=measured, state="done").count()
    assert closed == n and done == orders, (closed, done, orders)

    per_floor = floor / n
    print(f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f}")  # fmt: skip
    print(f"floor: {n:,} plain dispute_apply moves: {n / floor:,.0f} /s "
          f"({per_floor * 1000:.1f} ms each)")  # fmt: skip
    print(
        f"orders: {orders:,} after-sale orders for {n:,} accepted proposals in {creating:.1f} s: "
        f"{n / creating:,.0f} proposals/s, {orders / creating:,.0f} orders/s "
        f"(one proposal = {creating / n / per_floor:.1f} floor moves)"
    )
    print(
        f"closure: {moves:,} order moves + {n:,} follow-ups, {n:,} disputes closed in "
        f"{closing:.1f} s: {n / closing:,.1f} disputes/s, {moves / closing:,.0f} moves/s "
        f"(one dispute = {closing / n / per_floor:.1f} floor moves)"
    )
    total = creating + closing
    print(
        f"orders + closure: {n / total:,.1f} accepted proposals carried to closure per second "
        f"({total / n * 1000:.1f} ms each)"
    )


if __name__ == "__main__":
    main()
