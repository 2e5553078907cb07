"""Lifecycle refusals turned into messages a person can act on, in the active language."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, DomainError, ValidationFailed

from . import lifecycle
from .lifecycle import ACTION_LABELS, STATUS_LABELS, STATUS_LABELS_EN, Action, Status


def status_label(status: Status | str) -> str:
    labels = STATUS_LABELS_EN if (get_language() or "").startswith("en") else STATUS_LABELS
    return labels[Status(status)]


def _allowed_text(allowed: list[Action]) -> str:
    if not allowed:
        return _("无（投诉已结束）")
    if (get_language() or "").startswith("en"):
        return ", ".join(a.value for a in allowed)
    return "、".join(f"{a.value}（{ACTION_LABELS[a]}）" for a in allowed)


def lifecycle_error(exc: lifecycle.LifecycleError) -> DomainError:
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
    assert isinstance(exc, lifecycle.GuardRefused)
    refusal = exc.refusal
    if refusal.code == "investigation_incomplete":
        return _investigation_incomplete(refusal)
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
