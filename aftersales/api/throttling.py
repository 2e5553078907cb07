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

import threading

from ninja.throttling import BaseThrottle

from aftersales.common.ratelimit import client_ip, consume, ip_key, parse_rate, rate_for

__all__ = ["client_ip", "consume", "ip_key", "parse_rate", "rate_for"]


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
