"""Customer-message delivery throughput (issue 14): messages delivered per second by the
worker's real sweep (`notifications.tasks.deliver_messages`, the every-minute job) through
the development SMS backend (`sms.dev.DevelopmentSms`: a JSON line per text appended to
a file, a log line, and its delivery receipt read back in the same sweep).

    .venv/bin/python benchmarks/delivery.py [--messages 5000] [--disputes 50]
        [--database-url URL]

URL: a SQLite file (default /tmp/aftersales_delivery_bench.sqlite3) or PostgreSQL
(postgres://postgres@127.0.0.1:5432/aftersales_delivery_bench); the database is deleted
/ dropped, created and migrated each run, with production settings (DEBUG off) and
settings.CUSTOMER_CHANNEL unset, so every message goes through `adapters.for_channel`.
`--disputes` disputes are taken in through the intake service (`dispute_create`, each
writing its acknowledgement), the rest of the `--messages` acknowledgements through the
bulk service `acknowledge_intakes` on those disputes; all to mainland mobiles, so all go
by SMS. The sweep is then called back to back (no minute's wait) until nothing is due;
each call takes batch after batch (`delivery_rules.BATCH`) for at most SWEEP_SECONDS — the
worker's minute. Each message: a locked read, the attempt committed, the
text handed over under the row lock, `sent` committed; then the receipt (`delivered`).

The floor, measured in the same run on the same rows: one bare autocommit UPDATE of
each message's state by primary key; the sweep's time per message is also printed as a
multiple of it. Load average before and after; every message is checked to be
`delivered` with exactly one line in the file.
"""

import argparse
import collections
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_db import prepare_database  # noqa: E402 (after the path)

DEFAULT_URL = "sqlite:////tmp/aftersales_delivery_bench.sqlite3"


def take_in(disputes: int) -> list:
    """Disputes through the intake service, each on its own order and customer."""
    from decimal import Decimal

    from django.utils import timezone

    from aftersales.disputes.intake import validate_intake
    from aftersales.intake.services import dispute_create
    from aftersales.parties.actors import SYSTEM
    from aftersales.parties.models import Order, Store

    store = Store.objects.create(code="bench", name="美的官方旗舰店", platform="tmall")
    made = []
    for i in range(disputes):
        order = Order.objects.create(
            order_no=f"BENCH{i:08d}",
            store=store,
            amount_paid=Decimal("199.00"),
            payment_channel="alipay",
            paid_at=timezone.now(),
        )
        request = validate_intake(
            {
                "channel": "api",
                "order_no": order.order_no,
                "customer": {"name": f"顾客{i}", "phone": f"1880000{i:04d}"},
                "description": "热水器用了三天就漏水，要求退货退款。",
            }
        )
        made.append(dispute_create(request=request, actor=SYSTEM)[0])
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--disputes", type=int, default=50)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    prepare_database(args.database_url)
    outbox_file = Path(tempfile.mkdtemp(prefix="delivery-bench-")) / "sms-outbox.jsonl"
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-secret")
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from aftersales.notifications.delivery_rules import BATCH, SWEEP_SECONDS
    from aftersales.notifications.models import OutboundMessage
    from aftersales.notifications.services import acknowledge_intakes
    from aftersales.notifications.tasks import deliver_messages

    settings.CUSTOMER_CHANNEL = ""
    settings.AFTERSALES_SMS_BACKEND = "aftersales.notifications.sms.dev.DevelopmentSms"
    settings.AFTERSALES_SMS_DEV_FILE = str(outbox_file)
    logging.getLogger("aftersales.sms").setLevel(logging.INFO)  # the log line is written
    logging.getLogger("aftersales.sms").handlers = [logging.FileHandler(f"{outbox_file}.log")]
    logging.getLogger("aftersales.sms").propagate = False

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    disputes = take_in(args.disputes)
    rest = args.messages - len(disputes)
    acknowledge_intakes([disputes[i % len(disputes)] for i in range(rest)])
    total = OutboundMessage.objects.count()
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{connection.vendor}, {os.cpu_count()} CPUs; {total:,} messages pending "
        f"({len(disputes)} disputes taken in, {time.perf_counter() - began:.1f} s)"
    )

    load_before = os.getloadavg()
    began = time.perf_counter()
    sweeps, ended = 0, collections.Counter()
    while run := deliver_messages.call():
        sweeps += 1
        ended.update(run)
    elapsed = time.perf_counter() - began

    ids = list(OutboundMessage.objects.values_list("pk", flat=True))
    began = time.perf_counter()
    for pk in ids:
        OutboundMessage.objects.filter(pk=pk).update(state="delivered")
    floor = time.perf_counter() - began
    load_after = os.getloadavg()

    lines = [json.loads(line) for line in outbox_file.read_text().splitlines()]
    per_message = collections.Counter(line["key"].rsplit("-", 1)[0] for line in lines)
    assert len(per_message) == total and set(per_message.values()) == {1}, "one text each"
    assert ended["delivered"] == total, ended

    print(
        f"load average before {load_before[0]:.2f} {load_before[1]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f}"
    )
    print(f"{'':34} {'msg/s':>9} {'ms/msg':>8} {'× floor':>8}")
    rate, unit = total / elapsed, elapsed / total * 1000
    floor_unit = floor / total * 1000
    print(
        f"{'floor: UPDATE by id (autocommit)':34} {total / floor:9.0f} {floor_unit:8.3f} {1:8.1f}"
    )
    print(f"{'sweep → dev SMS → delivered':34} {rate:9.0f} {unit:8.3f} {unit / floor_unit:8.1f}")
    print(
        f"{sweeps} sweeps (batches of {BATCH}); {dict(ended)}; once a minute the worker "
        f"sweeps for at most {SWEEP_SECONDS} s: about {rate * SWEEP_SECONDS:,.0f} a minute here"
    )


if __name__ == "__main__":
    main()
