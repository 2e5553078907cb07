"""aftersales entitlements [--holiday-extension]

Reads JSON Lines from stdin, one case's facts per line, and writes one JSON line per input
line, in order: `{"id", "entitlements": [{"remedy", "basis", "amount", "shipping_paid_by",
"merchant_deadline_days"}], "notes": [...]}`, or `{"id": <id or null>, "error": <message>}`
for a line that cannot be evaluated (blank lines included, as in `aftersales classify`).
Exits 0 unless stdin itself cannot be read. Other tools depend on this contract; it is
described in docs/entitlements.md.
"""

import json
import sys
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.mediation.entitlements import evaluate_line


def answer(raw: bytes, *, holiday_extension: bool = False) -> dict[str, Any]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"id": None, "error": "该行不是有效的 UTF-8 文本"}
    try:
        return evaluate_line(line.rstrip("\r\n"), holiday_extension=holiday_extension)
    except Exception as exc:  # one line must never cost the rest of the stream
        return {"id": None, "error": f"无法评估：{type(exc).__name__}"}


def _dump(obj: dict[str, Any]) -> bytes:
    try:
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (escaped in the input) cannot be UTF-8: echo them escaped.
        return (json.dumps(obj, ensure_ascii=True) + "\n").encode("ascii")


class Command(BaseCommand):
    help = "从标准输入读取 JSON Lines（每行一个案件的事实），逐行输出法定权益及其法律依据"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--holiday-extension",
            action="store_true",
            help="七日无理由退货期限最后一日为法定休假日时，按民法典第二百零三条顺延（默认不顺延）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.run(sys.stdin.buffer, sys.stdout.buffer, options["holiday_extension"])
        except BrokenPipeError:
            # The reader went away (| head): nothing more to say to it.
            sys.stdout = None  # type: ignore[assignment]

    def run(self, stdin: BinaryIO, out: BinaryIO, holiday_extension: bool) -> None:
        while True:
            try:
                raw = stdin.readline()
            except OSError as exc:
                raise CommandError(f"无法读取标准输入：{exc}") from exc
            if not raw:
                return
            out.write(_dump(answer(raw, holiday_extension=holiday_extension)))
            out.flush()
