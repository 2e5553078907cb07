"""aftersales daily-check [--user U] [--json] [--stale-days N]

The daily proactive checks (三主动) per agent: parcels with no tracking movement for N
days, executions past their expected date, commitments due today or overdue, disputes
untouched for a day. A readable Chinese report by default; `--json` for tools. Agents
with nothing to follow up are left out, except the one named by `--user`. An unknown
user: a message, exit status 2.
"""

import dataclasses
import datetime as dt
import json
import sys
from typing import Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.followup.daily_check_notices import check_lines, summary
from aftersales.followup.daily_checks import daily_checks, parcel_stale_days


class _ShanghaiEncoder(DjangoJSONEncoder):
    """Times as ISO 8601 in Asia/Shanghai, amounts as decimal strings."""

    def default(self, o):
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        return super().default(o)


class Command(BaseCommand):
    help = (
        "每日主动检查：物流异常、逾期售后单、退款未确认到账、换货未发货、运费险未理赔、"
        "到期承诺、24 小时无人跟进的投诉（按处理人）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="只看这位员工（用户名）的清单")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument(
            "--stale-days",
            type=int,
            default=None,
            help="包裹多少天无物流更新算异常（默认取设置 DAILY_CHECK_PARCEL_STALE_DAYS）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agents = None
        if options["user"]:
            agents = get_user_model().objects.filter(username=options["user"])
            if not agents.exists():
                self._fail(_("找不到员工 %(user)s") % {"user": options["user"]})
        stale_days = options["stale_days"]
        if stale_days is not None and stale_days < 1:
            self._fail(_("--stale-days 必须是正整数"))
        stale_days = parcel_stale_days() if stale_days is None else stale_days
        now = timezone.now()
        checks = daily_checks(
            now=now, agents=agents, stale_days=stale_days, include_empty=agents is not None
        )
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "checked_at": now,
                        "parcel_stale_days": stale_days,
                        "agents": [dataclasses.asdict(c) for c in checks],
                    },
                    cls=_ShanghaiEncoder,
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        day = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
        self.stdout.write(_("每日主动检查 %(day)s") % {"day": day})
        if not checks:
            self.stdout.write(_("今天没有需要跟进的事项。"))
        for check in checks:
            self.stdout.write("")
            self.stdout.write(
                _("%(name)s（%(username)s）：%(n)d 项 — %(summary)s")
                % {
                    "name": check.name,
                    "username": check.username,
                    "n": check.total,
                    "summary": summary(check),
                }
            )
            for line in check_lines(check, stale_days=stale_days):
                self.stdout.write("  " + line)

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(f"daily-check: {message}")
        sys.exit(2)
