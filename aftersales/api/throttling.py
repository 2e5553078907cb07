"""Rate limits: Ninja throttles (and `consume` for plain Django views) on the Django cache.

Put on operations with `throttle=`:

- `CUSTOMER_THROTTLES`: every anonymous customer endpoint (X-Customer-Token), per client IP.
- `CODE_THROTTLES`: the customer's accept (with or without the one-time code). It already
  contains `CUSTOMER_THROTTLES` — use it *instead of* them on that operation — and adds
  a limit per dispute (all of its customer links together) and a tighter one per IP.
- `CONTACT_REVEAL_THROTTLES`: staff reading a customer's full contact, per user.

Rates come from `settings.RATE_LIMITS` ({scope: "count/period"}, period s/min/hour/day
with an optional multiplier such as "5/10min"; "off" lifts a limit) and are read at
each request, so `override_settings(RATE_LIMITS=...)` works in tests.

Counting is a sliding window estimated from two fixed windows per scope and key
(`cache.add` then `cache.incr`, atomic on Redis); on other caches one process serialises
its own threads with a lock (processes sharing a file cache may overshoot by the few
requests that race).

Ninja checks throttles after authentication: a request with an unknown customer token
is answered 401 without being counted (the tokens are 256-bit random, not guessable).
"""

import hashlib
import ipaddress
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from ninja.throttling import BaseThrottle

_PERIODS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}
_OFF = {"off", "none", ""}
_lock = threading.Lock()


def parse_rate(rate: str) -> tuple[int, int] | None:
    """ "10/min" → (10, 60); "5/10min" → (5, 600); "off" → None."""
    text = (rate or "").strip().lower()
    if text in _OFF:
        return None
    count, sep, period = text.partition("/")
    digits = "".join(c for c in period if c.isdigit())
    unit = period[len(digits) :]
    if not sep or unit not in _PERIODS or not count.isdigit() or int(count) < 1:
        raise ImproperlyConfigured(f"rate {rate!r}: expected count/period, e.g. 10/min")
    return int(count), int(digits or "1") * _PERIODS[unit]


def rate_for(scope: str) -> tuple[int, int] | None:
    rates = getattr(settings, "RATE_LIMITS", {})
    if scope not in rates:
        raise ImproperlyConfigured(f"RATE_LIMITS has no rate for {scope!r}")
    return parse_rate(rates[scope])


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or — behind TRUSTED_PROXY_COUNT proxies — the
    address the outermost trusted proxy saw (X-Forwarded-For is never trusted beyond)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") if proxies else None
    if forwarded:
        addrs = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addrs:
            remote = addrs[-min(proxies, len(addrs))]
    return remote


def ip_key(ip: str) -> str:
    """IPv4 as is, IPv6 by its /64 (one subscriber holds a whole /64)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "unknown"
    if addr.version == 6:
        if addr.ipv4_mapped:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


def _cache():
    return caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]


def _weighted(cache, key: str, previous: str, limit: int, period: int, fraction: float):
    """(allowed, this window's count, the previous window's count). A refused request
    is taken back, so hammering does not extend the wait."""
    cache.add(key, 0, timeout=2 * period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2 * period + 1)
        count = 1
    before = cache.get(previous) or 0
    if before * (1 - fraction) + count <= limit:
        return True, count, before
    cache.decr(key)
    return False, count - 1, before


def consume(scope: str, ident: str) -> float | None:
    """Count one request of `ident` in `scope`: None when allowed, else the seconds to wait.

    A sliding window, estimated from two fixed ones: the previous window's count weighs
    by the share of it still inside the last `period` seconds, so a burst across a
    window's edge gets no second allowance."""
    rate = rate_for(scope)
    if rate is None:
        return None
    limit, period = rate
    now = time.time()
    window, into = divmod(now, period)
    fraction = into / period
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key, previous = (f"rl:{scope}:{digest}:{int(w)}" for w in (window, window - 1))
    cache = _cache()
    if "redis" in type(cache).__module__:
        allowed, count, before = _weighted(cache, key, previous, limit, period, fraction)
    else:
        with _lock:
            allowed, count, before = _weighted(cache, key, previous, limit, period, fraction)
    if allowed:
        return None
    if count >= limit:  # wait for this window to pass, then for its weight to fall
        later = 1 - (limit - 1) / count if count else 0
        wait = (period - into) + period * max(0.0, later)
    else:  # the previous window's weight has to fall
        wait = period * (1 - (limit - count - 1) / before - fraction) if before else period
    return max(wait, 1.0)


class RateThrottle(BaseThrottle):
    """One scope of RATE_LIMITS, counted per `ident(request)` (None: not counted)."""

    def __init__(self, scope: str):
        self.scope = scope
        self._state = threading.local()

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request) -> bool:
        ident = self.ident(request)
        self._state.wait = None if ident is None else consume(self.scope, ident)
        return self._state.wait is None

    def wait(self) -> float | None:
        return getattr(self._state, "wait", None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.scope!r})"


class IpThrottle(RateThrottle):
    def ident(self, request) -> str | None:
        return "ip:" + ip_key(client_ip(request))


class UserThrottle(RateThrottle):
    """Per authenticated staff user (session or Bearer); anonymous requests per IP."""

    def ident(self, request) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        auth = getattr(request, "auth", None)
        if getattr(auth, "pk", None) is not None:
            return f"user:{auth.pk}"
        return "ip:" + ip_key(client_ip(request))


class CustomerDisputeThrottle(RateThrottle):
    """Per dispute the customer link is for (every link of that dispute together)."""

    def ident(self, request) -> str | None:
        access = getattr(request, "auth", None)
        dispute_id = getattr(access, "dispute_id", None)
        if dispute_id is None:
            return None
        return f"dispute:{dispute_id}"


CUSTOMER_THROTTLES: list[BaseThrottle] = [
    IpThrottle("customer_ip_minute"),
    IpThrottle("customer_ip_hour"),
]
CODE_THROTTLES: list[BaseThrottle] = [
    *CUSTOMER_THROTTLES,
    CustomerDisputeThrottle("customer_code_dispute"),
    IpThrottle("customer_code_ip"),
]
CONTACT_REVEAL_THROTTLES: list[BaseThrottle] = [
    UserThrottle("contact_reveal_minute"),
    UserThrottle("contact_reveal_day"),
]
