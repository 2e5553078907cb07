"""Rate limits counted on the Django cache, below every door: the API's throttles
(aftersales.api.throttling), the login and password-reset views and the workbench's forms
count in the same windows under the same keys, so a limit is not escaped by choosing
another door. Rates come from `settings.RATE_LIMITS` ({scope: "count/period"})."""

import hashlib
import ipaddress
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

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
