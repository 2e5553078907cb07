"""Lifecycle refusals turned into messages a person can act on, in the active language."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, DomainError, ValidationFailed

from . import lifecycle
from .lifecycle import Action, Owner, Status

# Where each door is, named in the refusal of an action asked for at another one (the
# customer's portal owns no action, so it is never the one named).
DOOR_ENDPOINTS: dict[Owner | None, str] = {
    None: "POST /api/v1/disputes/%(number)s/actions",
    Owner.PROPOSAL_SEND: "POST /api/v1/disputes/%(number)s/proposals/{id}/send",
    Owner.CUSTOMER_ACCEPTANCE: "POST /api/v1/disputes/%(number)s/proposals/{id}/accept",
    Owner.ESCALATION_FILE: "POST /api/v1/disputes/%(number)s/escalations",
    # Renegotiate: applied by the system when an after-sale order fails.
    Owner.FULFILMENT: (
        "POST /api/v1/disputes/%(number)s/aftersale-orders/{order}/inspection"
        " | /out-of-stock | /repair"
    ),
}


def status_label(status: Status | str) -> str:
    return str(Status(status).label)


def _allowed_text(allowed: list[Action]) -> str:
    if not allowed:
        return _("无（投诉已结束）")
    if (get_language() or "").startswith("en"):
        return ", ".join(a.value for a in allowed)
    return "、".join(f"{a.value}（{a.label}）" for a in allowed)


def lifecycle_error(exc: lifecycle.LifecycleError, *, number: str = "{number}") -> DomainError:
    """`number`: the dispute's, for the endpoint a refusal names."""
    if isinstance(exc, lifecycle.UnknownAction):
        return ValidationFailed(
            _("未知的操作“%(action)s”，可选：%(choices)s")
            % {"action": exc.action, "choices": ", ".join(a.value for a in Action)},
            code="unknown_action",
            fields={"action": _("未知的操作")},
        )
    if isinstance(exc, lifecycle.ActionNotAllowed):
        return Conflict(
            _("当前状态“%(status)s”下不能执行“%(action)s”；允许的操作：%(allowed)s")
            % {
                "status": status_label(exc.status),
                "action": exc.action.value,
                "allowed": _allowed_text(exc.allowed),
            },
            code="action_not_allowed",
            extra={"allowed_actions": [a.value for a in exc.allowed]},
        )
    if isinstance(exc, lifecycle.ActionOwned):
        return _action_owned(exc, number)
    assert isinstance(exc, lifecycle.GuardRefused)
    refusal = exc.refusal
    if refusal.code == "investigation_incomplete":
        return _investigation_incomplete(refusal)
    if refusal.code.startswith("confirmation_"):
        return _withdrawal_refused(refusal)
    choices = ", ".join(refusal.params.get("choices", []))
    messages = {
        "reason_required": _("执行“%(action)s”必须填写原因") % {"action": exc.action.value},
        "route_required": _("请选择升级途径，可选：%(choices)s") % {"choices": choices},
        "route_invalid": _("未知的升级途径，可选：%(choices)s") % {"choices": choices},
        "ground_invalid": _("未知的不予受理理由，可选：%(choices)s") % {"choices": choices},
        "closing_record_required": _(
            "结案需要顾客确认（customer_confirmed=true）或回访记录（satisfaction 1-5 与 resolved）"
        ),
        "satisfaction_invalid": _("满意度必须是 1 到 5 的整数"),
        "reopen_not_requested": _(
            "已结案的投诉只在顾客申请重新打开（结案后 30 天内留言）时才能重新打开"
        ),
        "follow_up_unsatisfied": _(
            "回访显示顾客不满意或问题未解决，应重新打开（reopen）而不是结案"
        ),
    }
    message = messages.get(refusal.code, refusal.code)
    field = refusal.field or "action"
    return ValidationFailed(message, code=refusal.code, fields={field: message})


def _investigation_incomplete(refusal: lifecycle.Refusal) -> DomainError:
    """A complex or major dispute proposed before its case meeting or responsibility
    finding: say which is missing."""
    labels = {"case_meeting": _("案件会议"), "responsibility": _("责任认定")}
    severity = {"complex": _("复杂"), "major": _("重大")}[refusal.params["severity"]]
    message = _(
        "%(severity)s投诉须先召开案件会议并作出责任认定，才能提出调解方案；尚缺：%(missing)s"
    ) % {
        "severity": severity,
        "missing": "、".join(labels[m] for m in refusal.params["missing"]),
    }
    return ValidationFailed(
        message,
        code=refusal.code,
        fields={"action": message},
        extra={"missing": list(refusal.params["missing"])},
    )


def _action_owned(exc: lifecycle.ActionOwned, number: str) -> DomainError:
    """An action asked for at a door that may not apply it: name the one that does."""
    endpoint = DOOR_ENDPOINTS[exc.owner] % {"number": number}
    action = exc.action.value
    if exc.owner == Owner.PROPOSAL_SEND:
        message = _("“%(action)s”只能通过发送调解方案执行（审批齐全后发送给顾客）：%(endpoint)s")
    elif exc.owner == Owner.CUSTOMER_ACCEPTANCE:
        message = _("“%(action)s”只能由顾客接受调解方案时执行（顾客凭方案链接确认）：%(endpoint)s")
    elif exc.owner == Owner.ESCALATION_FILE:
        message = _(
            "“%(action)s”只能通过登记外部途径执行（同时记录升级途径、法务任务和外部时限）："
            "%(endpoint)s"
        )
    elif exc.owner == Owner.FULFILMENT:
        message = _(
            "“%(action)s”由系统根据售后单的执行情况自动执行（售后单未能执行时退回调解，"
            "已完成的售后单重新打开时恢复执行）：%(endpoint)s"
        )
    else:
        message = _("“%(action)s”须通过生命周期操作接口执行：%(endpoint)s")
    return Conflict(
        message % {"action": action, "endpoint": endpoint},
        code="action_owned",
        extra={"endpoint": endpoint, "owner": exc.owner.value if exc.owner else None},
    )


def _withdrawal_refused(refusal: lifecycle.Refusal) -> DomainError:
    """What a withdrawal's confirmation (disputes.withdrawal) lacks, on its field."""
    params = refusal.params
    choices = ", ".join(params.get("choices", []))
    messages = {
        "confirmation_required": _(
            "顾客撤回须附顾客本人的确认（confirmation），确认方式可选：%(choices)s"
        )
        % {"choices": choices},
        "confirmation_method_invalid": _("未知的确认方式，可选：%(choices)s")
        % {"choices": choices},
        "confirmation_customer_only": _(
            "portal（门户点击）和 code（验证码）只能由顾客本人在顾客门户中确认；"
            "客服只能记录 staff_note（注明渠道和时间）"
        ),
        "confirmation_channel_invalid": _("请注明顾客通过什么渠道确认撤回，可选：%(choices)s")
        % {"choices": choices},
        "confirmation_at_invalid": _(
            "请填写顾客确认撤回的时间，带时区的 ISO 8601 格式，如 2026-12-04T10:00:00+08:00"
        ),
        "confirmation_at_future": _("顾客确认撤回的时间不能晚于现在"),
        "confirmation_at_before_intake": _("顾客确认撤回的时间不能早于投诉受理时间"),
        "confirmation_note_invalid": _("确认说明须为文字，不超过 %(max)s 个字符")
        % {"max": params.get("max", "")},
    }
    message = messages[refusal.code]
    return ValidationFailed(
        message, code=refusal.code, fields={refusal.field or "confirmation": message}
    )
