"""Real concurrency on PostgreSQL: forked processes, each with its own connection.

Run with DATABASE_URL=postgres://… ; skipped on SQLite."""

import multiprocessing
import os
import queue as queue_module
import traceback

import pytest
from django.db import connection, connections

from aftersales.common.errors import Conflict
from aftersales.disputes.intake import validate_intake
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.services import dispute_apply
from aftersales.disputes.timeline import DisputeKind
from aftersales.intake.services import dispute_create
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, make_dispute, make_staff

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    # serialized rollback puts back the rows migrations made (roles, the default team)
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKERS = 8
TIMEOUT = 180
FORK = multiprocessing.get_context("fork")


def _run_children(target, args_for) -> list[tuple]:
    """Fork WORKERS children running target(queue, worker, *args); collect one report each."""
    connections.close_all()  # never share a socket with the children
    reports = FORK.Queue()
    children = [
        FORK.Process(target=_child, args=(target, reports, w, *args_for(w))) for w in range(WORKERS)
    ]
    for child in children:
        child.start()
    results = []
    try:
        for _ in children:
            results.append(reports.get(timeout=TIMEOUT))
    except queue_module.Empty:
        pytest.fail(f"only {len(results)} of {WORKERS} children reported: {results}")
    finally:
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
    assert all(child.exitcode == 0 for child in children), [c.exitcode for c in children]
    return results


def _child(target, reports, worker, *args):
    """In the child: run, report through the queue, and leave without pytest's teardown."""
    code = 0
    try:
        reports.put(("ok", worker, target(worker, *args)))
    except BaseException as exc:  # report everything; the parent judges
        reports.put(("error", worker, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        try:
            connections.close_all()
            reports.close()
            reports.join_thread()  # flush the report before _exit
        except BaseException:
            code = 1
        os._exit(code)


# --- (a) numbering under concurrent intake --------------------------------------------

TOTAL = 1000


def _create_many(worker, order_nos, count):
    numbers = []
    for i in range(count):
        order_no = order_nos[(worker + i) % len(order_nos)]
        request = validate_intake(
            {
                "channel": "api",
                "order_no": order_no,
                # A handful of customers shared by all workers: customer rows race too.
                "customer": {"name": f"顾客{i % 5}", "phone": f"1380000000{i % 5}"},
                "description": f"并发受理测试 {worker}-{i}：热水器漏水",
            }
        )
        dispute, created = dispute_create(request=request, actor=SYSTEM)
        assert created
        numbers.append(dispute.number)
    return numbers


def test_concurrent_intake_gives_distinct_numbers():
    order_nos = [OrderFactory().order_no for _ in range(20)]
    per_worker = TOTAL // WORKERS
    results = _run_children(_create_many, lambda w: (order_nos, per_worker))

    errors = [r for r in results if r[0] != "ok"]
    assert not errors, errors[0][2]
    numbers = [n for _, _, batch in results for n in batch]
    assert len(numbers) == TOTAL
    assert len(set(numbers)) == TOTAL
    assert Dispute.objects.count() == TOTAL
    assert set(Dispute.objects.values_list("number", flat=True)) == set(numbers)
    # One day's sequence, no gaps: 1 … 1000.
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, TOTAL + 1))
    assert Event.objects.filter(kind=DisputeKind.INTAKE).count() == TOTAL


# --- (b) optimistic locking under concurrent actions ----------------------------------


def _apply_once(worker, dispute_pk, actor_pk, barrier):
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.get(pk=actor_pk)
    dispute = Dispute.objects.get(pk=dispute_pk)
    barrier.wait(timeout=60)  # everyone read version 1; now all write at once
    try:
        result = dispute_apply(dispute=dispute, action="triage", actor=actor, version=1)
    except Conflict as exc:
        return ("conflict", exc.code)
    return ("applied", result.version)


def test_concurrent_actions_on_one_version_apply_once():
    admin = make_staff(Role.ADMIN)
    dispute = make_dispute()
    actions_before = Event.objects.filter(dispute=dispute, kind=DisputeKind.ACTION).count()
    barrier = FORK.Barrier(WORKERS)
    results = _run_children(_apply_once, lambda w: (dispute.pk, admin.pk, barrier))

    errors = [r for r in results if r[0] != "ok"]
    assert not errors, errors[0][2]
    outcomes = sorted(r[2] for r in results)
    assert outcomes.count(("applied", 2)) == 1, outcomes
    assert outcomes.count(("conflict", "version_conflict")) == WORKERS - 1, outcomes

    fresh = Dispute.objects.get(pk=dispute.pk)
    assert (fresh.status, fresh.version) == (Status.TRIAGED, 2)
    actions = Event.objects.filter(dispute=dispute, kind=DisputeKind.ACTION)
    assert actions.count() == actions_before + 1
    assert actions.get().action == "triage"
