"""Reads of personal data recorded on the dispute's timeline (PIPL: who looked at what,
when): an evidence file, a settlement agreement. Reading the full contact has its own
event (CONTACT_REVEALED, `services.dispute_reveal_contact`). The caller has already
checked that the reader may see the dispute."""

from django.utils import timezone

from .models import Event
from .timeline import DisputeKind, record

READ_KINDS = frozenset({DisputeKind.EVIDENCE_VIEWED, DisputeKind.AGREEMENT_VIEWED})


def read_record(*, dispute_id: int, kind: str, actor, payload: dict) -> Event:
    if kind not in READ_KINDS:
        raise ValueError(kind)
    return record(kind, dispute_id=dispute_id, actor=actor, payload=payload, at=timezone.now())


def agreement_read(*, agreement, actor) -> Event:
    """A staff member opened a settlement agreement (its PDF names the customer, their
    phone and the terms)."""
    return read_record(
        dispute_id=agreement.dispute_id,
        kind=DisputeKind.AGREEMENT_VIEWED,
        actor=actor,
        payload={"proposal_id": agreement.proposal_id, "sha256": agreement.sha256},
    )
