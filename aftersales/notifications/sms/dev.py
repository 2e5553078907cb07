"""The development SMS backend: each text goes to the log and, as one JSON line, to a file
(settings.AFTERSALES_SMS_DEV_FILE, default <data dir>/sms-outbox.jsonl), where a
developer — or the customer portal's browser test — reads the codes and numbers:

    {"id": "dev-outbound-12-1", "key": "outbound-12-1", "phone": "13812341234",
     "text": "【旗舰店】您的投诉已受理…", "at": "2026-12-05T10:00:00+00:00"}

It holds one-time codes in clear: the default only in development (DEBUG); elsewhere it
works only when AFTERSALES_SMS_BACKEND names it (tests, benchmarks, a demo). Each text
is also kept in this process's `channels.outbox`. Every text it took is "delivered"
(its receipt), and it can tell afterwards whether it took a key."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.notifications.channels import ChannelError, Delivery, Receipt, outbox

logger = logging.getLogger("aftersales.sms")


def outbox_file() -> Path:
    configured = getattr(settings, "AFTERSALES_SMS_DEV_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "sms-outbox.jsonl"


def read_outbox(path: Path | None = None) -> list[dict]:
    """Every text the development backend wrote, oldest first."""
    path = path or outbox_file()
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


class DevelopmentSms:
    records_itself = True  # in channels.outbox

    def send(self, delivery: Delivery) -> str:
        if not delivery.phone:
            raise ChannelError("no phone number", permanent=True, detail=_("顾客没有手机号码"))
        provider_id = f"dev-{delivery.key}"
        line = {
            "id": provider_id,
            "key": delivery.key,
            "phone": delivery.phone,
            "text": delivery.text,
            "at": timezone.now().isoformat(),
        }
        path = outbox_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
        # One write to a file opened for appending: lines of workers at once never mix.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        logger.info("SMS to %s [%s]: %s", delivery.phone, delivery.key, delivery.text)
        outbox.append(delivery)
        return provider_id

    def status(self, key: str, **context) -> bool:
        return any(line["key"] == key for line in read_outbox())

    def receipt(self, key: str, *, phone: str = "", at: dt.datetime | None = None) -> Receipt:
        return Receipt(delivered=True)
