"""Writes of mediation: commitments to the customer (承诺) — made, kept, cancelled. Each
service is one transaction and appends exactly one timeline event to the dispute."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Dispute
from aftersales.disputes.permissions import can_make_commitment
from aftersales.parties.actors import user_of

from .models import Commitment
from .timeline import commitment_event

TEXT_MAX = 500


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: message})


@transaction.atomic
def commitment_make(
    *, dispute: Dispute, actor, text: str, due_at: dt.datetime, at: dt.datetime | None = None
) -> Commitment:
    """Record a promise made to the customer, due at `due_at` (aware)."""
    if not can_make_commitment(actor, dispute):
        raise Forbidden(_("您没有记录承诺的权限"))
    text = (text or "").strip()
    if not text:
        raise _refuse("text", _("请填写承诺内容"))
    if len(text) > TEXT_MAX:
        raise _refuse("text", _("承诺内容不能超过 %(max)d 个字符") % {"max": TEXT_MAX})
    if due_at.tzinfo is None:
        raise _refuse("due_at", _("兑现期限须带时区"))
    now = at or timezone.now()
    if due_at < now:
        raise _refuse("due_at", _("兑现期限不能早于现在"))
    if not Dispute.objects.filter(pk=dispute.pk, is_open=True).exists():
        raise Conflict(_("已结束的投诉不能再记录承诺"), code="dispute_closed")
    commitment = Commitment.objects.create(
        dispute_id=dispute.pk, made_by=user_of(actor), text=text, due_at=due_at, made_at=now
    )
    commitment_event(commitment, actor=actor, at=now).save()
    return commitment


def _close(commitment: Commitment, state: str, actor, at: dt.datetime, reason: str):
    stamp = {"kept_at": at} if state == Commitment.State.KEPT else {"cancelled_at": at}
    updated = Commitment.objects.filter(pk=commitment.pk, state=Commitment.State.OPEN).update(
        state=state, **stamp
    )
    if updated != 1:
        raise Conflict(_("该承诺已兑现或已取消"), code="commitment_closed")
    commitment.refresh_from_db()
    commitment_event(commitment, actor=actor, at=at, reason=reason).save()
    return commitment


@transaction.atomic
def commitment_keep(
    *, commitment: Commitment, actor, note: str = "", at: dt.datetime | None = None
) -> Commitment:
    if not can_make_commitment(actor, commitment.dispute):
        raise Forbidden(_("您没有记录承诺的权限"))
    return _close(commitment, Commitment.State.KEPT, actor, at or timezone.now(), note.strip())


@transaction.atomic
def commitment_cancel(
    *, commitment: Commitment, actor, reason: str, at: dt.datetime | None = None
) -> Commitment:
    """Withdraw a promise (the customer no longer needs it, it was superseded); why is
    required, as it is a promise the customer heard."""
    if not can_make_commitment(actor, commitment.dispute):
        raise Forbidden(_("您没有记录承诺的权限"))
    if not (reason or "").strip():
        raise _refuse("reason", _("取消承诺必须填写原因"))
    return _close(
        commitment, Commitment.State.CANCELLED, actor, at or timezone.now(), reason.strip()
    )
