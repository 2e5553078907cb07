"""Issue 11 item 5: proposal messages written before this release kept the customer link
and the one-time code in clear text in the outbox. Replace both in every stored body with
the placeholders new messages carry, and expire the links found there: they sat in the
database (and its backups), so they count as disclosed. The customer gets a new link and
code with the next proposal sent."""

import hashlib
import re

from django.db import migrations
from django.utils import timezone

LINK = re.compile(r"(?:https?://[^\s/]+)?/portal/mediation/([^/\s]+)/")
CODE = re.compile(r"验证码为 \d{6}")
LINK_SHOWN = "〔顾客链接：发送时生成，不保存〕"
CODE_SHOWN = "验证码为 〔发送时生成，不保存〕"


def scrub(apps, schema_editor):
    message_model = apps.get_model("notifications", "OutboundMessage")
    access_model = apps.get_model("mediation", "CustomerAccess")
    now = timezone.now()
    for message in message_model.objects.filter(template="proposal").iterator():
        tokens = LINK.findall(message.body)
        if not tokens and not CODE.search(message.body):
            continue
        hashes = [hashlib.sha256(t.encode()).hexdigest() for t in tokens]
        access_model.objects.filter(token_hash__in=hashes, expires_at__gt=now).update(
            expires_at=now
        )
        body = CODE.sub(CODE_SHOWN, LINK.sub(LINK_SHOWN, message.body))
        message_model.objects.filter(pk=message.pk).update(body=body)


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0004_case_facts"),
        ("notifications", "0008_outbound_params_cancelled"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
