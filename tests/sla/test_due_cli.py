"""`aftersales sla due` end to end, as other tools run it: one line out, or status 2."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

AFTERSALES = Path(sys.executable).with_name("aftersales")
ISO_WITH_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def sla_due(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(AFTERSALES), "sla", "due", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("start", "limit", "unit", "due"),
    [
        # 2026 国庆: from 9-30, the 4th working day after is Monday 10-12 (10-10 is 调休).
        ("2026-09-30T10:00:00+08:00", "4", "working_days", "2026-10-12T23:59:59+08:00"),
        # 2025 春节: from Monday 1-27 the first working day after is 2-5.
        ("2025-01-27T17:00:00+08:00", "1", "working_days", "2025-02-05T23:59:59+08:00"),
        # The date is Shanghai's: 2025-09-27 16:30 UTC is already Sunday 9-28 (调休) there.
        ("2025-09-27T16:30:00Z", "1", "working_days", "2025-09-29T23:59:59+08:00"),
        ("2026-10-04T08:00:00+08:00", "0", "working_days", "2026-10-04T23:59:59+08:00"),
        # Business hours: over the Spring Festival 2025; used up exactly at closing time.
        ("2025-01-27T18:00:00+08:00", "1", "business_hours", "2025-02-05T09:30:00+08:00"),
        ("2026-09-30T09:00:00+08:00", "9.5", "business_hours", "2026-09-30T18:30:00+08:00"),
        ("2026-03-02T02:00:00+00:00", "1.5", "business_hours", "2026-03-02T11:30:00+08:00"),
        # Wall clock, through a holiday night; microseconds of the start dropped.
        ("2026-09-30T23:30:00.654321+08:00", "45", "minutes", "2026-10-01T00:15:00+08:00"),
        ("2026-09-30T20:00:00-04:00", "24", "hours", "2026-10-02T08:00:00+08:00"),
        ("2026-03-02T10:00:00+08:00", "0", "minutes", "2026-03-02T10:00:00+08:00"),
    ],
)
def test_prints_exactly_one_line_the_due_time(start, limit, unit, due):
    result = sla_due("--start", start, "--limit", limit, "--unit", unit)
    assert result.returncode == 0, result.stderr
    assert result.stdout == due + "\n"
    assert ISO_WITH_SECONDS.match(result.stdout.strip())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-03-02T10:00:00", "--limit", "1", "--unit", "hours"], "时区偏移量"),
        (["--start", "2026-03-02", "--limit", "1", "--unit", "hours"], "时区偏移量"),
        (["--start", "下周一", "--limit", "1", "--unit", "hours"], "不是 ISO 8601"),
        (["--start", "2026-03-02T10:00:00+08:00", "--limit", "-1", "--unit", "hours"], "负数"),
        (["--start", "2026-03-02T10:00:00+08:00", "--limit", "三", "--unit", "hours"], "不是数字"),
        (
            ["--start", "2026-03-02T10:00:00+08:00", "--limit", "1.5", "--unit", "working_days"],
            "整数",
        ),
        (["--start", "2026-03-02T10:00:00+08:00", "--limit", "1", "--unit", "days"], "参数错误"),
        (["--start", "2026-03-02T10:00:00+08:00", "--unit", "hours"], "参数错误"),
    ],
)
def test_bad_input_exits_2_with_a_message(args, message):
    result = sla_due(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr


@pytest.mark.parametrize(
    ("start", "limit", "unit", "due"),
    [
        # Years the package does not know: weekends only, still one line, and said so.
        ("2035-03-01T10:00:00+08:00", "3", "working_days", "2035-03-06T23:59:59+08:00"),
        ("2035-03-01T10:00:00+08:00", "1", "business_hours", "2035-03-01T11:00:00+08:00"),
        ("2026-12-30T10:00:00+08:00", "3", "working_days", "2027-01-04T23:59:59+08:00"),
    ],
)
def test_an_unknown_year_prints_a_provisional_due_time(start, limit, unit, due):
    result = sla_due("--start", start, "--limit", limit, "--unit", unit)
    assert result.returncode == 0, result.stderr
    assert result.stdout == due + "\n"
    assert "暂定" in result.stderr and due[:4] in result.stderr
