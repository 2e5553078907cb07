"""The one writer of timeline events. Every event is built by `new_event`, which checks
its kind against the kinds the apps registered (`timeline_registry`) and stores a system
text as a code with parameters; each kind has a builder (intake's below, the other apps'
in their own `timeline` modules) that names what its event records. Builders return
unsaved events: `record` saves one, `record_many` inserts many in one statement (intake,
import, scans)."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext_lazy, pgettext_lazy

from aftersales.common.fastinsert import build, insert_many
from aftersales.parties.actors import label_of, user_of

from .lifecycle import Status
from .models import Dispute, Event
from .timeline_registry import Reason, event_kind, event_kinds, reason_template


@event_kinds
class DisputeKind(TextChoices):
    """The kinds the dispute aggregate writes itself: intake, lifecycle actions,
    evidence, assignment, and reads of personal data."""

    INTAKE = "intake", pgettext_lazy("timeline event", "受理")
    ACTION = "action", pgettext_lazy("timeline event", "状态变更")
    ACKNOWLEDGEMENT = "acknowledgement", pgettext_lazy("timeline event", "受理告知")
    DUPLICATE_FLAGGED = "duplicate_flagged", pgettext_lazy("timeline event", "疑似重复")
    EVIDENCE_ADDED = "evidence_added", pgettext_lazy("timeline event", "提交证据")
    ASSIGNED = "assigned", pgettext_lazy("timeline event", "分派")
    CONTACT_REVEALED = "contact_revealed", pgettext_lazy("timeline event", "查看联系方式")
    NOTE = "note", pgettext_lazy("timeline event", "备注")
    # Staff reading evidence or an agreement (PIPL: who looked at what, when).
    EVIDENCE_VIEWED = "evidence_viewed", pgettext_lazy("timeline event", "查看证据")
    AGREEMENT_VIEWED = "agreement_viewed", pgettext_lazy("timeline event", "查看调解协议书")
    # The contact log (联系记录): a call or message with the customer, as a person recorded
    # it (`contacts.contact_record`); the first one stops the first-contact clock.
    CUSTOMER_CONTACTED = "customer_contacted", pgettext_lazy("timeline event", "联系顾客")
    # Staff among themselves (`contacts.note_add`): never shown to the customer.
    INTERNAL_NOTE = "internal_note", pgettext_lazy("timeline event", "内部备注")


DUPLICATE_SAME_ORDER = reason_template(
    "disputes.duplicate_same_order", gettext_lazy("同一订单已有未结投诉 %(number)s")
)
DUPLICATE_SAME_CUSTOMER = reason_template(
    "disputes.duplicate_same_customer", gettext_lazy("该顾客已有未结投诉 %(number)s")
)


def actor_label(user) -> str:
    """How the timeline names who acted: the staff member's display name, else their
    username; "system" for the system's own steps (`SYSTEM`, or an event no one caused);
    a customer acting through their own door by name (aftersales.parties.actors)."""
    if user is None:
        return "system"
    return label_of(user)


_actor_label = actor_label  # `new_event` has a parameter of this name


def new_event(
    kind: str,
    *,
    at: dt.datetime,
    dispute: Dispute | None = None,
    dispute_id: int | None = None,
    actor=None,
    actor_id: int | None = None,
    actor_label: str | None = None,
    reason: str | Reason = "",
    payload: dict[str, Any] | None = None,
    action: str = "",
    from_status: str = "",
    to_status: str = "",
) -> Event:
    """An unsaved event of a registered `kind` (else `UnknownEventKind`). `reason` is the
    text a person gave, stored as typed, or a system text (`Reason`): its code and
    parameters go into the payload, to be shown in each reader's language, and its
    text in the site's language into `reason` (what admin, exports and SQL see).
    `actor_id` instead of `actor` for bulk writers that hold keys, not users (give
    `actor_label` then)."""
    code = event_kind(kind).value
    body = dict(payload or {})
    if isinstance(reason, Reason):
        body.update(reason.as_payload())
        text = stored_text(reason)
    else:
        text = reason or ""
    values: dict[str, Any] = {"dispute": dispute} if dispute is not None else {}
    if dispute is None:
        if dispute_id is None:
            raise TypeError("new_event needs a dispute or a dispute_id")
        values["dispute_id"] = dispute_id
    if actor is not None or actor_id is None:
        # The system and customers are no user rows: the label names them.
        values["actor"] = user_of(actor) if actor is not None else None
    else:
        values["actor_id"] = actor_id
    return build(
        Event,
        **values,
        kind=code,
        action=str(action or ""),
        from_status=str(from_status or ""),
        to_status=str(to_status or ""),
        actor_label=_site_label(actor) if actor_label is None else actor_label,
        reason=text,
        payload=body,
        at=at,
    )


def stored_text(reason: Reason) -> str:
    """A system text as `Event.reason` keeps it: in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return reason.render()


def _site_label(actor) -> str:
    # In the site's language, as the timeline is stored: a customer answering from an
    # English page is still "顾客 …" (readers' languages apply to codes, not names).
    with translation.override(settings.LANGUAGE_CODE):
        return _actor_label(actor)


def record(kind: str, **fields: Any) -> Event:
    """Build an event (as `new_event`) and save it."""
    event = new_event(kind, **fields)
    event.save(force_insert=True)
    return event


def record_many(events: Sequence[Event]) -> None:
    """Insert events built by the builders, in one statement where the database allows."""
    insert_many(list(events))


def intake_event(dispute: Dispute, *, actor, actor_label: str, payload: dict) -> Event:
    return new_event(
        DisputeKind.INTAKE,
        dispute=dispute,
        to_status=Status.RECEIVED,
        actor=actor,
        actor_label=actor_label,
        payload=payload,
        at=dispute.received_at,
    )


def acknowledgement_event(dispute: Dispute, message) -> Event:
    return new_event(
        DisputeKind.ACKNOWLEDGEMENT,
        dispute=dispute,
        actor_label="system",
        payload={
            "message_id": message.pk,
            "channel": message.channel,
            "subject": message.subject,
            "body": message.body,
        },
        at=dispute.received_at,
    )


def duplicate_event(dispute: Dispute, original_number: str, *, basis: str = "order") -> Event:
    """`basis`: "order" (the same order has an open dispute) or "customer" (the same
    customer has one, on another order). The reason is stored as a code: each reader
    sees it in their language, whatever language the intake came in."""
    template = DUPLICATE_SAME_ORDER if basis == "order" else DUPLICATE_SAME_CUSTOMER
    return new_event(
        DisputeKind.DUPLICATE_FLAGGED,
        dispute=dispute,
        actor_label="system",
        reason=template(number=original_number),
        payload={"duplicate_of": original_number, "basis": basis},
        at=dispute.received_at,
    )


def placement(team, assignee) -> dict:
    """Where a dispute sits, as an assignment event records it: team code, username."""
    return {
        "team": team.code if team else None,
        "assignee": assignee.get_username() if assignee else None,
    }


def assigned_event(
    dispute: Dispute, *, actor, actor_label: str, before: dict, after: dict, at
) -> Event:
    """`dispute_assign`'s event (also built in bulk by the demo): `before` and `after`
    as `placement` gives them."""
    return new_event(
        DisputeKind.ASSIGNED,
        dispute=dispute,
        actor=actor,
        actor_label=actor_label,
        payload={"before": before, "after": after},
        at=at,
    )
