"""Pure rules of the customer's proof of identity (order number + phone + one-time code):
how typed order numbers and phones compare, the keyed hashes stored instead of them, the
sliding-window limits on code requests and the per-order lock after wrong codes. No ORM,
no clock: the service (aftersales.intake.identity) gathers the facts and passes them in."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from aftersales.common.phones import InvalidPhone, normalize_phone

ORDER_NO_MAX = 64
CODE_DIGITS = 6

# Dashes and spaces people type or paste into a phone number (after NFKC, which turns the
# full-width ones and the ideographic space into ASCII).
_PHONE_NOISE = re.compile(r"[\s\-‐‑‒–—―・·.()（）]")
_CODE_NOISE = re.compile(r"\s")


def order_key(raw: str | None) -> str:
    """The typed order number (ours or the platform's) as compared: full-width → half-width
    (NFKC), trimmed, upper case. Empty when nothing usable was typed."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    return text.upper()[:ORDER_NO_MAX]


def phone_key(raw: str | None) -> str | None:
    """The typed phone as stored on customers (aftersales.common.phones), or None when it
    is no mainland number: +86/0086, spaces, dashes and full-width digits allowed."""
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", str(raw or "")))
    try:
        return normalize_phone(text)
    except InvalidPhone:
        return None


def code_key(raw: str | None) -> str:
    """A typed code: half-width digits without spaces ("１２ ３４５６" → "123456")."""
    return _CODE_NOISE.sub("", unicodedata.normalize("NFKC", str(raw or "")))


def well_formed_code(code: str) -> bool:
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit()


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the site's secret, separated by purpose so a phone's
    hash never equals an order's or a code's."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def code_hash(secret: str, request_id: int, code: str) -> str:
    """The stored form of a one-time code: keyed by the site's secret and the id of the
    request it was minted for (the same code of another request hashes differently)."""
    return keyed_hash(secret, f"portal-code:{request_id}", code)


def same_hash(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a, b)


@dataclass(frozen=True)
class Limit:
    """At most `count` requests per `seconds`, counted over a sliding window."""

    scope: str  # "pair", "order", "ip"
    count: int
    seconds: int


def retry_after(times: Sequence[dt.datetime], limit: Limit, now: dt.datetime) -> int | None:
    """None when one more request fits `limit` given the earlier requests at `times`
    (any order), else the whole seconds until it does (at least 1)."""
    inside = sorted(t for t in times if now - t < dt.timedelta(seconds=limit.seconds))
    if len(inside) < limit.count:
        return None
    # One slot frees when the (len - count + 1) oldest have left the window.
    frees_at = inside[len(inside) - limit.count] + dt.timedelta(seconds=limit.seconds)
    return max(1, math.ceil((frees_at - now).total_seconds()))


def first_refusal(
    checks: Sequence[tuple[Limit, Sequence[dt.datetime]]], now: dt.datetime
) -> tuple[Limit, int] | None:
    """The limit that refuses a request and the longest wait among those that do."""
    refused = [(limit, wait) for limit, times in checks if (wait := retry_after(times, limit, now))]
    if not refused:
        return None
    return max(refused, key=lambda pair: pair[1])


@dataclass(frozen=True)
class LockState:
    """The wrong codes counted for one order: `failures` since `window_start`, and the
    time a lock ends (None: not locked)."""

    failures: int = 0
    window_start: dt.datetime | None = None
    locked_until: dt.datetime | None = None


def is_locked(state: LockState, now: dt.datetime) -> bool:
    return state.locked_until is not None and state.locked_until > now


def after_failure(
    state: LockState, now: dt.datetime, *, attempts: int, window: dt.timedelta, lock: dt.timedelta
) -> LockState:
    """The state after one more wrong code: `attempts` wrong codes within `window` lock
    the order for `lock`, and the count starts again."""
    if state.window_start is None or now - state.window_start >= window:
        state = LockState(failures=0, window_start=now, locked_until=state.locked_until)
    failures = state.failures + 1
    if failures >= attempts:
        return LockState(failures=0, window_start=None, locked_until=now + lock)
    return LockState(
        failures=failures, window_start=state.window_start, locked_until=state.locked_until
    )


def minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))
