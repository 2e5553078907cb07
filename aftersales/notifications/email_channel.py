"""Customer e-mail through Django's mail (the configured SMTP server). The attempt's key
is the mail's Message-ID, so a copy that does go out twice can be recognised."""

from __future__ import annotations

import smtplib
import socket
from urllib.parse import urlparse

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from .channels import ChannelError, Delivery
from .links import public_base_url


def message_id(key: str) -> str:
    domain = urlparse(public_base_url()).hostname or "localhost"
    return f"<{key}@{domain}>"


class EmailChannel:
    """Refusals before the server took the mail are `ChannelError`s: a rejected address
    or mail content is permanent, a connection refused or another answer is retried. An error
    after the data went out propagates (the message stays `sending`, then is marked
    "unknown whether delivered": SMTP cannot be asked afterwards)."""

    def send(self, delivery: Delivery) -> str:
        if not delivery.email:
            raise ChannelError("no e-mail address", permanent=True, detail=_("顾客没有电子邮箱"))
        mail = EmailMessage(
            subject=delivery.subject,
            body=delivery.text,
            to=[delivery.email],
            headers={"Message-ID": message_id(delivery.key)},
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(
                "recipient refused", permanent=True, detail=_("邮箱地址被对方服务器拒收")
            ) from exc
        except (smtplib.SMTPConnectError, ConnectionRefusedError, socket.gaierror) as exc:
            raise ChannelError("mail server unreachable", detail=_("邮件服务器无法连接")) from exc
        except smtplib.SMTPResponseException as exc:  # the server answered: not taken
            rejected = isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500
            raise ChannelError(
                f"mail server answered {exc.smtp_code}",
                permanent=rejected,
                detail=_("邮件服务器拒收（%(code)s）") % {"code": exc.smtp_code},
            ) from exc
        return message_id(delivery.key)
