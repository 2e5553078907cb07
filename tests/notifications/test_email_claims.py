"""Issue 11 item 11: a staff notification is e-mailed once even when two runs of the
e-mail task overlap (a task reclaimed from a worker that was only slow), and an e-mail
claimed by a worker that died is sent by the next run."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from aftersales.notifications.models import Notification
from aftersales.notifications.tasks import email_notifications
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from tests.factories import make_staff

from .at_once import at_once


def inbox(user, n: int) -> list[int]:
    return [
        Notification.objects.create(
            recipient=user, kind="assigned", title=f"第 {i} 件", created_at=timezone.now()
        ).pk
        for i in range(n)
    ]


def staff_with_address():
    user = make_staff(Role.AGENT, team=Team.objects.get(is_default=True))
    user.email = "agent@example.cn"
    user.save()
    return user


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_email_once(settings):
    settings.EMAIL_BACKEND = "tests.notifications.slow_mail.SlowEmailBackend"
    ids = inbox(staff_with_address(), 6)
    sent = at_once(lambda: email_notifications.call(ids), threads=3)
    assert sum(sent) == 6
    assert sorted(m.subject for m in mail.outbox) == sorted(f"【售后】第 {i} 件" for i in range(6))
    assert not Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).exists()


@pytest.mark.django_db
def test_an_email_another_run_is_sending_is_left_to_it(settings):
    ids = inbox(staff_with_address(), 2)
    Notification.objects.filter(pk=ids[0]).update(email_claimed_at=timezone.now())
    assert email_notifications.call(ids) == 1
    assert [m.subject for m in mail.outbox] == ["【售后】第 1 件"]


@pytest.mark.django_db
def test_an_email_claimed_by_a_worker_that_died_is_sent_by_the_next_run(settings):
    ids = inbox(staff_with_address(), 2)
    died = timezone.now() - dt.timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS + 1)
    Notification.objects.filter(pk=ids[0]).update(email_claimed_at=died)
    assert email_notifications.call(ids) == 2
    assert email_notifications.call(ids) == 0
    assert len(mail.outbox) == 2
