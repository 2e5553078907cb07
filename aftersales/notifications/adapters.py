"""Which backend carries a customer message: chosen per message by its channel (the
channel itself was chosen from the customer's contact details, `services.ack_channel`).

- `sms`: settings.AFTERSALES_SMS_BACKEND (a dotted path): `sms.dev.DevelopmentSms` (the
  default in development: the log and a JSON-lines file) or `sms.aliyun.AliyunSms`;
  in production without one, every SMS is refused (and so fails visibly),
- `email`: Django's e-mail (`email_channel.EmailChannel`, the configured SMTP),
- `portal` and `platform`: the portal inbox (nothing to send).

settings.CUSTOMER_CHANNEL, when set, names one backend for every channel (the tests'
in-memory channel and gateway fakes). In development every delivery is also kept in
`channels.outbox`."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .channels import ChannelError, PortalInbox, Recorded

DEVELOPMENT_SMS = "aftersales.notifications.sms.dev.DevelopmentSms"


class UnconfiguredSms:
    def send(self, delivery) -> None:
        raise ChannelError(
            "no SMS backend configured (settings.AFTERSALES_SMS_BACKEND)",
            detail=_("短信服务未配置"),
        )


def sms_backend():
    path = getattr(settings, "AFTERSALES_SMS_BACKEND", "") or (
        DEVELOPMENT_SMS if settings.DEBUG else ""
    )
    return import_string(path)() if path else UnconfiguredSms()


def single_backend():
    """The one backend settings.CUSTOMER_CHANNEL names for every channel, or None."""
    path = getattr(settings, "CUSTOMER_CHANNEL", "")
    return import_string(path)() if path else None


def for_channel(channel: str):
    """The backend that carries a message of this channel (OutboundMessage.Channel)."""
    single = single_backend()
    if single is not None:
        return single
    if channel == "sms":
        backend = sms_backend()
    elif channel == "email":
        from .email_channel import EmailChannel

        backend = EmailChannel()
    else:
        backend = PortalInbox()
    if settings.DEBUG and not getattr(backend, "records_itself", False):
        return Recorded(backend)
    return backend
