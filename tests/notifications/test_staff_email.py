"""Staff notifications reach the inbox at once and the mailbox through the worker."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from aftersales.notifications.models import Notification
from aftersales.notifications.tasks import email_notifications
from aftersales.parties.roles import Role
from tests.conftest import intake_body
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

SHOCK = "热水器漏电，洗澡的时候把我孩子电伤了，送医院住了两天，你们必须负责。"


def test_a_major_case_is_emailed_to_management_once(
    api_as, agent, order, django_capture_on_commit_callbacks
):
    manager = make_staff(Role.MANAGEMENT)
    manager.email = "boss@example.cn"
    manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        number = api_as(agent).post("/api/v1/disputes", intake_body(order, description=SHOCK))
    number = number.json()["number"]
    note = Notification.objects.get(recipient=manager)
    queued = DBTaskResult.objects.get(task_path__endswith="email_notifications")
    ids = queued.args_kwargs["args"][0]
    assert note.pk in ids

    assert email_notifications.call(ids) >= 1
    (message,) = [m for m in mail.outbox if m.to == ["boss@example.cn"]]
    assert number in message.subject and "重大投诉" in message.subject
    assert f"/workbench/disputes/{number}/" in message.body
    note.refresh_from_db()
    assert note.emailed_at is not None

    mail.outbox.clear()
    assert email_notifications.call(ids) == 0  # a second run sends nothing again
    assert mail.outbox == []


def test_staff_without_an_address_keep_the_inbox_only(api_as, agent, order):
    manager = make_staff(Role.MANAGEMENT)  # no e-mail address
    api_as(agent).post("/api/v1/disputes", intake_body(order, description=SHOCK))
    note = Notification.objects.get(recipient=manager)
    assert email_notifications.call([note.pk]) == 0
    assert mail.outbox == []
    assert api_as(manager).get("/api/v1/notifications").json()[0]["id"] == note.pk
