"""The rows of the queue table, written once per page in Python (as Django admin's change
list writes its rows): a page of 50 rows has some 700 cells, and the template engine
resolving, localising and escaping a variable in each, translating a code's label per
cell (`get_FOO_display`) and reversing an address per row spent most of the page's time.
What does not change between rows — the labels of a language, each cell's phone-layout
caption (`data-label`) — is translated and escaped once per language and process; every
value of a row is escaped where it is placed (`e`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Channel, Dispute
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.sla.sources import Clock

# What a row reads (not the description and the search columns: the widest of the table).
ROW_COLUMNS = (
    *("number", "version", "is_open", "duplicate_of_id", "status", "category", "severity"),
    *("channel", "product_name", "confidence", "needs_review", "received_at", "due_at"),
    *("severity_rank", "customer__phone", "team__name"),
    *("assignee__username", "assignee__first_name", "assignee__last_name"),
)
_NUMBER = "SH00000000000000"


def e(value) -> str:
    """Escaped for HTML text and attributes: what Django's `escape` does (the standard
    library's, quotes included), without its per-call laziness checks: 50 rows make
    some 1,000 calls."""
    return escape(str(value), quote=True)  # any number: the address pattern is reversed once a page


@dataclass(frozen=True)
class Labels:
    """What a queue page's rows say, in one language."""

    status: dict[str, str]
    category: dict[str, str]
    severity: dict[str, str]
    channel: dict[str, str]
    cells: tuple[SafeString, ...]  # '<td data-label="…"' of each column, in order
    pick: str  # "选择 %(number)s": the row's checkbox, to a screen reader
    due: str  # "截止 %(due)s"
    duplicate: SafeString
    nobody: SafeString
    paused: SafeString
    no_clock: SafeString
    review: SafeString


@lru_cache(maxsize=8)
def _labels(language: str | None) -> Labels:
    def of(choices) -> dict[str, str]:
        return {value: str(label) for value, label in choices}

    columns = (
        _("选择"),
        _("投诉编号"),
        _("状态"),
        _("分类"),
        _("严重程度"),
        _("渠道"),
        _("顾客"),
        _("商品"),
        _("处理人"),
        _("小组"),
        _("时限"),
        _("分类置信度"),
        _("受理时间"),
    )
    return Labels(
        status=of(Status.choices),
        category=of(Category.choices),
        severity=of(Severity.choices),
        channel=of(Channel.choices),
        cells=tuple(format_html('<td data-label="{}"', c) for c in columns),
        pick=_("选择 %(number)s"),
        due=_("截止 %(due)s"),
        duplicate=format_html(' <span class="muted">{}</span>', _("疑似重复")),
        nobody=format_html('<span class="muted">{}</span>', _("未分派")),
        paused=format_html('<span class="paused">{}</span>', _("已暂停（等待顾客）")),
        no_clock=format_html('<span class="muted">{}</span>', _("无计时")),
        review=format_html(' <span class="review">{}</span>', _("待复核")),
    )


def labels() -> Labels:
    """The labels in the active language (translated once per language and process)."""
    return _labels(get_language())


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _clock(clock: Clock | None, shown: Labels) -> str:
    """The 时限 cell's content: the most urgent live clock (sla.sources.Clock), its live
    countdown (static/workbench: <time data-due>), its source and due time."""
    if clock is None:
        return shown.no_clock
    due = _local(clock.due_at)
    if clock.state == "paused":
        state = shown.paused
    else:
        state = (
            f'<time datetime="{e(due.isoformat())}" data-due '
            f'data-risk-minutes="{e(clock.risk_minutes or 60)}" class="{e(clock.css)}">'
            f'<span class="left">{e(clock.left)}</span></time>'
        )
    return (
        f'<span class="clock-name">{e(clock.name)}</span>\n{state}\n'
        f'<span class="source">{e(clock.source)}</span>\n'
        f'<span class="due muted">{e(shown.due % {"due": due.strftime("%m-%d %H:%M")})}</span>'
    )


def _pick(d: Dispute, shown: Labels, *, picked: bool) -> str:
    if not d.is_open:
        return '<span class="muted">—</span>'
    number = e(d.number)
    return (
        f'<input type="checkbox" name="pick" value="{number}:{e(d.version)}" form="bulk" '
        f'id="pick-{number}"{" checked" if picked else ""}>'
        f'<label for="pick-{number}" class="sr-only">{e(shown.pick % {"number": d.number})}</label>'
    )


def row_html(
    d: Dispute, shown: Labels, *, address: str, bulk: bool, can_assign: bool, picked: bool
) -> SafeString:
    """One <tr> of the queue; `d` carries `.clock` (sla.sources.queue_rows). Every value
    is escaped here (`e`); the pieces of `shown` are escaped already."""
    cell = shown.cells
    number = e(d.number)
    person = (d.assignee.get_full_name() or d.assignee.username) if d.assignee else ""
    pick_attr = f' data-pick="{number}:{e(d.version)}"' if can_assign and d.is_open else ""
    pick = f'{cell[0]} class="pick">{_pick(d, shown, picked=picked)}</td>\n' if bulk else ""
    url = e(address.replace(_NUMBER, quote(d.number, safe="")))
    confidence = (
        f"{round(float(d.confidence) * 100)}%"
        if d.confidence is not None
        else '<span class="muted">—</span>'
    )
    return mark_safe(
        f'<tr data-number="{number}"{pick_attr}>\n{pick}'
        f'{cell[1]}><a class="open" href="{url}">{number}</a>'
        f"{shown.duplicate if d.duplicate_of_id else ''}</td>\n"
        f"{cell[2]}>{e(shown.status.get(d.status, d.status))}</td>\n"
        f"{cell[3]}>{e(shown.category.get(d.category, d.category))}</td>\n"
        f'{cell[4]} class="sev-{e(d.severity)}">'
        f"{e(shown.severity.get(d.severity, d.severity))}</td>\n"
        f"{cell[5]}>{e(shown.channel.get(d.channel, d.channel))}</td>\n"
        f"{cell[6]}>{e(d.customer.masked_phone)}</td>\n"
        f"{cell[7]}>{e(d.product_name or '—')}</td>\n"
        f"{cell[8]}>{e(person) if person else shown.nobody}</td>\n"
        f"{cell[9]}>{e((d.team.name if d.team else '') or '—')}</td>\n"
        f'{cell[10]} class="clock">{_clock(d.clock, shown)}</td>\n'
        f"{cell[11]}>{confidence}{shown.review if d.needs_review else ''}</td>\n"
        f"{cell[12]}>{e(_local(d.received_at).strftime('%Y-%m-%d %H:%M'))}</td>\n</tr>"
    )


def rows_html(
    disputes: list[Dispute], *, bulk: bool, can_assign: bool, picked: set[str]
) -> list[SafeString]:
    """The <tr> of each dispute of a queue page, in order."""
    shown = labels()
    address = reverse("workbench:dispute_detail", args=[_NUMBER])
    return [
        row_html(
            d,
            shown,
            address=address,
            bulk=bulk,
            can_assign=can_assign,
            picked=d.number in picked,
        )
        for d in disputes
    ]
