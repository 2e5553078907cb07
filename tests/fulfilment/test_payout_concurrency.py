"""Finance users confirming one payout at the same moment (issue 12, acceptance): real
concurrency on PostgreSQL, forked processes each with its own connection, released
together by a barrier. Exactly one payout is made; a retry with the same key gets that
payout, a different key is told `already_paid`.

Run with DATABASE_URL=postgres://… ; skipped on SQLite."""

import multiprocessing
import os
import queue as queue_module
import traceback
from decimal import Decimal

import pytest
from django.db import connection, connections

from aftersales.common.errors import Conflict
from aftersales.disputes.models import Event
from aftersales.fulfilment.aftersale_orders import aftersale_order_create, aftersale_step
from aftersales.fulfilment.models import AfterSaleOrder, Payout
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, make_dispute, make_staff, walk_to

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    # serialized rollback puts back the rows migrations made (roles, the default team)
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WORKERS = 6
TIMEOUT = 180
FORK = multiprocessing.get_context("fork")


def _run_children(target, args_for) -> list[tuple]:
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
    code = 0
    try:
        reports.put(("ok", worker, target(worker, *args)))
    except BaseException as exc:  # report everything; the parent judges
        reports.put(("error", worker, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        try:
            connections.close_all()
            reports.close()
            reports.join_thread()
        except BaseException:
            code = 1
        os._exit(code)


def _confirm(worker, order_pk, user_pk, key, barrier):
    from django.contrib.auth import get_user_model

    from aftersales.fulfilment.payouts import payout_record

    finance = get_user_model().objects.get(pk=user_pk)
    order = AfterSaleOrder.objects.get(pk=order_pk)
    barrier.wait(timeout=60)  # everyone read the order awaiting payout; now all confirm
    try:
        payout = payout_record(
            order=order, reference=f"LS-{worker}", idempotency_key=key, actor=finance
        )
    except Conflict as exc:
        return ("conflict", exc.code)
    return ("paid", payout.pk, payout.idempotency_key)


def _awaiting_payout():
    dispute = make_dispute(OrderFactory(amount_paid=Decimal("900.00")), amount_paid="1.00")
    dispute = walk_to(dispute, "executing")
    order = aftersale_order_create(
        dispute=dispute, type="refund_shipped", amount="300.00", actor=SYSTEM, reason="电话约定"
    )
    finance = make_staff(Role.FINANCE)
    aftersale_step(order=order, action="finance_approve", actor=finance)
    return order, finance


def test_finance_users_confirming_one_payout_at_once_make_one_payout():
    order, finance = _awaiting_payout()
    barrier = FORK.Barrier(WORKERS)
    # Half retry one key (a double click), half use keys of their own (two people).
    keys = ["same" if w % 2 else f"own-{w}" for w in range(WORKERS)]
    results = _run_children(_confirm, lambda w: (order.pk, finance.pk, keys[w], barrier))

    errors = [r for r in results if r[0] != "ok"]
    assert not errors, errors[0][2]
    (payout,) = Payout.objects.filter(aftersale_order=order)
    outcomes = {w: outcome for _, w, outcome in results}
    for worker, outcome in outcomes.items():
        if keys[worker] == payout.idempotency_key:
            assert outcome == ("paid", payout.pk, payout.idempotency_key)
        else:
            assert outcome == ("conflict", "already_paid")
    order.refresh_from_db()
    assert order.state == "done"
    assert order.paid_amount == Decimal("300.00") == payout.amount
    assert (
        Event.objects.filter(
            kind="aftersale_state",
            payload__aftersale_order=order.pk,
            payload__action="record_payout",
        ).count()
        == 1
    )


def test_one_key_retried_at_once_pays_once():
    order, finance = _awaiting_payout()
    barrier = FORK.Barrier(WORKERS)
    results = _run_children(_confirm, lambda w: (order.pk, finance.pk, "double-click", barrier))

    errors = [r for r in results if r[0] != "ok"]
    assert not errors, errors[0][2]
    (payout,) = Payout.objects.filter(aftersale_order=order)
    assert {outcome for _, _, outcome in results} == {("paid", payout.pk, "double-click")}
