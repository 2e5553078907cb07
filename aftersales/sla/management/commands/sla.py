"""aftersales sla due --start ISO --limit N --unit minutes|hours|working_days|business_hours
aftersales sla scan
aftersales sla figures --start YYYY-MM-DD --end YYYY-MM-DD [--by kind|team|agent] [--json]

scan: marks timers at risk and breached (set-based SQL), one event and notification per
crossing, once; prints one line with the counts. Safe to run twice or concurrently.

due: prints one line, the due time in Asia/Shanghai as ISO 8601 with seconds and offset,
using the default calendar (chinesecalendar, no company days) and 09:00–18:30. Other tools
read that line: keep it exactly so. A due time counted across a year whose holidays are not
known yet (weekends only) is still printed, status 0, and a line on stderr says it is
provisional (暂定) and why. Bad input: a message, exit status 2.

figures: SLA compliance of the timers due from --start to --end (both inclusive,
Asia/Shanghai) per kind, team or agent, as a table or (--json) the API's JSON. Bad input:
a message, exit status 2.
"""

import json
import sys
from datetime import datetime
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.sla.calendar import CalendarError, Unit, default_calendar


class _Parser(CommandParser):
    """argparse's errors (missing option, unknown unit), said in Chinese; still exit 2."""

    def error(self, message: str) -> NoReturn:
        if not self.called_from_command_line:
            raise CommandError(f"参数错误：{message}")
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数错误：{message}\n")


class Command(BaseCommand):
    help = "时限：due 按受理时间、时限和单位计算截止时间；scan 扫描即将超时与已超时的计时"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=_Parser)
        due = sub.add_parser(
            "due",
            help="计算截止时间，输出一行 ISO 8601（Asia/Shanghai，含秒和偏移量）",
            description="按默认工作日历（法定节假日与调休）和营业时间 09:00–18:30 计算截止时间。",
        )
        due.add_argument(
            "--start",
            required=True,
            help="起算时间，ISO 8601 且带偏移量，如 2026-09-30T10:00:00+08:00",
        )
        due.add_argument("--limit", required=True, help="时限，非负数；工作日须为整数")
        due.add_argument("--unit", required=True, choices=[u.value for u in Unit], help="时限单位")
        sub.add_parser(
            "scan",
            help="扫描计时：即将超时（预警）与已超时（升级），每次越线只通知一次",
            description="可重复运行、可多进程同时运行：每次越线只产生一条事件和通知。",
        )

        figures = sub.add_parser(
            "figures",
            help="时限达标统计：按计时类型、小组或处理人",
            description=(
                "统计截止时间在 --start 至 --end（含两端，北京时间）之间的计时，已取消的不计。"
            ),
        )
        figures.add_argument("--start", required=True, help="开始日期 YYYY-MM-DD（含）")
        figures.add_argument("--end", required=True, help="结束日期 YYYY-MM-DD（含）")
        figures.add_argument(
            "--by", default="kind", help="分组：kind（计时类型）、team（小组）、agent（处理人）"
        )
        figures.add_argument("--json", action="store_true", help="输出 JSON（与 API 相同）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "due":
            self._due(options)
        elif options["action"] == "scan":
            self._scan()
        elif options["action"] == "figures":
            self._figures(options)

    def _figures(self, options: dict[str, Any]) -> None:
        from aftersales.common.errors import ValidationFailed
        from aftersales.sla import figures

        try:
            period, by = figures.parse_request(options["start"], options["end"], options["by"])
        except ValidationFailed as exc:
            problems = "；".join(f"--{k}: {v}" for k, v in exc.fields.items())
            self.stderr.write(f"sla figures: {exc.message}：{problems}")
            sys.exit(2)
        result = figures.compliance(period=period, by=by)
        if options["json"]:
            self.stdout.write(json.dumps(_jsonable(result), ensure_ascii=False, indent=2))
            return
        self.stdout.write(_table(result))

    def _scan(self) -> None:
        import time

        from aftersales.sla.scan import sla_scan

        began = time.perf_counter()
        result = sla_scan()
        self.stdout.write(
            f"at_risk={result.at_risk} breached={result.breached} "
            f"notifications={result.notifications} seconds={time.perf_counter() - began:.3f}"
        )

    def _due(self, options: dict[str, Any]) -> None:
        text = options["start"]
        try:
            start = datetime.fromisoformat(text)
        except ValueError:
            self._fail(f"--start {text!r} 不是 ISO 8601 时间（例：2026-09-30T10:00:00+08:00）")
        if start.tzinfo is None:
            self._fail(f"--start {text!r} 缺少时区偏移量（例：+08:00 或 Z）")
        try:
            due = default_calendar().due(start, options["limit"], options["unit"])
        except CalendarError as exc:
            self._fail(str(exc))
        self.stdout.write(due.isoformat())
        if due.provisional:
            # stderr, so the one line on stdout stays what other tools read.
            self.stderr.write(f"sla due: 暂定（provisional）：{due.provisional_reason}")

    def _fail(self, message: str) -> NoReturn:
        self.stderr.write(f"sla due: {message}")
        sys.exit(2)


def _jsonable(result) -> dict[str, Any]:
    from dataclasses import asdict

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        if hasattr(value, "isoformat") or hasattr(value, "quantize"):
            return str(value)
        return value

    return plain(asdict(result))


def _table(result) -> str:
    """A plain-text table, columns padded for CJK (a Chinese character is two wide)."""
    from unicodedata import east_asian_width

    from aftersales.sla.figures import By

    def width(text: str) -> int:
        return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)

    def pad(text: str, n: int, right: bool = False) -> str:
        space = " " * max(0, n - width(text))
        return space + text if right else text + space

    def percent(rate) -> str:
        return "—" if rate is None else f"{rate * 100:.2f}%"

    header = [By(result.by).label, "代码", "总数", "达标", "超时", "未到期", "达标率"]
    lines = [
        [r.name, r.key, str(r.total), str(r.met), str(r.missed), str(r.pending), percent(r.rate)]
        for r in [*result.rows, result.overall]
    ]
    widths = [max(width(row[i]) for row in [header, *lines]) for i in range(len(header))]
    title = f"时限达标统计 {result.start:%Y-%m-%d} 至 {result.end:%Y-%m-%d}（截止时间，北京时间）"
    out = [title]
    for row in [header, *lines]:
        out.append("  ".join(pad(cell, widths[i], right=i >= 2) for i, cell in enumerate(row)))
    return "\n".join(out)
