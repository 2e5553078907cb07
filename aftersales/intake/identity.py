"""The customer's proof of identity for the customer portal: the order number (ours or the
platform's) plus the phone on the order, confirmed by a six-digit code sent by SMS; then a
portal session scoped to that customer's own disputes.

Nothing here tells a stranger whether an order number and a phone belong together: a
pair that matches nothing leaves the same row (no order, a code hash nobody receives),
passes the same limits (counted on the pair as typed), answers the same sentence after at
least the same time (`AFTERSALES_PORTAL_CODE_MIN_SECONDS`, so the SMS gateway's latency
shows nowhere), and a wrong pair, a wrong code, an expired or a used code are refused with
one message. Codes, typed order numbers and phones are stored only as HMAC-SHA256 under
SECRET_KEY (aftersales.parties.identity_rules). The pure rules live there; this module
gathers facts and writes."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound, ValidationFailed
from aftersales.common.phones import mask_phone
from aftersales.common.ratelimit import ip_key, parse_rate
from aftersales.disputes.models import Dispute
from aftersales.notifications.channels import ChannelError
from aftersales.notifications.delivery import settings_signature
from aftersales.notifications.messages import sms_signature, with_signature
from aftersales.notifications.sms import send_now
from aftersales.parties import identity_rules as rules
from aftersales.parties.models import Customer, CustomerCode, Order, OrderCodeLock

logger = logging.getLogger(__name__)

DEFAULT_RATES = {"pair": "1/min", "order": "5/hour", "ip": "20/hour"}
SESSION_CUSTOMER = "portal_customer_id"
SESSION_ORDER = "portal_order_id"
SESSION_VERIFIED = "portal_verified_at"


class TooManyAttempts(ValidationFailed):
    """A code request over its limits, or a confirmation for a locked order: the message
    says how long to wait; `retry_after` is that wait in seconds."""

    status = 429

    def __init__(self, message: str, *, code: str, retry_after: int, **extra):
        super().__init__(message, code=code, extra={"retry_after": retry_after, **extra})
        self.retry_after = retry_after


@dataclass(frozen=True)
class CodeRequest:
    """What a code request answers, matched or not: the neutral sentence only."""

    message: str
    expires_minutes: int
    resend_after: int  # seconds before another code may be asked for this pair


@dataclass(frozen=True)
class PortalIdentity:
    customer_id: int
    order_id: int
    verified_at: dt.datetime


def _setting(name: str, default):
    return getattr(settings, name, default)


def _limits() -> list[rules.Limit]:
    rates = {**DEFAULT_RATES, **_setting("AFTERSALES_PORTAL_CODE_RATES", {})}
    limits = []
    for scope in ("pair", "order", "ip"):
        parsed = parse_rate(rates[scope])
        if parsed is not None:
            limits.append(rules.Limit(scope, *parsed))
    return limits


def _code_minutes() -> int:
    return int(_setting("AFTERSALES_PORTAL_CODE_MINUTES", 10))


def _hash(purpose: str, value: str) -> str:
    return rules.keyed_hash(settings.SECRET_KEY, purpose, value)


def wrong_message() -> str:
    return _("订单号、手机号或验证码不正确")


def _parsed(order_no: str, phone: str) -> tuple[str, str]:
    """The order key and the phone, or a form error (about the format only: it says
    nothing of whether they match)."""
    key, phone_n = rules.order_key(order_no), rules.phone_key(phone)
    fields = {}
    if not key:
        fields["order_no"] = _("请填写订单号或平台订单号")
    if phone_n is None:
        fields["phone"] = _("请填写下单时使用的手机号")
    if fields:
        raise ValidationFailed(next(iter(fields.values())), code="invalid_input", fields=fields)
    return key, phone_n


def _orders_by_number(key: str) -> list[Order]:
    return list(
        Order.objects.filter(Q(order_no__iexact=key) | Q(platform_order_no__iexact=key))
        .select_related("customer")
        .order_by("-created_at", "-pk")[:20]
    )


def _matching(orders: list[Order], key: str, phone: str) -> Order | None:
    """The order the pair proves: our own number first, then the newest platform one."""
    mine = [o for o in orders if o.customer is not None and o.customer.phone == phone]
    return next((o for o in mine if rules.order_key(o.order_no) == key), None) or next(
        iter(mine), None
    )


def _lock_keys(orders: list[Order], key_hash: str) -> list[str]:
    """What wrong codes count against: every order the typed number names (whichever of
    its numbers was typed), or the typed number itself when it names none."""
    keys = {_hash("order", rules.order_key(o.order_no)) for o in orders}
    return sorted(keys) or [key_hash]


def _locked_error(until: dt.datetime, now: dt.datetime) -> TooManyAttempts:
    message = _("尝试次数过多，请 %(minutes)s 分钟后再试（%(time)s 后解除锁定）") % {
        "minutes": rules.minutes_left(until, now),
        "time": timezone.localtime(until).strftime("%H:%M"),
    }
    wait = max(1, int((until - now).total_seconds() + 0.999))
    return TooManyAttempts(
        message, code="code_locked", retry_after=wait, locked_until=until.isoformat()
    )


def _refuse_if_locked(lock_keys: list[str], now: dt.datetime) -> None:
    lock = (
        OrderCodeLock.objects.filter(order_key_hash__in=lock_keys, locked_until__gt=now)
        .order_by("-locked_until")
        .first()
    )
    if lock is not None:
        raise _locked_error(lock.locked_until, now)


def _refuse_over_limits(row: CustomerCode, now: dt.datetime) -> int:
    """Raise when the request just recorded goes over a limit (it is then removed, so a
    refused request does not count); else the seconds until the pair may ask again."""
    limits = _limits()
    longest = max((limit.seconds for limit in limits), default=0)
    others = CustomerCode.objects.filter(
        created_at__gt=now - dt.timedelta(seconds=longest), created_at__lte=now
    ).exclude(pk=row.pk)
    filters = {
        "pair": {"order_key_hash": row.order_key_hash, "phone_hash": row.phone_hash},
        "order": {"order_key_hash": row.order_key_hash},
        "ip": {"ip": row.ip},
    }
    checks = [
        (limit, list(others.filter(**filters[limit.scope]).values_list("created_at", flat=True)))
        for limit in limits
        if limit.scope != "ip" or row.ip
    ]
    refusal = rules.first_refusal(checks, now)
    if refusal is not None:
        CustomerCode.objects.filter(pk=row.pk).delete()
        wait = refusal[1]
        message = _("获取验证码过于频繁，请 %(seconds)s 秒后再试") % {"seconds": wait}
        raise TooManyAttempts(message, code="rate_limited", retry_after=wait)
    pair = next((limit for limit in limits if limit.scope == "pair"), None)
    return pair.seconds if pair else 0


def _send(row: CustomerCode, order: Order, code: str, now: dt.datetime) -> None:
    text = _("【售后服务】您的验证码为 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人。") % {
        "code": code,
        "minutes": _code_minutes(),
    }
    # Signed by the order's store (the customer knows whom they asked), as every SMS.
    store = order.store.name if order.store_id else ""
    text = with_signature(text, sms_signature(store, settings_signature()))
    phone = order.customer.phone
    if settings.DEBUG:
        logger.info("Portal code for %s (order %s): %s", mask_phone(phone), order.order_no, code)
    try:
        send_now(phone=phone, text=text, key=f"portal-code-{row.pk}")
    except ChannelError:
        # It reached no one: the code is void. The answer stays the same (a failure here
        # would tell the caller that the pair matched).
        logger.warning("Portal code %s not sent: the SMS channel refused it", row.pk)
        CustomerCode.objects.filter(pk=row.pk).update(expires_at=now)


def _pad(started: float) -> None:
    floor = float(_setting("AFTERSALES_PORTAL_CODE_MIN_SECONDS", 0.5))
    left = floor - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def code_request(
    *, order_no: str, phone: str, ip: str, at: dt.datetime | None = None
) -> CodeRequest:
    """Send a portal code to the phone on the order when the pair matches; answer the same
    sentence whether it matched or not. Raises ValidationFailed for a blank order number
    or a malformed phone, TooManyAttempts over the limits or while the order is locked."""
    started = time.monotonic()
    now = at or timezone.now()
    key, phone_n = _parsed(order_no, phone)
    key_hash, phone_hash = _hash("order", key), _hash("phone", phone_n)
    orders = _orders_by_number(key)
    _refuse_if_locked(_lock_keys(orders, key_hash), now)
    order = _matching(orders, key, phone_n)
    minutes = _code_minutes()
    row = CustomerCode.objects.create(
        order=order,
        order_key_hash=key_hash,
        phone_hash=phone_hash,
        ip=ip_key(ip) if ip else "",
        created_at=now,
        expires_at=now + dt.timedelta(minutes=minutes),
    )
    resend_after = _refuse_over_limits(row, now)
    # A code is minted and hashed either way; only a matched pair's is ever sent.
    code = f"{secrets.randbelow(10**rules.CODE_DIGITS):0{rules.CODE_DIGITS}d}"
    CustomerCode.objects.filter(pk=row.pk).update(
        code_hash=rules.code_hash(settings.SECRET_KEY, row.pk, code)
    )
    if order is not None:
        _send(row, order, code, now)
    _pad(started)
    return CodeRequest(
        message=_("如果订单号与手机号匹配，验证码已发送到该手机，%(minutes)s 分钟内有效")
        % {"minutes": minutes},
        expires_minutes=minutes,
        resend_after=resend_after,
    )


def _count_failure(lock_keys: list[str], now: dt.datetime) -> dt.datetime | None:
    """One wrong code against each lock key; the end of a lock this started, if any."""
    attempts = int(_setting("AFTERSALES_PORTAL_CODE_ATTEMPTS", 5))
    window = lock = dt.timedelta(minutes=int(_setting("AFTERSALES_PORTAL_LOCK_MINUTES", 15)))
    locked_until = None
    for lock_key in lock_keys:
        with transaction.atomic():
            OrderCodeLock.objects.get_or_create(order_key_hash=lock_key)
            row = OrderCodeLock.objects.select_for_update().get(order_key_hash=lock_key)
            state = rules.after_failure(
                rules.LockState(row.failures, row.window_start, row.locked_until),
                now,
                attempts=attempts,
                window=window,
                lock=lock,
            )
            row.failures, row.window_start, row.locked_until = (
                state.failures,
                state.window_start,
                state.locked_until,
            )
            row.save(update_fields=["failures", "window_start", "locked_until"])
            if rules.is_locked(state, now):
                locked_until = max(locked_until or now, state.locked_until)
    return locked_until


def code_confirm(
    *, order_no: str, phone: str, code: str, ip: str, at: dt.datetime | None = None
) -> PortalIdentity:
    """The customer and order a valid code proves. Only the pair's newest code counts,
    once, before it expires; anything else is one message, and `AFTERSALES_PORTAL_CODE_
    ATTEMPTS` (5) wrong codes lock the order for `AFTERSALES_PORTAL_LOCK_MINUTES` (15),
    whatever phone or address they came from."""
    now = at or timezone.now()
    key, phone_n = _parsed(order_no, phone)
    key_hash, phone_hash = _hash("order", key), _hash("phone", phone_n)
    typed = rules.code_key(code)
    orders = _orders_by_number(key)
    lock_keys = _lock_keys(orders, key_hash)
    _refuse_if_locked(lock_keys, now)
    order = _matching(orders, key, phone_n)
    codes = CustomerCode.objects.filter(phone_hash=phone_hash)
    codes = codes.filter(order=order) if order else codes.filter(order_key_hash=key_hash)
    candidate = codes.order_by("-created_at", "-pk").first()
    right = rules.code_hash(settings.SECRET_KEY, candidate.pk if candidate else 0, typed)
    valid = (
        order is not None
        and candidate is not None
        and candidate.order_id == order.pk
        and candidate.used_at is None
        and candidate.created_at <= now < candidate.expires_at
        and rules.well_formed_code(typed)
        and rules.same_hash(candidate.code_hash, right)
    )
    # Conditional: two confirmations racing with one code, only one uses it.
    if valid and CustomerCode.objects.filter(pk=candidate.pk, used_at__isnull=True).update(
        used_at=now
    ):
        OrderCodeLock.objects.filter(order_key_hash__in=lock_keys).update(
            failures=0, window_start=None
        )
        return PortalIdentity(customer_id=order.customer_id, order_id=order.pk, verified_at=now)
    locked_until = _count_failure(lock_keys, now)
    if locked_until is not None:
        raise _locked_error(locked_until, now)
    message = wrong_message()
    raise ValidationFailed(message, code="code_invalid", fields={"code": message})


def code_requests_purge(*, at: dt.datetime | None = None) -> int:
    """Delete code requests and spent locks no limit or lock reads any more (older than a
    day); for the scheduled housekeeping. Returns the rows deleted."""
    cutoff = (at or timezone.now()) - dt.timedelta(days=1)
    codes, _kinds = CustomerCode.objects.filter(created_at__lt=cutoff).delete()
    locks, _kinds = (
        OrderCodeLock.objects.filter(Q(locked_until__isnull=True) | Q(locked_until__lt=cutoff))
        .filter(Q(window_start__isnull=True) | Q(window_start__lt=cutoff))
        .delete()
    )
    return codes + locks


# The portal session.


def portal_login(request, identity: PortalIdentity) -> None:
    """Sign the confirmed customer in to the portal (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[SESSION_CUSTOMER] = identity.customer_id
    request.session[SESSION_ORDER] = identity.order_id
    request.session[SESSION_VERIFIED] = identity.verified_at.isoformat()


def portal_logout(request) -> None:
    for name in (SESSION_CUSTOMER, SESSION_ORDER, SESSION_VERIFIED):
        request.session.pop(name, None)
    request.session.cycle_key()


def portal_customer(request, at: dt.datetime | None = None) -> Customer | None:
    """The customer signed in to the portal, or None (never signed in, or signed in more
    than AFTERSALES_PORTAL_SESSION_HOURS (12) ago)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    customer_id, verified = session.get(SESSION_CUSTOMER), session.get(SESSION_VERIFIED)
    if customer_id is None or not verified:
        return None
    now = at or timezone.now()
    hours = float(_setting("AFTERSALES_PORTAL_SESSION_HOURS", 12))
    try:
        verified_at = dt.datetime.fromisoformat(verified)
    except (TypeError, ValueError):
        verified_at = None
    if verified_at is None or not (
        verified_at - dt.timedelta(minutes=5) <= now <= verified_at + dt.timedelta(hours=hours)
    ):
        return None
    return Customer.objects.filter(pk=customer_id).first()


def customer_disputes(customer: Customer) -> QuerySet[Dispute]:
    """The disputes a portal customer may see: their own, newest first."""
    return Dispute.objects.filter(customer=customer).order_by("-received_at", "-pk")


def customer_dispute(customer: Customer | None, number: str) -> Dispute:
    """One of the customer's own disputes by number; anyone else's answers the same 404
    as a number that does not exist."""
    number = rules.order_key(number)
    dispute = None
    if customer is not None and number:
        dispute = customer_disputes(customer).filter(number__iexact=number).first()
    if dispute is None:
        raise NotFound(_("找不到该投诉"))
    return dispute
