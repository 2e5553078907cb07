"""Staff told about mediation in their inbox (and by e-mail in the background, like every
notification): a proposal waiting for someone's approval, and the customer's answer to
a proposal (accepted, rejected, countered). Called inside the services' transactions;
`notify_staff` e-mails after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from aftersales.disputes.models import Dispute
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff
from aftersales.parties.roles import Role

from . import authority
from .models import Proposal, ProposalRevision, ProposalState
from .remedies import RemedyCode

S = ProposalState


def _users_with(role: Role) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=role.value)
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


def approvers_for(dispute: Dispute, requirement: authority.Requirement) -> list[int]:
    """Who is asked for one approval: the dispute's own team lead for a team-lead step,
    else everyone holding the role (supervisors, management, legal)."""
    if requirement.role == Role.TEAM_LEAD and dispute.team_id is not None:
        lead_id = dispute.team.lead_id
        if lead_id is not None:
            return [lead_id]
    return _users_with(requirement.role)


def _notes(recipients: Iterable[int | None], *, skip: int | None, **fields) -> list[Notification]:
    return [
        Notification(recipient_id=user_id, **fields)
        for user_id in dict.fromkeys(r for r in recipients if r)
        if user_id != skip
    ]


def tell_approvers(
    *,
    dispute: Dispute,
    proposal: Proposal,
    revision: ProposalRevision,
    requirements: Iterable[authority.Requirement],
    at: dt.datetime,
) -> list[Notification]:
    """A revision needs approval: each outstanding step's approvers are told, except its
    author (who may not approve their own)."""
    notes: list[Notification] = []
    for req in requirements:
        if req.why == authority.Why.BELOW_MINIMUM:
            why = _("低于法定标准，须法务审核并填写理由")
        elif req.why == authority.Why.MAJOR_INCIDENT:
            why = _("重大质量事故处理申请，须公司管理层批准")
        else:
            why = _("超出拟定人权限（%(ceiling)s 元）") % {"ceiling": req.ceiling}
        notes += _notes(
            approvers_for(dispute, req),
            skip=revision.author_id,
            dispute=dispute,
            kind=Notification.Kind.APPROVAL_REQUESTED,
            title=_("%(number)s 调解方案待%(role)s审批：%(amount)s 元（第 %(n)s 版）")
            % {
                "number": dispute.number,
                "role": Role(req.role).label,
                "amount": f"{revision.total_amount:,.2f}",
                "n": revision.number,
            },
            body=_("%(why)s。拟定人：%(author)s。")
            % {"why": why, "author": revision.author_label or "—"},
            created_at=at,
        )
    # One person asked for two steps (e.g. management, also in legal) gets one notice.
    seen: set[int] = set()
    unique = [n for n in notes if not (n.recipient_id in seen or seen.add(n.recipient_id))]
    return notify_staff(unique)


def _counter_text(counter: dict | None) -> str:
    counter = counter or {}
    parts = []
    if counter.get("remedy"):
        parts.append(str(RemedyCode(counter["remedy"]).label))
    if counter.get("amount"):
        parts.append(_("%(amount)s 元") % {"amount": counter["amount"]})
    return "，".join(parts) or _("见留言")


def tell_handlers_of_answer(
    *,
    dispute: Dispute,
    proposal: Proposal,
    revision: ProposalRevision,
    at: dt.datetime,
) -> list[Notification]:
    """The customer answered: the dispute's handler and the revision's author are told
    (the team lead when neither is known); a rejection or counter-offer waits for them."""
    number, n = dispute.number, revision.number
    if revision.state == S.ACCEPTED:
        title = _("%(number)s 顾客已接受调解方案（第 %(n)s 版，%(amount)s 元），协议书已生成") % {
            "number": number,
            "n": n,
            "amount": f"{revision.total_amount:,.2f}",
        }
    elif revision.state == S.REJECTED:
        title = _("%(number)s 顾客拒绝了调解方案（第 %(n)s 版），请修改方案或升级处理") % {
            "number": number,
            "n": n,
        }
    else:
        title = _("%(number)s 顾客对调解方案（第 %(n)s 版）还价：%(counter)s") % {
            "number": number,
            "n": n,
            "counter": _counter_text(revision.counter),
        }
    recipients = [dispute.assignee_id, revision.author_id]
    if not any(recipients) and dispute.team_id is not None:
        recipients = [dispute.team.lead_id]
    body = (
        _("顾客留言：%(message)s") % {"message": revision.customer_message}
        if revision.customer_message
        else ""
    )
    return notify_staff(
        _notes(
            recipients,
            skip=None,
            dispute=dispute,
            kind=Notification.Kind.PROPOSAL_ANSWERED,
            title=title[:200],
            body=body,
            created_at=at,
        )
    )


def tell_author_of_decision(
    *,
    dispute: Dispute,
    revision: ProposalRevision,
    approver_label: str,
    reason: str,
    at: dt.datetime,
) -> list[Notification]:
    """An approval or refusal: the revision's author learns whether it may now be sent,
    still waits for another step, or must be revised."""
    if revision.author_id is None:
        return []
    values = {"number": dispute.number, "n": revision.number, "who": approver_label}
    if revision.state == S.APPROVED:
        title = _("%(number)s 调解方案（第 %(n)s 版）已由%(who)s审批通过，可以发送给顾客") % values
    elif revision.state == S.REFUSED:
        title = _("%(number)s 调解方案（第 %(n)s 版）被%(who)s驳回，请修改后重新提交") % values
    else:
        title = _("%(number)s 调解方案（第 %(n)s 版）已由%(who)s审批，仍待其他审批") % values
    return notify_staff(
        [
            Notification(
                recipient_id=revision.author_id,
                dispute=dispute,
                kind=Notification.Kind.PROPOSAL_DECIDED,
                title=title[:200],
                body=_("理由：%(reason)s") % {"reason": reason} if reason else "",
                created_at=at,
            )
        ]
    )
