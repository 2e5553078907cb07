"""Every scheduled and background task may run twice — a slot enqueued once can still be
run again when its worker died after finishing the work but before recording it, or
after a crash midway. Running it again must do no second piece of work: no second
timeline event, inbox notification or e-mail."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from aftersales.disputes.models import Event
from aftersales.followup.tasks import daily_checks
from aftersales.notifications.models import Notification
from aftersales.notifications.tasks import email_notifications
from aftersales.parties.roles import Role
from aftersales.sla.calendar_notices import calendar_year_warn
from aftersales.sla.models import Timer
from aftersales.sla.tasks import calendar_years, sla_scan
from tests.factories import make_dispute, make_held_dispute, make_staff

from .flaky_mail import FAIL_ON

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_the_sla_scan_twice_records_a_breach_once(default_team):
    lead = make_staff(Role.TEAM_LEAD, team=default_team)
    default_team.lead = lead
    default_team.save()
    dispute = make_dispute()
    overdue = timezone.now() - dt.timedelta(hours=2)
    Timer.objects.filter(dispute=dispute, state="running").update(
        due_at=overdue, risk_at=overdue - dt.timedelta(minutes=5)
    )
    assert sla_scan.call() == {"at_risk": 0, "breached": 1}
    assert sla_scan.call() == {"at_risk": 0, "breached": 0}
    assert Event.objects.filter(dispute=dispute, kind="sla_breached").count() == 1
    assert Notification.objects.filter(dispute=dispute, kind="sla_breached").count() == 1


def test_the_daily_checks_twice_tell_each_agent_once(agent):
    make_held_dispute(agent, received_at=timezone.now() - dt.timedelta(days=3))
    assert daily_checks.call() == {"notifications": 1}
    assert daily_checks.call() == {"notifications": 0}
    assert Notification.objects.filter(recipient=agent, kind="daily_check").count() == 1


def test_the_calendar_year_notice_twice_tells_each_admin_once_a_day(db):
    admin = make_staff(Role.ADMIN)
    december = dt.datetime(2026, 12, 5, 9, 0, tzinfo=SH)
    assert [n.recipient for n in calendar_year_warn(now=december)] == [admin]
    assert calendar_year_warn(now=december + dt.timedelta(hours=3)) == []
    # The task itself (today's date, whatever it is): a second run adds nothing.
    calendar_years.call()
    told = Notification.objects.filter(kind="calendar_year_missing").count()
    assert calendar_years.call()["notifications"] == 0
    assert Notification.objects.filter(kind="calendar_year_missing").count() == told


def inbox(user, n: int) -> list[int]:
    return [
        Notification.objects.create(
            recipient=user, kind="assigned", title=f"第 {i} 件", created_at=timezone.now()
        ).pk
        for i in range(n)
    ]


def test_the_email_task_twice_sends_each_email_once(agent):
    agent.email = "agent@example.cn"
    agent.save()
    ids = inbox(agent, 2)
    assert email_notifications.call(ids) == 2
    assert email_notifications.call(ids) == 0
    assert len(mail.outbox) == 2


def test_after_a_crash_midway_the_email_task_sends_only_what_was_not_sent(agent, settings):
    settings.EMAIL_BACKEND = "tests.jobs.flaky_mail.FlakyEmailBackend"
    agent.email = "agent@example.cn"
    agent.save()
    ids = inbox(agent, 3)
    FAIL_ON["message"] = 2  # the connection drops on the second e-mail
    with pytest.raises(ConnectionResetError):
        email_notifications.call(ids)
    assert len(mail.outbox) == 1
    assert email_notifications.call(ids) == 2  # the retry
    assert sorted(m.subject for m in mail.outbox) == sorted(f"【售后】第 {i} 件" for i in range(3))


def test_the_delivery_job_twice_sends_each_customer_message_once(db):
    from aftersales.notifications import channels
    from aftersales.notifications.tasks import deliver_messages

    channels.outbox.clear()
    dispute = make_dispute()  # its acknowledgement is pending
    assert deliver_messages.call() == {"sent": 1}
    assert deliver_messages.call() == {}
    assert [d.message_id for d in channels.outbox] == [
        dispute.outbound_messages.get(template="acknowledgement").pk
    ]


def test_after_a_kill_midway_the_delivery_job_sends_only_what_was_not_sent(db, settings):
    """The worker dies right after the gateway took the second of three texts; the task
    is run again (reclaimed) and, after the sending timeout, settles the second with the
    gateway instead of sending it again."""
    from aftersales.notifications import channels
    from aftersales.notifications.delivery_rules import SENDING_TIMEOUT
    from aftersales.notifications.models import OutboundMessage
    from aftersales.notifications.tasks import deliver_messages
    from tests.notifications.gateways import DIE_ON, Killed

    channels.outbox.clear()
    for _ in range(3):
        make_dispute()
    settings.CUSTOMER_CHANNEL = "tests.notifications.gateways.DiesMidBatch"
    DIE_ON["delivery"] = 2
    with pytest.raises(Killed):
        deliver_messages.call()
    assert len(channels.outbox) == 2
    assert deliver_messages.call() == {"sent": 1}  # the third; the second may be in flight
    OutboundMessage.objects.filter(state="sending").update(
        attempted_at=timezone.now() - SENDING_TIMEOUT - dt.timedelta(seconds=1)
    )
    assert deliver_messages.call() == {"sent": 1}  # the gateway says it took the second
    assert len(channels.outbox) == 3
    assert len({d.message_id for d in channels.outbox}) == 3
    assert set(OutboundMessage.objects.values_list("state", flat=True)) == {"sent"}
