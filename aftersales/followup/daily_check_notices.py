"""The daily check told to people: the readable report of one agent's lists (for the
CLI and the inbox), and the service that puts it in each agent's inbox every morning."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff

from .daily_checks import AgentCheck, daily_checks, parcel_stale_days

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _when(at: dt.datetime | None) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if at else _("无记录")


def _late(hours: int) -> str:
    if hours >= 24:
        return _("%(n)d 天") % {"n": hours // 24}
    return _("%(n)d 小时") % {"n": max(hours, 1)}


def summary(check: AgentCheck) -> str:
    text = _(
        "物流异常 %(parcels)d，逾期售后单 %(orders)d，退款未确认到账 %(refunds)d，"
        "换货未发货 %(exchanges)d，运费险未理赔 %(insurance)d，到期承诺 %(commitments)d，"
        "未跟进投诉 %(disputes)d"
    ) % {
        "parcels": len(check.stale_parcels),
        "orders": len(check.late_executions),
        "refunds": len(check.unconfirmed_refunds),
        "exchanges": len(check.unshipped_exchanges),
        "insurance": len(check.missing_insurance_payouts),
        "commitments": len(check.due_commitments),
        "disputes": len(check.untouched_disputes),
    }
    if check.failed_messages:
        text += _("，消息发送失败 %(n)d") % {"n": len(check.failed_messages)}
    return text


def _order_lines(check: AgentCheck) -> list[str]:
    """The after-sale order lists: late orders, refunds not confirmed arrived, exchanges
    not shipped, 运费险 payouts missing."""
    lines: list[str] = []
    if check.late_executions:
        lines.append(
            _("逾期未完成的售后单（退款、退货、换货等）：%(n)d 件")
            % {"n": len(check.late_executions)}
        )
        lines += [
            "  "
            + _(
                "%(number)s 售后单 %(order)s %(kind)s%(amount)s（%(state)s），"
                "预计 %(at)s 完成，已逾期 %(late)s"
            )
            % {
                "number": e.number,
                "order": e.aftersale_order,
                "kind": e.kind_label,
                "amount": f" ¥{e.amount}" if e.amount is not None else "",
                "state": e.state_label or e.state,
                "at": _when(e.expected_by),
                "late": _late(e.late_hours),
            }
            for e in check.late_executions
        ]
    if check.unconfirmed_refunds:
        lines.append(
            _("已打款但过了预计到账时间、未确认到账的退款：%(n)d 件")
            % {"n": len(check.unconfirmed_refunds)}
        )
        lines += [
            "  "
            + _(
                "%(number)s 售后单 %(order)s %(kind)s ¥%(amount)s，%(paid)s 打款，"
                "预计 %(at)s 前到账，已超过 %(late)s，请向顾客确认"
            )
            % {
                "number": r.number,
                "order": r.aftersale_order,
                "kind": r.kind_label,
                "amount": r.amount,
                "paid": _when(r.paid_at),
                "at": _when(r.expected_by),
                "late": _late(r.late_hours),
            }
            for r in check.unconfirmed_refunds
        ]
    if check.unshipped_exchanges:
        lines.append(_("换货商品未发出：%(n)d 件") % {"n": len(check.unshipped_exchanges)})
        lines += [
            "  "
            + _(
                "%(number)s 售后单 %(order)s%(item)s，%(since)s 起待发货（%(days)d 天），"
                "约定期限 %(deadline)s"
            )
            % {
                "number": x.number,
                "order": x.aftersale_order,
                "item": f" {x.replacement}" if x.replacement else "",
                "since": _when(x.waiting_since),
                "days": x.waiting_days,
                "deadline": _when(x.deadline_at),
            }
            for x in check.unshipped_exchanges
        ]
    if check.missing_insurance_payouts:
        lines.append(_("运费险逾期未理赔：%(n)d 件") % {"n": len(check.missing_insurance_payouts)})
        lines += [
            "  "
            + _("%(number)s 售后单 %(order)s，预计 %(at)s 前理赔，已逾期 %(late)s")
            % {
                "number": m.number,
                "order": m.aftersale_order,
                "at": _when(m.expected_by),
                "late": _late(m.late_hours),
            }
            for m in check.missing_insurance_payouts
        ]
    return lines


def check_lines(check: AgentCheck, *, stale_days: int | None = None) -> list[str]:
    """The lists as lines of text: a heading per non-empty list, one line per item with
    the dispute number and what is late."""
    days = parcel_stale_days() if stale_days is None else stale_days
    lines: list[str] = []
    if check.stale_parcels:
        lines.append(
            _("物流异常（%(days)d 天以上无物流更新）：%(n)d 件")
            % {"days": days, "n": len(check.stale_parcels)}
        )
        lines += [
            "  "
            + _(
                "%(number)s %(direction)s %(carrier)s %(tracking_no)s，"
                "最近更新 %(at)s，已 %(quiet)d 天无更新"
            )
            % {
                "number": p.number,
                "direction": p.direction_label,
                "carrier": p.carrier,
                "tracking_no": p.tracking_no,
                "at": _when(p.last_movement_at),
                "quiet": p.quiet_days,
            }
            for p in check.stale_parcels
        ]
    lines += _order_lines(check)
    if check.due_commitments:
        lines.append(_("今日到期或逾期未兑现的承诺：%(n)d 件") % {"n": len(check.due_commitments)})
        lines += [
            "  "
            + _("%(number)s “%(text)s”，期限 %(at)s（%(state)s）")
            % {
                "number": c.number,
                "text": c.text,
                "at": _when(c.due_at),
                "state": _("已逾期") if c.overdue else _("今日到期"),
            }
            for c in check.due_commitments
        ]
    if check.untouched_disputes:
        lines.append(
            _("超过 24 小时无人跟进的投诉：%(n)d 件") % {"n": len(check.untouched_disputes)}
        )
        lines += [
            "  "
            + _("%(number)s %(status)s，最近处理 %(at)s")
            % {"number": d.number, "status": d.status_label, "at": _when(d.last_touched_at)}
            for d in check.untouched_disputes
        ]
    if check.failed_messages:
        lines.append(_("消息发送失败（顾客未收到）：%(n)d 条") % {"n": len(check.failed_messages)})
        lines += [
            "  "
            + _("%(number)s %(channel)s“%(subject)s”，%(at)s %(failure)s：%(detail)s")
            % {
                "number": f.number,
                "channel": f.channel_label,
                "subject": f.subject,
                "at": _when(f.attempted_at),
                "failure": f.failure_label,
                "detail": f.failure_detail or "—",
            }
            for f in check.failed_messages
        ]
    return lines


@transaction.atomic
def daily_check_notify(*, now: dt.datetime | None = None) -> list[Notification]:
    """One inbox notification per agent whose lists are not empty (e-mailed after commit
    by the notification task). Once per agent per Shanghai day: an agent already told
    today is not told again, so re-running the morning's task changes nothing. The
    agents' rows are locked first, so two runs at once cannot both tell the same agent."""
    now = now or timezone.now()
    checks = [c for c in daily_checks(now=now) if c.total]
    if not checks:
        return []
    start_of_day = dt.datetime.combine(
        now.astimezone(SHANGHAI).date(), dt.time(0, 0), tzinfo=SHANGHAI
    )
    users = dict(
        get_user_model()
        .objects.select_for_update()
        .filter(username__in=[c.username for c in checks])
        .order_by("pk")
        .values_list("username", "pk")
    )
    told = set(
        Notification.objects.filter(
            kind=Notification.Kind.DAILY_CHECK,
            recipient_id__in=users.values(),
            created_at__gte=start_of_day,
        ).values_list("recipient_id", flat=True)
    )
    day = now.astimezone(SHANGHAI).strftime("%Y-%m-%d")
    notes = [
        Notification(
            recipient_id=users[c.username],
            kind=Notification.Kind.DAILY_CHECK,
            title=(
                _("每日主动检查（%(day)s）：%(n)d 项待跟进") % {"day": day, "n": c.total}
                + " — "
                + summary(c)
            )[:200],
            body="\n".join(check_lines(c)),
            created_at=now,
        )
        for c in checks
        if c.username in users and users[c.username] not in told
    ]
    return notify_staff(notes)
