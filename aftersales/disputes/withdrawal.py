"""What a withdrawal (顾客撤回) must carry: the customer's own confirmation. Pure Python,
no ORM; the lifecycle's `withdraw` guard asks it.

A withdrawal ends the case for good, so a handler's word alone is not enough: the customer
confirms it themselves in the portal (a click, or the one-time code they were sent), or
staff record how and when the customer said so (a note with the channel and the time).
Only the customer's own door may give the first two; staff can only record a note.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Method(StrEnum):
    PORTAL = "portal"  # the customer clicked "withdraw" in the portal
    CODE = "code"  # the customer entered the one-time code they were sent
    STAFF_NOTE = "staff_note"  # staff record how and when the customer confirmed


CUSTOMER_METHODS: frozenset[Method] = frozenset({Method.PORTAL, Method.CODE})


class Channel(StrEnum):
    """How the customer told staff."""

    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    IN_PERSON = "in_person"
    LETTER = "letter"
    PLATFORM = "platform"


NOTE_MAX = 500


@dataclass(frozen=True)
class Problem:
    code: str
    field: str
    params: Mapping[str, Any] = field(default_factory=dict)


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time with its offset, e.g. 2026-12-04T10:00:00+08:00; None if it is
    not one (a naive time says nothing about when)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else None


def confirmation_problem(
    confirmation: Any,
    *,
    customer_door: bool,
    at: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
) -> Problem | None:
    """What is wrong with a withdrawal's `confirmation`, or None. `customer_door`: the
    customer's own door asks (it alone may confirm by portal or code). `at`: when the
    withdrawal is applied; `received_at`: when the dispute came in; the note's time must
    lie between them (each bound checked when given)."""
    methods = [m.value for m in Method]
    if not isinstance(confirmation, Mapping):
        return Problem("confirmation_required", "confirmation", {"choices": methods})
    method = confirmation.get("method")
    if method not in methods:
        return Problem("confirmation_method_invalid", "confirmation.method", {"choices": methods})
    if Method(method) in CUSTOMER_METHODS:
        if not customer_door:
            return Problem("confirmation_customer_only", "confirmation.method")
        return None
    channels = [c.value for c in Channel]
    if confirmation.get("channel") not in channels:
        return Problem(
            "confirmation_channel_invalid", "confirmation.channel", {"choices": channels}
        )
    when = parse_time(confirmation.get("at"))
    if when is None:
        return Problem("confirmation_at_invalid", "confirmation.at")
    if at is not None and when > at:
        return Problem("confirmation_at_future", "confirmation.at")
    if received_at is not None and when < received_at:
        return Problem("confirmation_at_before_intake", "confirmation.at")
    note = confirmation.get("note", "")
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        return Problem("confirmation_note_invalid", "confirmation.note", {"max": NOTE_MAX})
    return None
