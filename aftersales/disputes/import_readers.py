"""Readers for `aftersales import`: a file streamed as (line number, row) pairs, and the
few helpers the import formats share.

Line numbers are what a person sees: the physical line where a CSV record starts
(header = line 1), the spreadsheet row number in xlsx, the line in jsonl. A line that
cannot be read as a row (malformed JSON, shifted CSV cells) comes as a `BadLine` so
the import reports it like any other bad row. Problems with the file as a whole raise
`ImportFileError`.
"""

import codecs
import csv
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

# One derivation for the import and the orders API; importers import it from here.
from aftersales.parties.order_input import store_code_for  # noqa: F401

FORMATS = ("csv", "xlsx", "jsonl", "reviews")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_CHUNK = 1 << 20
csv.field_size_limit(16 * 1024 * 1024)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, wrong format)."""


class RowError(Exception):
    """One row cannot be imported; the message says why."""


@dataclass(frozen=True)
class BadLine:
    reason: str


Row = dict[str, Any] | BadLine


@dataclass
class Table:
    columns: list[str] | None  # None for jsonl: every object brings its own keys
    rows: Iterator[tuple[int, Row]]
    encoding: str = "utf-8"


def format_for(path: Path, given: str | None) -> str:
    if given:
        if given not in FORMATS:
            raise ImportFileError(
                _("不支持的格式“%(f)s”，可选：%(choices)s")
                % {"f": given, "choices": ", ".join(FORMATS)}
            )
        return given
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise ImportFileError(
            _("无法从扩展名“%(ext)s”判断文件格式，请用 --format 指定（%(choices)s）")
            % {"ext": path.suffix or "（无）", "choices": ", ".join(FORMATS)}
        )
    return fmt


@contextmanager
def open_table(path: Path, fmt: str) -> Iterator[Table]:
    if not path.is_file():
        raise ImportFileError(_("找不到文件：%(path)s") % {"path": path})
    try:
        if fmt in ("csv", "reviews"):
            encoding = detect_encoding(path)
            with path.open(encoding=encoding, newline="") as f:
                yield _csv_table(f, encoding)
        elif fmt == "xlsx":
            with _xlsx_table(path) as table:
                yield table
        else:
            with path.open("rb") as f:
                yield Table(columns=None, rows=_jsonl_rows(f))
    except PermissionError as exc:
        raise ImportFileError(_("无法读取文件：%(e)s") % {"e": exc}) from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("文件编码无法识别（支持 UTF-8 和 GB18030/GBK）")) from exc


def detect_encoding(path: Path) -> str:
    """UTF-8 (a BOM is tolerated); GB18030 — a superset of GBK, what Chinese platforms and
    Excel export — when the file is not valid UTF-8. The whole file is checked, in chunks,
    before any row is imported, so a bad byte on line 40,000 cannot half-import a file."""
    with path.open("rb") as f:
        if f.read(3) == codecs.BOM_UTF8:
            candidates = ["utf-8-sig"]
        else:
            candidates = ["utf-8", "gb18030"]
        for encoding in candidates:
            f.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                for chunk in iter(lambda: f.read(_CHUNK), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    raise ImportFileError(_("文件编码无法识别（支持 UTF-8 和 GB18030/GBK）"))


def _csv_table(f, encoding: str) -> Table:
    first = f.readline()
    f.seek(0)
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(f, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportFileError(_("表头无法解析：%(e)s") % {"e": exc}) from exc
    if not header or not any(h.strip() for h in header):
        raise ImportFileError(_("文件是空的或第 1 行没有表头"))
    columns = [h.strip() for h in header]
    return Table(columns=columns, rows=_csv_rows(reader, columns), encoding=encoding)


def _csv_rows(reader, columns: list[str]) -> Iterator[tuple[int, Row]]:
    width = len(columns)
    end = reader.line_num
    while True:
        start = end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(
                _("第 %(line)d 行附近无法解析：%(e)s") % {"line": reader.line_num, "e": exc}
            ) from exc
        end = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            yield (
                start,
                BadLine(
                    _(
                        "该行有 %(n)d 列，多于表头的 %(w)d 列"
                        "（内容里的逗号需要用英文双引号把整格括起来）"
                    )
                    % {"n": len(cells), "w": width}
                ),
            )
            continue
        yield start, dict(zip(columns, cells, strict=False))


@contextmanager
def _xlsx_table(path: Path) -> Iterator[Table]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ImportFileError(_("不是有效的 xlsx 文件：%(e)s") % {"e": exc}) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(_cell(h) for h in header):
            raise ImportFileError(_("工作表是空的或第 1 行没有表头"))
        columns = [_cell(h) for h in header]
        yield Table(columns=columns, rows=_xlsx_rows(rows, columns), encoding="xlsx")
    finally:
        workbook.close()


def _xlsx_rows(rows, columns: list[str]) -> Iterator[tuple[int, Row]]:
    # read_only sheets yield a row for every row number, empty ones included.
    for line, values in enumerate(rows, start=2):
        cells = [_cell(v) for v in values]
        if not any(c for c in cells):
            continue
        yield line, {c: v for c, v in zip(columns, cells, strict=False) if c}


def _cell(value: Any) -> Any:
    """Spreadsheet numbers as the text a person typed: 13812341234, not 13812341234.0;
    amounts as their shortest decimal, never a float (amounts refuse floats)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value
    return str(value).strip()


def _jsonl_rows(f) -> Iterator[tuple[int, Row]]:
    for line, raw in enumerate(f, start=1):
        try:
            text = raw.decode("utf-8-sig" if line == 1 else "utf-8")
        except UnicodeDecodeError:
            yield line, BadLine(_("该行不是 UTF-8 编码"))
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            yield line, BadLine(_("不是有效的 JSON：%(e)s") % {"e": exc.msg})
            continue
        if not isinstance(value, dict):
            yield line, BadLine(_("每行必须是一个 JSON 对象 {…}"))
            continue
        yield line, value
