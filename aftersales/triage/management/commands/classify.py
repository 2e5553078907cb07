"""aftersales classify [--batch-size N]

Reads JSON Lines from stdin, one `{"id": <any>, "text": <string>}` per line, and writes
one JSON line per input line, in order:
`{"id", "category", "categories", "severity", "escalation_risk", "confidence", "signals"}`,
or `{"id": <id or null>, "error": <message>}` for a line that cannot be classified.
Exits 0 unless stdin itself cannot be read. Other tools depend on this contract.
"""

import json
import sys
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftersales.triage.classifier import classify_many


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def parse_line(raw: bytes) -> tuple[Any, str | None, str | None]:
    """(id, text, error) for one input line; exactly one of text and error is set."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, None, "该行不是有效的 UTF-8 文本"
    line = line.rstrip("\r\n")
    if not line.strip():
        return None, None, "空行：每行应为一个 JSON 对象"
    try:
        obj = json.loads(line, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None, None, "不是合法的 JSON"
    if not isinstance(obj, dict):
        return None, None, '每行必须是 JSON 对象，形如 {"id": ..., "text": "..."}'
    ident = obj.get("id")
    if "text" not in obj:
        return ident, None, "缺少 text 字段"
    text = obj["text"]
    if not isinstance(text, str):
        return ident, None, "text 必须是字符串"
    return ident, text, None


def _dump(obj: dict[str, Any]) -> bytes:
    try:
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (escaped in the input) cannot be UTF-8: echo them escaped.
        return (json.dumps(obj, ensure_ascii=True) + "\n").encode("ascii")


class Command(BaseCommand):
    help = '从标准输入读取 JSON Lines（每行 {"id", "text"}），逐行输出分类结果'
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=512, help="每批分类的行数")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 必须是正整数")
        out = sys.stdout.buffer
        try:
            self.run(sys.stdin.buffer, out, options["batch_size"])
        except BrokenPipeError:
            # The reader went away (| head): nothing more to say to it.
            sys.stdout = None  # type: ignore[assignment]

    def run(self, stdin: BinaryIO, out: BinaryIO, batch_size: int) -> None:
        batch: list[bytes] = []
        while True:
            try:
                raw = stdin.readline()
            except OSError as exc:
                raise CommandError(f"无法读取标准输入：{exc}") from exc
            if raw:
                batch.append(raw)
            if batch and (len(batch) >= batch_size or not raw):
                out.write(b"".join(_dump(r) for r in classify_batch(batch)))
                out.flush()
                batch = []
            if not raw:
                return


def classify_batch(lines: list[bytes]) -> list[dict[str, Any]]:
    parsed = [parse_line(raw) for raw in lines]
    todo = [i for i, (_, text, _) in enumerate(parsed) if text is not None]
    results: dict[int, dict[str, Any]] = {}
    try:
        for i, r in zip(todo, classify_many([parsed[i][1] for i in todo]), strict=True):
            results[i] = r.as_dict()
    except Exception:
        # One bad text must not cost the batch: classify one by one and report that one.
        for i in todo:
            try:
                results[i] = classify_many([parsed[i][1]])[0].as_dict()
            except Exception as exc:
                results[i] = {"error": f"无法分类：{type(exc).__name__}"}
    rows = []
    for i, (ident, _, error) in enumerate(parsed):
        if error is not None:
            rows.append({"id": ident, "error": error})
        else:
            rows.append({"id": ident} | results[i])
    return rows
