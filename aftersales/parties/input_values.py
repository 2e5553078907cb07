"""Loose values (JSON, a CSV cell) read into exact ones — text, codes, money in yuan,
integers, times, dates, flags — with a message per bad field instead of an exception,
so that every problem of a request is reported at once. Pure: no database."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from aftersales.common.money import InvalidAmount, parse_yuan

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Times outside these years are typing mistakes (and year 1 overflows a UTC conversion).
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=SHANGHAI)
LATEST = dt.datetime(2100, 1, 1, tzinfo=SHANGHAI)


class ValueReader:
    """Reads loose JSON-like values, collecting a message per bad field path."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, message)

    # -- values ------------------------------------------------------------------------

    def text(self, data: Mapping, key: str, path: str, limit: int, *, required: str = "") -> str:
        raw = data.get(key)
        if raw is None:
            value = ""
        elif isinstance(raw, int) and not isinstance(raw, bool):
            value = str(raw)  # an order number sent as a JSON number
        elif isinstance(raw, str):
            value = raw.strip()
        else:
            self.fail(path, _("应为字符串"))
            return ""
        if not value and required:
            self.fail(path, required)
        elif len(value) > limit:
            self.fail(path, _("不能超过 %(max)d 个字符") % {"max": limit})
            return ""
        return value

    def code(self, data: Mapping, key: str, path: str, choices: tuple[str, ...]) -> str:
        value = self.text(data, key, path, 50)
        if value and value not in choices:
            self.fail(
                path,
                _("未知的取值“%(value)s”，可选：%(choices)s")
                % {"value": value, "choices": ", ".join(choices)},
            )
            return ""
        return value

    def money(self, raw: Any, path: str, *, required: bool) -> Decimal | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.fail(path, _('请填写金额，例如 "329.00"'))
            return None
        if isinstance(raw, bool | int | float):
            # A JSON number may already have lost its fen (0.1 + 0.2); amounts travel as
            # decimal strings, as everywhere in the API.
            self.fail(path, _('金额须写成字符串，例如 "329.00"，不能是数字'))
            return None
        try:
            return parse_yuan(raw)
        except InvalidAmount as exc:
            self.fail(
                path,
                {
                    "negative": _("金额不能为负数"),
                    "too_large": _("金额过大"),
                    "too_precise": _("金额最多保留两位小数（精确到分）"),
                }.get(exc.reason, _('金额必须是数字，例如 "199.00"')),
            )
            return None

    def integer(self, raw: Any, path: str, *, low: int, high: int) -> int | None:
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw.strip())
        if isinstance(raw, Decimal) and raw == raw.to_integral_value():
            raw = int(raw)
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.fail(path, _("应为整数"))
            return None
        if raw < low:
            self.fail(path, _("不能小于 %(limit)s") % {"limit": low})
            return None
        if raw > high:
            self.fail(path, _("不能大于 %(limit)s") % {"limit": high})
            return None
        return raw

    def moment(self, raw: Any, path: str) -> dt.datetime | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            value = _datetime(raw)
        except (TypeError, ValueError):
            self.fail(path, _("时间格式不正确，请使用 ISO 8601，例如 2026-11-28T10:00:00+08:00"))
            return None
        if not EARLIEST <= value < LATEST:
            self.fail(path, _("时间应在 %(a)d 年到 %(b)d 年之间") % {"a": 2000, "b": 2099})
            return None
        return value

    def day(self, raw: Any, path: str) -> tuple[dt.date | None, dt.datetime | None]:
        """A signing date, and the exact time when a time of day was given."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None, None
        if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
            value: dt.date = raw
        elif isinstance(raw, str) and len(raw.strip()) <= 10:
            try:
                value = dt.date.fromisoformat(raw.strip().replace("/", "-"))
            except ValueError:
                self.fail(path, _("日期格式不正确，例如 2026-11-30"))
                return None, None
        else:
            try:
                moment = _datetime(raw)
            except (TypeError, ValueError):
                self.fail(path, _("日期格式不正确，例如 2026-11-30"))
                return None, None
            if not EARLIEST <= moment < LATEST:
                self.fail(path, _("时间应在 %(a)d 年到 %(b)d 年之间") % {"a": 2000, "b": 2099})
                return None, None
            return moment.astimezone(SHANGHAI).date(), moment
        if not EARLIEST.date() <= value < LATEST.date():
            self.fail(path, _("时间应在 %(a)d 年到 %(b)d 年之间") % {"a": 2000, "b": 2099})
            return None, None
        return value, None

    def flag(self, raw: Any, path: str) -> bool | None:
        if raw is None:
            return None
        if not isinstance(raw, bool):
            self.fail(path, _("应为 true 或 false"))
            return None
        return raw


def _datetime(raw: Any) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time())
    elif isinstance(raw, str):
        value = dt.datetime.fromisoformat(raw.strip().replace("/", "-"))
    else:
        raise TypeError(type(raw).__name__)
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value
