"""A mail backend (Django's in-memory one) that fails once on a chosen message: a worker
crashing halfway through a batch of e-mails, as the next attempt finds it."""

from django.core.mail.backends.locmem import EmailBackend

FAIL_ON = {"message": 0}  # the n-th message from now fails once (0: none)


class FlakyEmailBackend(EmailBackend):
    def send_messages(self, messages):
        if FAIL_ON["message"]:
            FAIL_ON["message"] -= 1
            if FAIL_ON["message"] == 0:
                raise ConnectionResetError("SMTP connection lost")
        return super().send_messages(messages)
