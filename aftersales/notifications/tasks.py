"""Background delivery of staff notifications by e-mail (Django's mail backend: the
console in development, SMTP when EMAIL_BACKEND says so)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .models import Notification


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail each notification not yet e-mailed whose recipient has an address; returns
    how many were sent. Idempotent: a notification is marked once sent, and a second run
    skips it."""
    sent = 0
    notes = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient", "recipient__staff_profile", "dispute")
    for note in notes:
        address = note.recipient.email
        if not address:
            continue
        profile = getattr(note.recipient, "staff_profile", None)
        body = render_to_string(
            "notifications/email/notification.txt",
            {
                "note": note,
                "recipient_name": (profile.display_name if profile else "")
                or note.recipient.get_username(),
                "base_url": settings.SITE_URL,
            },
        )
        send_mail(f"【售后】{note.title}", body, None, [address])
        Notification.objects.filter(pk=note.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        sent += 1
    return sent
