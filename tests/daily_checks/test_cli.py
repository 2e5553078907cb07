"""`aftersales daily-check [--user U] [--json]`: a readable report per agent, JSON for
tools, exit status 2 for an unknown user."""

import io
import json

import pytest
from django.core.management import call_command

from aftersales.parties.roles import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("daily-check", *args, stdout=out)
    return out.getvalue()


def test_the_report_names_each_late_item_with_its_dispute(agent, morning):
    text = run()
    assert f"{agent.username}）：8 项" in text
    assert (
        "物流异常 1，逾期售后单 1，退款未确认到账 1，换货未发货 1，运费险未理赔 1，"
        "到期承诺 2，未跟进投诉 1"
    ) in text
    stale = next(line for line in text.splitlines() if "SF0001" in line)
    assert morning.stale_parcel.number in stale and "已 5 天无更新" in stale
    refund = next(line for line in text.splitlines() if morning.late_refund.number in line)
    assert "已发货仅退款 ¥199.00（待财审）" in refund and "已逾期 2 天" in refund
    paid = next(line for line in text.splitlines() if morning.unconfirmed_refund.number in line)
    assert "¥88.00" in paid and "已超过 2 天" in paid and "请向顾客确认" in paid
    swap = next(line for line in text.splitlines() if morning.unshipped_exchange.number in line)
    assert "待发货（4 天）" in swap
    insured = next(line for line in text.splitlines() if morning.insurance_missing.number in line)
    assert "已逾期 2 天" in insured
    assert "“昨天下午回电”" in text and "（已逾期）" in text and "（今日到期）" in text
    assert morning.untouched.number in text
    for quiet in (morning.moving_parcel, morning.busy):
        assert quiet.number not in text


def test_user_limits_the_report_and_shows_an_empty_one(agent, default_team, morning):
    idle = make_staff(Role.AGENT, team=default_team)
    text = run("--user", idle.username)
    assert idle.username in text and "0 项" in text
    assert agent.username not in text


def test_json_for_tools(agent, morning):
    data = json.loads(run("--json", "--user", agent.username))
    (mine,) = data["agents"]
    assert data["parcel_stale_days"] == 3
    assert mine["late_executions"][0]["amount"] == "199.00"
    assert mine["unconfirmed_refunds"][0]["amount"] == "88.00"
    assert mine["missing_insurance_payouts"][0]["expected_by"].endswith("+08:00")
    assert mine["due_commitments"][0]["due_at"].endswith("+08:00")
    assert [p["tracking_no"] for p in mine["stale_parcels"]] == ["SF0001"]
    # A longer threshold for the parcel list, from the command line.
    data = json.loads(run("--json", "--stale-days", "10"))
    assert data["agents"][0]["stale_parcels"] == []


def test_nothing_to_do_says_so(db):
    assert "今天没有需要跟进的事项" in run()


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--user", "nobody"], "找不到员工 nobody"), (["--stale-days", "0"], "正整数")],
)
def test_unknown_user_or_bad_threshold_exits_2(db, args, message):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("daily-check", *args, stderr=err)
    assert exited.value.code == 2
    assert message in err.getvalue()


def test_the_console_script_knows_the_command():
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [str(Path(sys.executable).with_name("aftersales")), "daily-check", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--user" in result.stdout and "--json" in result.stdout
