"""Issue 11 item 5: the customer link and the one-time code exist only in the text handed
to the channel when the proposal message is delivered. Nothing in the database (the
outbox, the proposal, the links, the timeline, the task queue — every text column of
every table) nor in the admin holds a usable token or code. Accepting needs the link and
the code, and a code locked by wrong tries refuses every acceptance."""

import hashlib
import importlib
import logging

import pytest
from django.apps import apps
from django.db import models
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.mediation.models import (
    CustomerAccess,
    Proposal,
    ProposalRevision,
    SettlementAgreement,
)
from aftersales.notifications import channels
from aftersales.notifications.models import OutboundMessage
from aftersales.notifications.tasks import deliver_customer_messages
from aftersales.parties.roles import Role
from tests.customer_link import CODE, LINK, last_link
from tests.factories import make_staff
from tests.mediation.proposal_helpers import (
    CustomerClient,
    comp,
    investigating_dispute,
    proposals_url,
    staff,
)

pytestmark = pytest.mark.django_db

TEXT = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def every_stored_text() -> list[tuple[str, str]]:
    """(table.column, value) of every text-like column of every table."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT)]
        for field in fields:
            for value in model.objects.values_list(field.attname, flat=True).iterator():
                if value is None:
                    continue
                if isinstance(value, bytes | memoryview):
                    text = bytes(value).decode("latin-1")
                else:
                    text = value if isinstance(value, str) else repr(value)
                found.append((f"{model._meta.db_table}.{field.column}", text))
    return found


def sent_through_the_api(api_as, django_capture_on_commit_callbacks):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    created = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()
    with django_capture_on_commit_callbacks(execute=True):
        sent = api_as(agent).post(proposals_url(dispute, created["id"], "send"))
    assert sent.status_code == 200, sent.content
    return dispute, created["id"]


def deliver_as_the_worker(dispute) -> str:
    """Run the queued delivery task; the text the channel received."""
    queued = DBTaskResult.objects.get(task_path__endswith="deliver_customer_messages")
    ids = queued.args_kwargs["args"][0]
    assert deliver_customer_messages.call(ids) == 1
    message = OutboundMessage.objects.get(dispute=dispute, template="proposal")
    assert message.pk in ids and message.state == "sent"
    return channels.delivered(message.pk).text


def test_no_table_holds_the_link_or_the_code(api_as, django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    before = {value for _column, value in every_stored_text()}
    dispute, pid = sent_through_the_api(api_as, django_capture_on_commit_callbacks)
    text = deliver_as_the_worker(dispute)
    token, code = LINK.search(text).group(1), CODE.search(text).group(1)

    for column, value in every_stored_text():
        assert token not in value, column
        # Six digits may occur by chance in a value that was there before the send.
        assert code not in value or value in before, column
    assert token not in caplog.text and f"验证码为 {code}" not in caplog.text
    # Only their hashes are kept, and they work.
    access = CustomerAccess.objects.get(dispute=dispute)
    assert access.token_hash == hashlib.sha256(token.encode()).hexdigest()
    accepted = CustomerClient(token).post(proposals_url(dispute, pid, "accept"), {"code": code})
    assert accepted.status_code == 200, accepted.content


def test_the_admin_shows_the_message_without_its_secrets(
    api_as, django_capture_on_commit_callbacks
):
    dispute, _pid = sent_through_the_api(api_as, django_capture_on_commit_callbacks)
    text = deliver_as_the_worker(dispute)
    token, code = LINK.search(text).group(1), CODE.search(text).group(1)
    admin = Client()
    admin.force_login(make_staff(Role.ADMIN))
    message = OutboundMessage.objects.get(dispute=dispute, template="proposal")
    for url in (
        "/admin/notifications/outboundmessage/",
        f"/admin/notifications/outboundmessage/{message.pk}/change/",
        f"/admin/mediation/proposal/{Proposal.objects.get(dispute=dispute).pk}/change/",
    ):
        page = admin.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert token not in html and f"验证码为 {code}" not in html, url
    shown = admin.get(f"/admin/notifications/outboundmessage/{message.pk}/change/")
    assert "赔偿金 120.00 元" in shown.content.decode()
    assert "〔顾客链接：发送时生成，不保存〕" in shown.content.decode()


def test_five_wrong_codes_then_accepting_without_a_code_is_refused(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    pid = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    token, code = last_link(dispute)
    customer = CustomerClient(token)
    url = proposals_url(dispute, pid, "accept")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert customer.post(url, {"code": wrong}).status_code == 422
    refused = customer.post(url, {})
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "code_locked"
    assert error["message"].startswith("验证码错误次数过多，已锁定")
    assert customer.post(url, {"code": code}).status_code == 403
    assert Proposal.objects.get(pk=pid).state == "sent"
    assert ProposalRevision.objects.get(proposal_id=pid).state == "sent"
    assert not SettlementAgreement.objects.filter(proposal_id=pid).exists()


def test_a_message_overtaken_before_delivery_mints_nothing(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    pid = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    first = OutboundMessage.objects.get(dispute=dispute, template="proposal")
    api_as(agent).post(
        proposals_url(dispute, pid, "withdraw"), {"reason": "顾客来电，方案需要重新核算"}
    )
    assert deliver_customer_messages.call([first.pk]) == 0
    first.refresh_from_db()
    assert first.state == "cancelled"
    assert channels.delivered(first.pk) is None or first.sent_at is None
    assert not CustomerAccess.objects.filter(dispute=dispute).exists()


def test_without_a_channel_the_message_fails_and_no_secret_is_kept(api_as):
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    pid = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    message = OutboundMessage.objects.get(dispute=dispute, template="proposal")
    with override_settings(CUSTOMER_CHANNEL="", DEBUG=False):
        assert deliver_customer_messages.call([message.pk]) == 0
    message.refresh_from_db()
    assert (message.state, message.sent_at) == ("failed", None)
    assert not CustomerAccess.objects.filter(dispute=dispute).exists()
    assert ProposalRevision.objects.get(proposal_id=pid).code_hash == ""


def test_the_upgrade_scrubs_old_messages_and_expires_their_links(api_as):
    """Messages written before this release: link and code in the body."""
    agent = staff(Role.AGENT)
    dispute = investigating_dispute()
    pid = api_as(agent).post(proposals_url(dispute), {"remedies": comp("120.00")}).json()["id"]
    assert api_as(agent).post(proposals_url(dispute, pid, "send")).status_code == 200
    token, code = last_link(dispute)
    old_body = (
        f"方案\n\n查看并答复方案：/portal/mediation/{token}/\n如需以验证码确认接受，验证码为 {code}"
    )
    OutboundMessage.objects.filter(dispute=dispute, template="proposal").update(body=old_body)

    migration = importlib.import_module("aftersales.mediation.migrations.0005_scrub_outbox_secrets")
    migration.scrub(apps, None)

    body = OutboundMessage.objects.get(dispute=dispute, template="proposal").body
    assert token not in body and code not in body
    assert "〔顾客链接：发送时生成，不保存〕" in body
    customer = CustomerClient(token)
    assert customer.get(proposals_url(dispute, pid, "customer")).status_code == 401


def test_the_demo_keeps_no_link_or_code_either(db):
    from aftersales.demo.populate import demo_populate

    demo_populate(count=120, seed=7, now=timezone.now())
    sent = OutboundMessage.objects.filter(template="proposal")
    assert sent.count() > 5
    for message in sent:
        assert not LINK.search(message.body) and not CODE.search(message.body), message.pk
        assert "〔顾客链接：发送时生成，不保存〕" in message.body
        assert message.state == "sent" and message.params["revision"]
    assert CustomerAccess.objects.count() == sent.count()  # one link per send, hashed
