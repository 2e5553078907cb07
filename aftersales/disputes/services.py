"""Writes to the Dispute aggregate: lifecycle actions, assignment, contact reveals (intake is
`aftersales.intake`, the seam above triage, SLA and notifications). Each service is
one transaction and the only code that changes these rows."""

import datetime as dt
from collections.abc import Mapping
from types import EllipsisType
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.parties.models import Team

from . import handlers, lifecycle
from .messages import lifecycle_error
from .models import Dispute, Event
from .permissions import can_act, can_assign, can_be_assigned, can_reveal_contact
from .timeline import DisputeKind, actor_label, assigned_event, placement, record, stored_text
from .timeline_registry import Reason


def dispute_apply(
    *,
    dispute: Dispute,
    action: str,
    actor,
    version: int,
    reason: "str | Reason" = "",
    payload: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
    via: lifecycle.Owner | None = None,
) -> Dispute:
    """Apply one lifecycle action: lock the row, check version, guard and permission,
    change state, append exactly one timeline event. All or nothing. `via`: the workflow
    applying it (`lifecycle.Owner`); None is the generic door (the actions endpoint,
    admin), which the lifecycle refuses an owned action with a 409 naming its owner's."""
    payload = dict(payload or {})
    try:
        parsed = lifecycle.parse_action(action)
        lifecycle.check_door(parsed, via)
    except lifecycle.LifecycleError as exc:
        raise lifecycle_error(exc, number=dispute.number) from None
    now = at or timezone.now()
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if locked.version != version:
            raise Conflict(
                _(
                    "投诉 %(number)s 已被他人修改（当前版本 %(current)d，您提交的是 %(sent)d），"
                    "请刷新后重试"
                )
                % {"number": locked.number, "current": locked.version, "sent": version},
                code="version_conflict",
                extra={"current_version": locked.version},
            )
        if not can_act(actor, locked, parsed):
            raise Forbidden(_("您没有权限执行该操作"))
        try:
            facts = _case_facts(locked) if lifecycle.needs_facts(parsed) else None
            move = lifecycle.decide(
                locked.status,
                parsed,
                # The lifecycle judges the text (a reason given or not), not its code.
                reason=stored_text(reason) if isinstance(reason, Reason) else reason,
                payload=payload,
                facts=facts,
                via=via,
                at=now,
                received_at=locked.received_at,
            )
        except lifecycle.LifecycleError as exc:
            raise lifecycle_error(exc, number=locked.number) from None
        target = move.target
        counted = (
            {"reopen_count": F("reopen_count") + 1} if parsed == lifecycle.Action.REOPEN else {}
        )
        updated = Dispute.objects.filter(pk=locked.pk, version=version).update(
            status=target,
            is_open=target in lifecycle.OPEN,
            closed_at=None if target in lifecycle.OPEN else now,
            version=F("version") + 1,
            updated_at=now,
            **counted,
        )
        if updated != 1:  # pragma: no cover - the row lock makes this unreachable
            raise Conflict(_("投诉已被他人修改，请刷新后重试"), code="version_conflict")
        event = record(
            DisputeKind.ACTION,
            dispute=locked,
            action=move.action,
            from_status=move.source,
            to_status=target,
            actor=actor,
            # A system text (`Reason`) is stored as its code; a person's, as typed.
            reason=reason if isinstance(reason, Reason) else (reason or "").strip(),
            payload=payload,
            at=now,
        )
        # The apps that follow the lifecycle (SLA timers, …) are told in this transaction:
        # an error in one of them rolls the action back.
        handlers.tell(handlers.ActionApplied(dispute=locked, event=event, at=now))
    locked.refresh_from_db()
    return locked


# Kinds mediation registers (aftersales.mediation.timeline), named by code: this app is
# below mediation and imports nothing of it.
CASE_MEETING = "case_meeting"
RESPONSIBILITY_DETERMINED = "responsibility_determined"


def _case_facts(dispute: Dispute) -> lifecycle.CaseFacts:
    """What the timeline shows for the lifecycle's record guards: the case meeting and
    the responsibility finding are timeline events (aftersales.mediation.investigation);
    so are the customer's requests to reopen and their refusals."""
    reopen = (lifecycle.REOPEN_REQUESTED, lifecycle.REOPEN_DECLINED)
    found = list(
        Event.objects.filter(
            dispute=dispute, kind__in=[CASE_MEETING, RESPONSIBILITY_DETERMINED, *reopen]
        )
        .order_by("at", "id")
        .values_list("kind", "at")
    )
    shown = {kind for kind, _at in found}
    return lifecycle.CaseFacts(
        severity=dispute.severity,
        case_meeting_held=CASE_MEETING in shown,
        responsibility_determined=RESPONSIBILITY_DETERMINED in shown,
        reopen_requested=lifecycle.reopen_requested(found, dispute.closed_at),
    )


def lock_at_version(dispute: Dispute, version: int) -> Dispute:
    """The dispute's row, locked for this transaction, if it is still at the version the
    client saw; else a 409 naming the current version."""
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if locked.version != version:
        raise Conflict(
            _("投诉 %(number)s 已被他人修改，请刷新后重试") % {"number": locked.number},
            code="version_conflict",
            extra={"current_version": locked.version},
        )
    return locked


def dispute_assign(
    *,
    dispute: Dispute,
    actor,
    version: int,
    team: Team | EllipsisType | None = ...,
    assignee=...,
) -> Dispute:
    """Place a dispute in a team and with an assignee. `...` (the default) keeps the
    current value, None clears it. The assignee must be an active case handler of the
    resulting team (so a dispute without a team has none). Nothing changed: no event,
    no new version."""
    if not can_assign(actor, dispute):
        raise Forbidden(_("只有组长或管理员可以分派投诉"))
    with transaction.atomic():
        locked = lock_at_version(dispute, version)
        if not locked.is_open:
            raise Conflict(_("已结束的投诉不能再分派"), code="dispute_closed")
        new_team = locked.team if team is ... else team
        new_assignee = locked.assignee if assignee is ... else assignee
        if (getattr(new_team, "pk", None), getattr(new_assignee, "pk", None)) == (
            locked.team_id,
            locked.assignee_id,
        ):
            return locked
        if new_assignee is not None and new_team is None:
            raise ValidationFailed(
                _("分派信息有误"),
                fields={"assignee": _("没有小组的投诉不能指定处理人，请一并清空处理人")},
            )
        if new_assignee is not None and not can_be_assigned(new_assignee, new_team):
            message = _("%(name)s 不是小组 %(team)s 在职的坐席或组长，不能分派给他/她") % {
                "name": new_assignee.get_username(),
                "team": new_team.code,
            }
            raise ValidationFailed(_("分派信息有误"), fields={"assignee": message})
        before = placement(locked.team, locked.assignee)
        Dispute.objects.filter(pk=locked.pk).update(
            team=new_team, assignee=new_assignee, version=F("version") + 1
        )
        assigned_event(
            locked,
            actor=actor,
            actor_label=actor_label(actor),
            before=before,
            after=placement(new_team, new_assignee),
            at=timezone.now(),
        ).save()
    locked.refresh_from_db()
    return locked


def dispute_reveal_contact(*, dispute: Dispute, actor) -> str:
    """The full phone number, for calling the customer; every look is on the timeline.
    Refused (403) to those who may not see it, and for a dispute out of their scope."""
    if not can_reveal_contact(actor, dispute):
        raise Forbidden(_("您没有查看顾客完整联系方式的权限"))
    record(DisputeKind.CONTACT_REVEALED, dispute=dispute, actor=actor, at=timezone.now())
    return dispute.customer.phone
