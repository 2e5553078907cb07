"""Issue 14, delivery: a worker process killed (SIGKILL) mid-batch, right after Aliyun
took one of its texts and before the answer reached it. After a restart every message is
delivered, each exactly once: the next run sends what was never sent and, after the
sending timeout, asks Aliyun about the text in flight instead of sending it again."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from aftersales.notifications.delivery_rules import SENDING_TIMEOUT
from aftersales.notifications.models import OutboundMessage
from aftersales.notifications.tasks import deliver_messages
from tests.factories import OrderFactory, make_dispute
from tests.ops.shared_db import process_env, shared_database

# The worker: the real sweep, run until nothing is due, with this test's SMS settings.
WORKER = """
import json, os, django
django.setup()
from django.conf import settings
for name, value in json.loads(os.environ["SMS_SETTINGS"]).items():
    setattr(settings, name, value)
from aftersales.notifications.tasks import deliver_messages
while deliver_messages.call():
    pass
"""
SMS_SETTINGS = (
    "CUSTOMER_CHANNEL",
    "AFTERSALES_SMS_BACKEND",
    "AFTERSALES_SMS_ALIYUN_ENDPOINT",
    "AFTERSALES_SMS_ALIYUN_ACCESS_KEY_ID",
    "AFTERSALES_SMS_ALIYUN_ACCESS_KEY_SECRET",
    "AFTERSALES_SMS_ALIYUN_SIGN_NAME",
    "AFTERSALES_SMS_ALIYUN_TEMPLATE_CODE",
    "AFTERSALES_SMS_TIMEOUT",
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_batch_delivers_every_message_once_after_restart(aliyun, tmp_path):
    messages = [
        OutboundMessage.objects.get(
            dispute=make_dispute(OrderFactory()), template="acknowledgement"
        )
        for _ in range(6)
    ]
    env = {name: getattr(django_settings, name) for name in SMS_SETTINGS}
    worker: dict[str, subprocess.Popen] = {}
    killed = threading.Event()

    def kill_on_third(n: int) -> None:  # Aliyun has taken the text; no answer yet
        if n == 3 and not killed.is_set():
            killed.set()
            os.kill(worker["process"].pid, signal.SIGKILL)
            worker["process"].wait(timeout=30)

    aliyun.on_send = kill_on_third
    with shared_database(tmp_path) as url:
        worker["process"] = subprocess.Popen(
            [sys.executable, "-c", WORKER],
            env={**process_env(url, tmp_path), "SMS_SETTINGS": json.dumps(env)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        worker["process"].wait(timeout=120)
        assert killed.is_set(), worker["process"].stdout.read().decode()[-2000:]
    aliyun.on_send = None
    assert len(aliyun.sent) == 3

    deliver_messages.call()  # the restarted worker: the text in flight is left alone
    in_flight = OutboundMessage.objects.filter(state="sending")
    assert in_flight.count() == 1
    in_flight.update(attempted_at=timezone.now() - SENDING_TIMEOUT - dt.timedelta(seconds=1))
    while deliver_messages.call():
        pass

    for message in messages:
        message.refresh_from_db()
        assert message.state == "delivered"
        assert len(aliyun.texts_of_message(message.pk)) == 1
    assert len(aliyun.sent) == len(messages)
