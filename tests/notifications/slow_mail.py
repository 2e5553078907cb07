"""Django's in-memory mail backend with an SMTP server's pace, so two runs overlap."""

import time

from django.core.mail.backends.locmem import EmailBackend


class SlowEmailBackend(EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)
