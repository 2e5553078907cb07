"""What the demo disputes went through right after intake, written as the services write
it: the routing table's department tasks and routing event for every dispute
(`triage.plan.route_imported`, as live intake routes them), the handler's first contact
with the customer (a `customer_contacted` event, as the contact log writes it, at the
moment of triage: the handler called or wrote when classifying the case, so the
first-contact clock stops where it did when triage stopped it), and the team lead
distributing the routed disputes to a team and an agent (`dispute_assign`'s event and
version step, built with its own builders). Set-based: a handful of statements."""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import F

from aftersales.common.fastinsert import insert_many
from aftersales.disputes.contacts import ContactChannel, ContactDirection
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.timeline import DisputeKind, assigned_event, new_event, placement
from aftersales.parties.models import StaffProfile, Team
from aftersales.parties.roles import Role
from aftersales.triage.plan import route_imported

if TYPE_CHECKING:  # pragma: no cover
    from aftersales.demo.plan import RowPlan

KEY_PREFIX = "demo:"
BATCH = 500


# What the handler said on the first contact, by how they reached the customer.
FIRST_CONTACTS = {
    ContactChannel.PHONE: (
        "致电顾客，核实订单和问题经过，说明处理流程和时限",
        "电话联系顾客致歉，确认诉求，请顾客补充照片",
        "回电顾客，确认收货情况和顾客诉求，告知下一步处理",
    ),
    ContactChannel.CHAT: (
        "在线回复顾客，确认问题和诉求，告知已受理并会尽快处理",
        "平台聊天联系顾客，请顾客上传商品和包装照片",
    ),
    ContactChannel.SMS: ("短信告知已受理，约顾客方便时回电",),
}
CHAT_CHANNELS = frozenset({"platform", "chat", "social", "portal"})


@dataclass
class DemoRouting:
    tasks: int = 0
    assigned: int = 0
    contacted: int = 0


def populate(
    plans: list[RowPlan], number_of: dict[int, str], teams: dict[str, Team], *, now: dt.datetime
) -> DemoRouting:
    """Flags from the texts, then routing, then assignment, for the rows just taken in."""
    out = DemoRouting()
    _flag(plans, number_of)
    disputes = {
        d.number: d
        for d in Dispute.objects.filter(number__in=list(number_of.values()))
        .select_related("team")
        .only(
            "id", "number", "category", "severity", "escalation_risk", "channel", "is_open",
            "received_at", "team__code", "team__name",
        )
    }  # fmt: skip
    # Live intake routes every complaint when it comes in, whatever became of it since.
    tasks, events = route_imported(list(disputes.values()), ended_too=True)
    insert_many(tasks)
    insert_many(events)
    out.tasks = len(tasks)
    out.contacted = _first_contacts(plans, number_of, disputes)
    out.assigned = _assign(plans, number_of, disputes, teams, now)
    return out


def _first_contacts(
    plans: list[RowPlan], number_of: dict[int, str], disputes: dict[str, Dispute]
) -> int:
    """The handler's first recorded contact with each triaged customer, at the moment of
    triage and by the handler who triaged (`contacts.contact_record`'s event): by phone,
    or by chat or text for complaints that came in writing."""
    events: list[Event] = []
    for p in plans:
        d = disputes.get(number_of.get(p.line, ""))
        triage = next((s for s in p.row.history if s.action == Action.TRIAGE), None)
        if d is None or triage is None:
            continue
        pick = zlib.crc32(d.number.encode())
        channel = ContactChannel.PHONE
        if d.channel in CHAT_CHANNELS and pick % 3:
            channel = ContactChannel.CHAT if pick % 5 else ContactChannel.SMS
        said = FIRST_CONTACTS[channel]
        events.append(
            new_event(
                DisputeKind.CUSTOMER_CONTACTED,
                dispute=d,
                actor_label=triage.actor_label,
                reason=said[pick % len(said)],
                payload={"channel": channel.value, "direction": ContactDirection.OUTBOUND.value},
                at=triage.at,
            )
        )
    insert_many(events)
    return len(events)


def _flag(plans: list[RowPlan], number_of: dict[int, str]) -> None:
    """The escalation risk and secondary categories the texts carry (routing reads the
    risk), set-based."""
    risky: list[str] = []
    secondary: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for p in plans:
        number = number_of.get(p.line)
        if number is None:
            continue
        if p.complaint.escalation_risk:
            risky.append(number)
        if p.complaint.secondary_categories:
            secondary[p.complaint.secondary_categories].append(number)
    _update(risky, escalation_risk=True)
    for cats, numbers in secondary.items():
        _update(numbers, secondary_categories=list(cats))


def _assign(
    plans: list[RowPlan],
    number_of: dict[int, str],
    disputes: dict[str, Dispute],
    teams: dict[str, Team],
    now: dt.datetime,
) -> int:
    """The team lead distributes each routed dispute once it is triaged: an `assigned`
    event (before: the default team where routing put it) and the version step
    `dispute_assign` makes, while the dispute is still open."""
    users = get_user_model().objects
    lead = users.filter(username=Role.TEAM_LEAD.value).first()
    if lead is None:
        return 0
    people = {u.username: u for u in users.filter(username=Role.AGENT.value)} | {
        lead.username: lead
    }
    label = (
        StaffProfile.objects.filter(user=lead).values_list("display_name", flat=True).first()
        or lead.username
    )
    groups: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    events: list[Event] = []
    for p in plans:
        d = disputes.get(number_of.get(p.line, ""))
        if d is None or p.team == "default":
            continue
        at = _assigned_at(p, now)
        if at is None:
            continue
        assignee = people.get(p.assignee) if p.assignee else None
        events.append(
            assigned_event(
                d,
                actor=lead,
                actor_label=label,
                before=placement(d.team, None),
                after=placement(teams[p.team], assignee),
                at=at,
            )
        )
        groups[(p.team, assignee.username if assignee else None)].append(d.number)
    insert_many(events)
    for (team, username), numbers in groups.items():
        _update(
            numbers,
            team=teams[team],
            assignee=people.get(username) if username else None,
            version=F("version") + 1,
        )
    return len(events)


def _assigned_at(p: RowPlan, now: dt.datetime) -> dt.datetime | None:
    """Soon after triage, before the next step (and before now)."""
    steps = p.row.history
    for i, step in enumerate(steps):
        if step.action == Action.TRIAGE:
            until = steps[i + 1].at if i + 1 < len(steps) else now
            return step.at + min((until - step.at) / 2, dt.timedelta(minutes=20))
    return None


def _update(numbers: list[str], **values) -> None:
    for start in range(0, len(numbers), BATCH):
        Dispute.objects.filter(number__in=numbers[start : start + BATCH]).update(**values)


def name_actors() -> None:
    """The demo users who took the steps on the demo timelines, by the names shown
    (handlers of the second team have no login and stay names only)."""
    profiles = StaffProfile.objects.filter(user__username__in=[r.value for r in Role]).values_list(
        "display_name", "user_id"
    )
    for label, user_id in profiles:
        Event.objects.filter(
            dispute__intake_key__startswith=KEY_PREFIX,
            kind__in=[DisputeKind.ACTION, DisputeKind.CUSTOMER_CONTACTED],
            actor_label=label,
            actor__isnull=True,
        ).update(actor_id=user_id)
