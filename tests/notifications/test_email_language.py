"""Notification e-mails are written in the recipient's language: Chinese by default,
English when their staff profile says so; a language without a template gets Chinese."""

import pytest
from django.core import mail
from django.utils import translation

from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff
from aftersales.notifications.tasks import email_notifications
from aftersales.parties.models import StaffProfile
from aftersales.parties.roles import Role
from aftersales.parties.services import staff_create
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db

TITLE = "“首次联系顾客”已超时：截止 2026-03-02 10:30，已升级至组长 & 报告管理层"


def lead(username: str, language: str = ""):
    return staff_create(
        username=username,
        password="pass-Word-123",
        role=Role.TEAM_LEAD,
        display_name=f"{username} 组长",
        email=f"{username}@example.cn",
        language=language,
    )


def emailed(user) -> mail.EmailMessage:
    dispute = make_dispute()
    (note,) = notify_staff(
        [
            Notification(
                recipient=user,
                dispute=dispute,
                kind=Notification.Kind.SLA_BREACHED,
                title=f"{dispute.number} {TITLE}",
                created_at=dispute.received_at,
            )
        ]
    )
    mail.outbox.clear()
    assert email_notifications.call([note.pk]) == 1
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert dispute.number in message.subject
    assert f"/workbench/disputes/{dispute.number}/" in message.body
    assert TITLE in message.body  # quoted as recorded, not HTML-escaped
    return message


def test_chinese_by_default():
    message = emailed(lead("wang"))
    assert message.subject.startswith("【售后】")
    assert message.body.startswith("wang 组长，您好：")
    assert "投诉编号：" in message.body and "请勿直接回复" in message.body
    assert "Hello" not in message.body


def test_english_when_the_profile_says_so():
    message = emailed(lead("smith", language="en"))
    assert message.subject.startswith("[After-sales] SLA breached: ")
    assert message.body.startswith("Hello smith 组长,")
    assert "Complaint number: " in message.body and "please do not reply" in message.body
    assert "您好" not in message.body and "投诉编号" not in message.body


def test_a_language_without_a_template_falls_back_to_chinese():
    user = lead("dupont")
    StaffProfile.objects.filter(user=user).update(language="fr")
    message = emailed(user)
    assert message.subject.startswith("【售后】")
    assert message.body.startswith("dupont 组长，您好：")


def test_a_regional_english_uses_the_english_template():
    user = lead("jones")
    StaffProfile.objects.filter(user=user).update(language="en-gb")
    assert emailed(user).body.startswith("Hello jones 组长,")


def test_the_site_default_language_applies_when_the_profile_is_blank(settings):
    settings.LANGUAGE_CODE = "en"
    assert emailed(lead("brown")).subject.startswith("[After-sales] ")
    settings.LANGUAGE_CODE = "zh-hans"
    assert emailed(lead("li")).subject.startswith("【售后】")


def test_every_notification_kind_has_an_english_name():
    """The subject's kind is the kind's label in the template's language (the catalogue),
    not a hand-written English copy."""
    with translation.override("zh-hans"):
        chinese = {k.value: str(k.label) for k in Notification.Kind}
    with translation.override("en"):
        english = {k.value: str(k.label) for k in Notification.Kind}
    assert [k for k in chinese if chinese[k] == english[k]] == []
    assert english["sla_breached"] == "SLA breached"
