"""`aftersales demo --no-serve` on an empty database: the data, the summary, the logins."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aftersales.demo.live import LIVE_COMPLAINTS
from aftersales.demo.populate import DEMO_PASSWORD
from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.notifications.models import Notification
from aftersales.parties.roles import Role
from aftersales.triage.models import GroupComplaint

pytestmark = pytest.mark.django_db


def test_command_end_to_end(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", "--no-serve", "--count", "300", stdout=out)
    text = out.getvalue()
    live = len(LIVE_COMPLAINTS)
    assert Dispute.objects.count() == 300 + live
    assert "新建 300 件投诉" in text
    assert re.search(r"调解方案 \d+ 件.*调解协议书 \d+ 份（1 份已生成 PDF）.*外部升级 \d+ 件", text)
    assert f"实时受理演示投诉 {live} 件" in text
    # The after-sale orders, those of closed disputes counted apart.
    closed = AfterSaleOrder.objects.filter(dispute__status="closed").count()
    assert closed > 0
    assert re.search(rf"售后单 \d+ 张（\d+ 张进行中、\d+ 张已完成，{closed} 张属已结案投诉）", text)
    # The live ones went through triage: a group-complaint candidate for the team lead,
    # a major case reported to management.
    assert GroupComplaint.objects.filter(state="candidate").count() == 1
    assert Notification.objects.filter(recipient__username="management", kind="major").exists()
    assert Notification.objects.filter(recipient__username="team_lead").exists()
    for url in ("/workbench/", "/admin/", "/api/v1/docs"):
        assert f"http://127.0.0.1:8000{url}" in text
    for role in Role:
        assert re.search(rf"^\s+{role.value}\s+{DEMO_PASSWORD}\s", text, re.M), role
    assert "用户名" in text and "密码" in text and "角色" in text
    for label in ("受理", "结案", "升级处理", "电话", "平台纠纷", "商品质量问题"):
        assert label in text

    out = io.StringIO()
    call_command("demo", "--no-serve", "--count", "300", stdout=out)
    assert "已存在" in out.getvalue() and Dispute.objects.count() == 300 + live
    assert f"agent             {DEMO_PASSWORD}" in out.getvalue()


def test_command_refuses_without_debug_and_reset_outside_a_sqlite_file(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", "--no-serve", stdout=io.StringIO())
    settings.DEBUG = True
    # The test database is in memory (SQLite) or PostgreSQL: never deleted.
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", "--no-serve", "--reset", stdout=io.StringIO())
    assert not Dispute.objects.exists()
