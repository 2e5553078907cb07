"""A mail backend whose SMTP server refuses the recipient (RCPT TO answered 550)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RecipientRefusedBackend(BaseEmailBackend):
    def send_messages(self, messages):
        refused = {to: (550, b"5.1.1 mailbox unavailable") for m in messages for to in m.to}
        raise smtplib.SMTPRecipientsRefused(refused)
