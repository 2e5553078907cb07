"""Background delivery: customer messages through their channel (delivery.message_deliver),
and staff notifications by e-mail (Django's mail backend: the
console in development, SMTP when EMAIL_BACKEND says so), in the recipient's language:
Chinese unless their staff profile (or settings.LANGUAGE_CODE) says English; a language
without its own template gets the Chinese one."""

import time
from collections import Counter

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import select_template
from django.utils import timezone, translation
from django_tasks import task

from .delivery import message_deliver, receipts_check
from .delivery_rules import BATCH, SWEEP_SECONDS
from .models import Notification
from .selectors import messages_due
from .services import (
    notification_email_claim,
    notification_email_release,
    notification_emailed,
)

TEMPLATE = "notifications/email/notification{suffix}.txt"
ORIGINAL = "zh-hans"  # notification.txt; translations are notification.<code>.txt

# Subjects per template language; the kind's name is its label in that language. The
# notification's own title and body are stored as written (Chinese) and quoted in every
# language.
SUBJECTS = {ORIGINAL: "【售后】{title}", "en": "[After-sales] {kind}: {title}"}


def recipient_language(user) -> str:
    """The staff profile's e-mail language, else settings.LANGUAGE_CODE."""
    profile = getattr(user, "staff_profile", None)
    return ((profile.language if profile else "") or settings.LANGUAGE_CODE).lower()


def _candidates(language: str) -> list[tuple[str, str]]:
    """(template language, template name) to try in order, Chinese last: en-gb → en."""
    found: list[tuple[str, str]] = []
    if not language.startswith("zh"):
        for code in dict.fromkeys([language, language.split("-")[0]]):
            found.append((code, TEMPLATE.format(suffix=f".{code}")))
    found.append((ORIGINAL, TEMPLATE.format(suffix="")))
    return found


def render_email(note: Notification) -> tuple[str, str]:
    """(subject, body) of one notification's e-mail, in its recipient's language."""
    candidates = _candidates(recipient_language(note.recipient))
    template = select_template([name for _code, name in candidates])
    language = next(code for code, name in candidates if name == template.template.name)
    profile = getattr(note.recipient, "staff_profile", None)
    # The kind's label in the template's language (a kind without an English text in the
    # catalogue shows its Chinese label: still says what it is).
    with translation.override(language):
        kind = note.get_kind_display()
    context = {
        "note": note,
        "kind": kind,
        "recipient_name": (profile.display_name if profile else "")
        or note.recipient.get_username(),
        "base_url": settings.SITE_URL,
    }
    with translation.override(language):
        body = template.render(context)
    subject = SUBJECTS.get(language, SUBJECTS[ORIGINAL]).format(kind=kind, title=note.title)
    return subject, body


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail each notification not yet e-mailed whose recipient has an address; returns
    how many this run sent. Idempotent and safe to run twice at once: each notification
    is claimed (a conditional UPDATE) before its e-mail goes, marked `emailed_at` after,
    and skipped when another run holds it; a failed send releases the claim. A claim
    left by a worker that died (older than TASK_STALE_AFTER_SECONDS) is taken over: an
    e-mail sent just before such a death goes again (at-least-once)."""
    sent = 0
    notes = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient", "recipient__staff_profile", "dispute")
    for note in notes:
        address = note.recipient.email
        if not address:
            continue
        claimed_at = timezone.now()
        if not notification_email_claim(note_id=note.pk, now=claimed_at):
            continue
        try:
            subject, body = render_email(note)
            send_mail(subject, body, None, [address])
        except BaseException:
            notification_email_release(note_id=note.pk, claimed_at=claimed_at)
            raise
        notification_emailed(note_id=note.pk, now=timezone.now())
        sent += 1
    return sent


@task()
def deliver_customer_messages(message_ids: list[int]) -> int:
    """Deliver each customer message due; returns how many were sent. Idempotent: a
    message delivered, held by another worker or not yet due is skipped."""
    return sum(message_deliver(message_id=pk) == "sent" for pk in message_ids)


@task()
def deliver_messages() -> dict[str, int]:
    """Every minute (jobs.schedule): deliver the customer messages due — pending ones
    nobody delivered (intake acknowledgements, a lost task's messages), refused ones whose
    retry is due, attempts left `sending` by a worker that died — BATCH at a time, batch
    after batch while any is due, for at most settings.AFTERSALES_DELIVERY_SWEEP_SECONDS
    (SWEEP_SECONDS) of the minute; then the SMS delivery receipts due (`receipts_check`,
    at most BATCH). Returns how many ended in each state. Idempotent: each goes through
    message_deliver, which takes a message only while it is due, under a row lock."""
    seconds = getattr(settings, "AFTERSALES_DELIVERY_SWEEP_SECONDS", SWEEP_SECONDS)
    until = time.monotonic() + seconds
    ended: Counter[str] = Counter()
    tried: set[int] = set()  # a message held by another worker is not asked twice
    while True:
        due = [pk for pk in messages_due(now=timezone.now(), limit=BATCH) if pk not in tried]
        for pk in due:
            tried.add(pk)
            state = message_deliver(message_id=pk)
            if state is not None:
                ended[str(state)] += 1
        if not due or time.monotonic() >= until:
            break
    for state, n in receipts_check(now=timezone.now(), limit=BATCH).items():
        ended[state] += n
    return dict(ended)
