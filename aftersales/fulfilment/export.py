"""Work lists as XLSX for the finance and logistics teams (openpyxl): Chinese headers in
the words the ERPs use (conventions.md: 投诉编号, 售后单号, 售后类型, 内部状态, 平台状态,
应退金额, 实退金额, 退款渠道, 流水号, 预计到账 …), amounts as numbers with two decimals
(so the sheet sums them), times in Asia/Shanghai without a zone (Excel has none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.utils import timezone

MONEY_FORMAT = "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str  # the row's key
    header: str  # 中文表头
    kind: str = "text"  # text | money | time | int
    width: int = 16


def _cell_value(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "money":
        return float(Decimal(str(value)).quantize(Decimal("0.01")))
    if kind == "time":
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.replace(tzinfo=None)
        return value
    if kind == "int":
        return int(value)
    return str(value)


def workbook_bytes(
    title: str, columns: Sequence[Column], rows: Iterable[Mapping[str, object]]
) -> bytes:
    """One sheet named `title`: a header row, then a row per item; frozen header,
    filters on."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        sheet.append([_cell_value(row.get(c.key), c.kind) for c in columns])
        count += 1
        for index, column in enumerate(columns, start=1):
            if column.kind in ("money", "time"):
                cell = sheet.cell(row=count + 1, column=index)
                cell.number_format = MONEY_FORMAT if column.kind == "money" else TIME_FORMAT
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = BytesIO()
    book.save(out)
    return out.getvalue()


_COMMON = (
    Column("dispute", "投诉编号", width=20),
    Column("number", "售后单号", width=22),
    Column("type_label", "售后类型", width=14),
    Column("state_label", "内部状态", width=14),
    Column("platform_status_label", "平台状态", width=18),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "payouts": (
        *_COMMON,
        Column("amount", "应退金额", "money", 12),
        Column("paid_amount", "实退金额", "money", 12),
        Column("payment_channel_label", "退款渠道", width=14),
        Column("reference", "流水号", width=24),
        Column("paid_at", "打款时间", "time", 18),
        Column("payout_state_label", "打款状态", width=10),
        Column("bounce_reason", "退回原因", width=24),
        Column("expected_from", "预计最早到账", "time", 18),
        Column("expected_by", "预计到账", "time", 18),
        Column("finance_due_at", "财务时限", "time", 18),
        Column("overdue_label", "是否逾期", width=10),
    ),
    "returns": (
        *_COMMON,
        Column("carrier", "退货物流公司", width=14),
        Column("tracking_no", "退货物流单号", width=22),
        Column("shipped_at", "寄出时间", "time", 18),
        Column("last_movement_at", "最近物流更新", "time", 18),
        Column("last_movement", "最近物流信息", width=30),
        Column("quiet_days", "无更新天数", "int", 10),
    ),
    "shipments": (
        *_COMMON,
        Column("replacement", "换货/补发商品", width=24),
        Column("product", "商品", width=24),
        Column("quantity", "数量", "int", 8),
        Column("waiting_since", "待发货起始", "time", 18),
        Column("deadline_at", "约定完成期限", "time", 18),
    ),
    "insurance": (
        *_COMMON,
        Column("amount", "应退金额", "money", 12),
        Column("insurance_expected_by", "运费险预计理赔时间", "time", 20),
        Column("insurance_amount", "运费险理赔金额", "money", 14),
        Column("insurance_paid_at", "运费险理赔时间", "time", 18),
        Column("insurance_reference", "理赔单号", width=22),
        Column("missing_label", "是否逾期未赔", width=12),
    ),
}

TITLES = {
    "payouts": "打款清单",
    "returns": "待收退货",
    "shipments": "待发货",
    "insurance": "运费险理赔",
}


def worklist_xlsx(worklist: str, rows: Iterable[Mapping[str, object]]) -> bytes:
    return workbook_bytes(TITLES[worklist], COLUMNS[worklist], rows)
