"""SMS delivery. `send_now` sends one text at once, outside the outbox (one-time codes:
no dispute exists yet, and the code must never be stored in clear). The backends:
`dev.DevelopmentSms` (the log and a file) and `aliyun.AliyunSms`, chosen by
settings.AFTERSALES_SMS_BACKEND (see notifications.adapters)."""

from __future__ import annotations

from aftersales.notifications.adapters import for_channel
from aftersales.notifications.channels import Delivery
from aftersales.notifications.delivery import settings_signature
from aftersales.notifications.messages import SIGNATURE, with_signature


def send_now(*, phone: str, text: str, key: str) -> str:
    """Send `text` to `phone` now through the configured SMS backend; `key` is the
    idempotency key. Returns the provider's message id; raises channels.ChannelError
    when the provider surely did not take it. The text may hold a secret: never
    stored or logged by the caller. A text without a signature 【…】 gets the configured
    one (AFTERSALES_SMS_SIGNATURE): every SMS in China carries one."""
    if not SIGNATURE.match(text):
        text = with_signature(text, settings_signature())
    provider_id = for_channel("sms").send(
        Delivery(message_id=0, key=key, channel="sms", phone=phone, email="", subject="", text=text)
    )
    return provider_id or key
