"""Rows for bulk intake (`aftersales import`, the demo generator): what a row carries,
its fingerprint for idempotent re-imports, and its history judged by the lifecycle.
The rows are written by `aftersales.intake.bulk.bulk_intake`, above triage and
notifications."""

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import lifecycle
from .bulk_orders import OrderFacts
from .intake import IntakeRequest
from .lifecycle import Status
from .models import Dispute


@dataclass(frozen=True)
class HistoryStep:
    """A lifecycle action already taken on an imported or generated dispute."""

    action: str
    at: dt.datetime
    reason: str = ""
    payload: dict = field(default_factory=dict)
    actor_label: str = "system"
    # The workflow that took an owned step (lifecycle.Owner): a history replays moves made
    # elsewhere, so the row must say which workflow made an owned one; the lifecycle
    # refuses an owned action without it, as it does live.
    via: lifecycle.Owner | None = None


@dataclass(frozen=True)
class BulkRow:
    line: int
    request: IntakeRequest
    intake_key: str
    order: OrderFacts | None = None
    history: tuple[HistoryStep, ...] = ()
    category: str | None = None
    severity: str | None = None
    actor_label: str = "import"  # who took the complaint in, as shown on the timeline


@dataclass
class BulkResult:
    created: list[tuple[int, str]] = field(default_factory=list)  # (line, number)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why): already in
    failed: list[tuple[int, str]] = field(default_factory=list)  # (line, why)


def row_hash(values: Iterable[object]) -> str:
    """A stable fingerprint of a row's content, for idempotent re-imports."""
    digest = hashlib.sha256()
    for value in values:
        digest.update(str("" if value is None else value).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()


def already_imported(rows: Sequence[BulkRow]) -> set[str]:
    """The intake keys of those rows already stored (by intake key or external_ref)."""
    keys = [r.intake_key for r in rows]
    refs = {r.request.external_ref: r.intake_key for r in rows if r.request.external_ref}
    taken = set(Dispute.objects.filter(intake_key__in=keys).values_list("intake_key", flat=True))
    taken.update(
        refs[ref]
        for ref in Dispute.objects.filter(external_ref__in=list(refs)).values_list(
            "external_ref", flat=True
        )
    )
    return taken


def received_at_of(row: BulkRow) -> dt.datetime:
    assert row.request.received_at is not None, "bulk rows carry their intake time"
    return row.request.received_at


def replay_history(row: BulkRow) -> list[lifecycle.Move]:
    """Judge a row's history with the lifecycle, as if each action were applied live."""
    moves, status = [], Status.RECEIVED
    for step in row.history:
        move = lifecycle.decide(
            status,
            step.action,
            reason=step.reason,
            payload=step.payload,
            via=step.via,
            at=step.at,
            received_at=received_at_of(row),
        )
        moves.append(move)
        status = move.target
    return moves
