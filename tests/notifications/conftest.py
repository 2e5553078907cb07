"""Customer messages through the real adapters (settings.CUSTOMER_CHANNEL unset): the
Aliyun SMS adapter against the local fake of its API, or the development backend."""

import pytest

from aftersales.notifications import channels

from .aliyun_fake import KEY_ID, SECRET, AliyunFake

ALIYUN = "aftersales.notifications.sms.aliyun.AliyunSms"
DEVELOPMENT = "aftersales.notifications.sms.dev.DevelopmentSms"


@pytest.fixture
def aliyun(settings):
    """The Aliyun adapter for SMS, talking to a fake Aliyun on this machine."""
    with AliyunFake() as fake:
        settings.CUSTOMER_CHANNEL = ""
        settings.AFTERSALES_SMS_BACKEND = ALIYUN
        settings.AFTERSALES_SMS_ALIYUN_ENDPOINT = fake.url
        settings.AFTERSALES_SMS_ALIYUN_ACCESS_KEY_ID = KEY_ID
        settings.AFTERSALES_SMS_ALIYUN_ACCESS_KEY_SECRET = SECRET
        settings.AFTERSALES_SMS_ALIYUN_SIGN_NAME = "售后服务"
        settings.AFTERSALES_SMS_ALIYUN_TEMPLATE_CODE = "SMS_000000001"
        settings.AFTERSALES_SMS_TIMEOUT = 5
        yield fake


@pytest.fixture
def sms_file(settings, tmp_path):
    """The development SMS backend, writing to a file of this test."""
    settings.CUSTOMER_CHANNEL = ""
    settings.AFTERSALES_SMS_BACKEND = DEVELOPMENT
    settings.AFTERSALES_SMS_DEV_FILE = str(tmp_path / "sms-outbox.jsonl")
    channels.outbox.clear()
    yield tmp_path / "sms-outbox.jsonl"
    channels.outbox.clear()
