"""The customer's side of a sent proposal, as the customer receives it: the worker
delivers the message (minting the link and one-time code), the channel gets the text.
Nothing of it is in the database, so this is the only place tests can read them."""

import re

from aftersales.notifications import channels
from aftersales.notifications.delivery import message_deliver
from aftersales.notifications.models import OutboundMessage

LINK = re.compile(r"/portal/mediation/([^/\s]+)/")
CODE = re.compile(r"验证码为 (\d{6})")


def delivered_text(dispute) -> str:
    """The text the customer received with the latest proposal of a dispute (delivered
    now if the worker has not yet)."""
    message = OutboundMessage.objects.filter(dispute=dispute, template="proposal").latest("id")
    message_deliver(message_id=message.pk)
    delivery = channels.delivered(message.pk)
    assert delivery is not None, f"proposal message {message.pk} was not delivered"
    return delivery.text


def last_link(dispute) -> tuple[str, str]:
    """The customer link token and one-time code of the latest proposal message."""
    text = delivered_text(dispute)
    return LINK.search(text).group(1), CODE.search(text).group(1)
