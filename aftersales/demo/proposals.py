"""Demo proposals for `aftersales demo`: the proposals the demo timelines tell of (a
proposal per propose step, a revision per propose or revise step), each revision drafted
and judged by the proposal service itself (`proposal_drafts.evaluate_draft`: the remedy lines,
their money against the order, the statutory check, the approvals they need) and built
with its builder (`proposal_drafts.build_revision`).

A handler offers what the customer asked for (诉求); where the check finds it below the
statutory minimum, what the entitlements give instead; a proposal still below it (the
customer wants less than the law gives) goes to legal, who approves it with a reason
before it is sent. Approvals come from someone other than the author who may give them
(`authority.can_give`). Sending, the customer's answers and the agreement are written
as `proposal_send`, `negotiation` and `agreement_generate` write them, and the timeline's
propose, revise and settle steps get the proposal and revision they stand for.

Multi-row inserts; the records each revision leaves are in `demo_proposal_records`."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aftersales.common.errors import ValidationFailed
from aftersales.common.fastinsert import build, insert_many
from aftersales.demo import proposal_records as records
from aftersales.demo.proposal_records import Ctx, Drafted, Written
from aftersales.disputes.lifecycle import Action, Status
from aftersales.disputes.models import Dispute, Event, Task
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.mediation import money, proposal_drafts
from aftersales.mediation.models import Proposal, ProposalState
from aftersales.mediation.proposal_selectors import orders_money
from aftersales.mediation.selectors import disputes_entitlements
from aftersales.parties.roles import Department, Role

S = ProposalState
FEN = Decimal("0.01")
COUNTER_MESSAGES = ("希望再多补偿一些", "这个方案我不太满意，能不能再加一点补偿")
REJECT_MESSAGE = "不接受这个方案，我会向外部投诉"
# Goods entitlements in the order a customer asking for a remedy would take them.
PREFERENCE = {
    "exchange": ("exchange", "return", "return_no_reason", "repair"),
    "repair": ("repair", "exchange", "return", "return_no_reason"),
}
DEFAULT_PREFERENCE = ("return", "return_no_reason", "exchange", "repair")
DAMAGES = ("punitive_damages", "food_punitive_damages", "loss_compensation")
# Of the proposals revised after a counter-offer, about one in this many started with a
# goodwill offer below the statutory minimum, which legal reviewed (`tentative`).
TENTATIVE_ONE_IN = 6


@dataclass
class Step:
    """One lifecycle step of a demo timeline (its action event)."""

    action: str
    at: dt.datetime
    source: str  # the status it left
    reason: str
    payload: dict = field(default_factory=dict)


@dataclass
class Group:
    """The steps one proposal stands for: its sends, and what ended it; `after`: the
    step before its first send (the proposal is drafted after it)."""

    after: dt.datetime
    offers: list[Step] = field(default_factory=list)
    end: Step | None = None
    answers: list[tuple[str, dt.datetime | None]] = field(default_factory=list)


def groups_of(history: list[Step]) -> list[Group]:
    """A proposal per propose step, revised by the revise steps after it, ended by the
    settle (accepted), escalate (rejected first) or withdraw step that follows."""
    out: list[Group] = []
    current: Group | None = None
    previous = history[0].at if history else None
    for step in history:
        if step.action == Action.PROPOSE:
            current = Group(previous or step.at, [step])
            out.append(current)
        elif step.action == Action.REVISE and current is not None:
            current.offers.append(step)
        elif (
            step.action in (Action.SETTLE, Action.ESCALATE, Action.WITHDRAW) and current is not None
        ):
            current.end, current = step, None
        previous = step.at
    return out


def _between(a: dt.datetime, b: dt.datetime, share: float) -> dt.datetime:
    return (a + (b - a) * share).replace(microsecond=0)


def _yuan(value: Decimal) -> Decimal:
    return max(value, Decimal("1")).quantize(Decimal("1")).quantize(FEN)


# -- what is offered -------------------------------------------------------------------


def wish(d: Dispute, k: int, n: int) -> list[dict[str, Any]]:
    """Revision k of n as the customer's request shapes it: their remedy, the money they
    claimed (less in the earlier revisions), a goodwill addition growing with each
    counter-offer; the category's standard remedy when they asked for something else."""
    paid = d.amount_paid or Decimal("0.00")
    claim = d.claimed_amount or paid
    share = Decimal(("1.0", "0.8", "0.6")[min(n - k, 2)])
    bonus = _yuan(min(max(paid * Decimal("0.05"), Decimal(10)), Decimal(100)) * (k - 1))
    code = d.expectation
    if code == "refund" and d.category == Category.PRICE_PROMOTION:
        lines = [{"code": "price_difference", "amount": f"{_yuan(claim * share):.2f}"}]
    elif code == "refund":
        lines = [{"code": "refund", "amount": f"{_yuan(min(claim, paid) * share):.2f}"}]
    elif code == "return_refund":
        lines = [{"code": "return_refund", "amount": f"{paid:.2f}"}]
    elif code in ("exchange", "repair", "reship"):
        lines = [{"code": code}]
    elif code == "compensation":
        return [{"code": "compensation", "amount": f"{_yuan(claim * share):.2f}"}]
    elif code == "apology":
        lines = [{"code": "apology"}]
    else:
        lines = proposal_drafts.standard_draft(d)
    if k > 1 and not any(line["code"] == "compensation" for line in lines):
        lines.append({"code": "compensation", "amount": f"{bonus:.2f}"})
    return lines


def lawful(d: Dispute, wanted: list[dict[str, Any]], entitlements: list[dict]) -> list[dict]:
    """What the entitlements give, in the form the customer would take it: the goods
    remedy closest to their request, the merchant paying the shipping, within the law's
    deadline; damages as compensation; a goodwill line of the request kept."""
    by_remedy = {e["remedy"]: e for e in entitlements}
    order = PREFERENCE.get(d.expectation, DEFAULT_PREFERENCE)
    lines: list[dict[str, Any]] = []
    ent = next((by_remedy[r] for r in order if r in by_remedy), None)
    if ent is not None:
        limit = ent.get("merchant_deadline_days")
        if ent["remedy"] in ("return", "return_no_reason"):
            amount = Decimal(str(ent.get("amount") or d.amount_paid or "0"))
            line = {"code": "return_refund", "amount": f"{amount:.2f}", "deadline_days": 7}
        else:
            line = {
                "code": ent["remedy"],
                "deadline_days": 7 if ent["remedy"] == "exchange" else 30,
            }
        if limit is not None:
            line["deadline_days"] = min(line["deadline_days"], limit)
        lines.append(line | {"shipping_paid_by": "merchant"})
    owed = sum(
        (Decimal(str(e.get("amount") or 0)) for e in entitlements if e["remedy"] in DAMAGES),
        Decimal("0.00"),
    )
    goodwill = next(
        (Decimal(w["amount"]) for w in wanted if w["code"] == "compensation"), Decimal(0)
    )
    if owed or goodwill:
        lines.append({"code": "compensation", "amount": f"{max(owed, goodwill):.2f}"})
    return lines or wanted


@dataclass(frozen=True)
class Known:
    """What the proposal service reads of a dispute to judge a draft, read once for all
    of its drafts (nothing it depends on changes between them)."""

    entitlements: list[dict[str, Any]]
    order: money.OrderMoney

    @classmethod
    def of(cls, disputes: list[Dispute]) -> dict[int, Known]:
        """Read for many disputes at once: their records in a few queries."""
        read, orders = disputes_entitlements(disputes), orders_money(disputes)
        return {
            d.pk: cls(proposal_drafts.dispute_entitlement_list(d, read=read[d.pk]), orders[d.pk])
            for d in disputes
        }


def tentative(d: Dispute, author, known: Known) -> proposal_drafts.Draft | None:
    """A first offer of goodwill alone where the law gives more (the customer said they
    would consider a compensation first): below the minimum, so legal reviews it; the
    counter-offer then brings what the law gives. None where it would not be below."""
    paid = d.amount_paid or Decimal("0.00")
    offer = [{"code": "compensation", "amount": f"{_yuan(paid * Decimal('0.1')):.2f}"}]
    try:
        draft = proposal_drafts.evaluate_draft(
            d, offer, author, entitlements=known.entitlements, order=known.order
        )
    except ValidationFailed:
        return None
    return draft if draft.shortfalls else None


def choose(d: Dispute, author, wanted: list[dict], known: Known) -> proposal_drafts.Draft:
    """The first of: the request, what the law gives, that the service's check finds at
    or above the statutory minimum; else the first it accepts at all (legal reviews it)."""
    fallback: proposal_drafts.Draft | None = None
    for raw in (wanted, lawful(d, wanted, known.entitlements), [{"code": "apology"}]):
        try:
            draft = proposal_drafts.evaluate_draft(
                d, raw, author, entitlements=known.entitlements, order=known.order
            )
        except ValidationFailed:
            continue
        if not draft.shortfalls:
            return draft
        fallback = fallback or draft
    assert fallback is not None, d.number  # an apology is always a valid draft
    return fallback


# -- writing ---------------------------------------------------------------------------


def populate(
    *,
    rng: random.Random,
    now: dt.datetime,
    users: dict[Role, Any],
    disputes: dict[int, Dispute],
    histories: dict[int, list[Step]],
) -> tuple[Written, list[Event]]:
    """The proposals of the demo disputes whose timelines tell of them. Returns what was
    written and the timeline events, for the caller to insert with its own. A dispute's
    second proposal (after it was reopened) is drafted once the first is stored: the
    money the first agreed is then on the order."""
    ctx = Ctx(rng, now, users, proposal_drafts.ceilings(), Written())
    plans = []  # (round, dispute, group, author, proposal)
    for dispute_id, history in histories.items():
        d = disputes[dispute_id]
        for i, group in enumerate(groups_of(history)):
            author = _author(d, group, users)
            group.answers = [
                _answer(ctx, group, k, step) for k, step in enumerate(group.offers, start=1)
            ]
            state, answered = group.answers[-1]
            proposal = build(
                Proposal,
                dispute_id=d.pk,
                state=state,
                current_number=len(group.offers),
                created_by=author,
                created_at=_drafted(group, 0),
                updated_at=answered or group.offers[-1].at,
            )
            plans.append((i, d, group, author, proposal))
    insert_many([p for *_rest, p in plans])
    drafted: list[Drafted] = []
    for round_ in sorted({i for i, *_rest in plans}):
        batch = []
        this = [plan for plan in plans if plan[0] == round_]
        known = Known.of(list({d.pk: d for _i, d, *_rest in this}.values()))
        for _i, d, group, author, proposal in this:
            batch += _revisions(ctx, d, group, author, proposal, known[d.pk])
        insert_many([r.revision for r in batch])
        drafted += batch
    records.write(ctx, drafted)
    ctx.out.proposals = len(plans)
    return ctx.out, ctx.events


def _author(d: Dispute, group: Group, users: dict[Role, Any]):
    """The handler holding the dispute drafts (the team lead on major cases, after an
    escalation, and where the second team's handlers, who have no login, hold it)."""
    agent, lead = users.get(Role.AGENT), users.get(Role.TEAM_LEAD)
    if d.severity == Severity.MAJOR or group.offers[0].source == Status.ESCALATED:
        return lead
    if agent is not None and d.assignee_id == agent.pk:
        return agent
    return lead


def _revisions(ctx: Ctx, d: Dispute, group: Group, author, proposal: Proposal, known: Known):
    n = len(group.offers)
    out: list[Drafted] = []
    for k, step in enumerate(group.offers, start=1):
        created = _drafted(group, k - 1)
        draft = None
        if k == 1 and n > 1 and zlib.crc32(d.number.encode()) % TENTATIVE_ONE_IN == 0:
            draft = tentative(d, author, known)
        draft = draft or choose(d, author, wish(d, k, n), known)
        revision = proposal_drafts.build_revision(
            dispute=d,
            proposal=proposal,
            number=k,
            draft=draft,
            author=author,
            note="",
            change_note=step.reason if k > 1 else "",
            at=created,
        )
        state, answered = group.answers[k - 1]
        revision.state, revision.sent_at, revision.answered_at = state, step.at, answered
        if state == S.COUNTERED:
            ask = (revision.authority_amount * Decimal("1.5") or Decimal("100")).quantize(FEN)
            message = ctx.rng.choice(COUNTER_MESSAGES)
            first = draft.items[0].code.value
            revision.counter = {"remedy": first, "amount": f"{ask:.2f}", "message": message}
            revision.customer_message = message
        elif state == S.REJECTED:
            revision.customer_message = REJECT_MESSAGE
        r = Drafted(d, proposal, revision, draft, step, author, state, answered)
        if revision.below_minimum:
            ctx.out.below_minimum += 1
            r.legal_task = build(
                Task,
                dispute_id=d.pk,
                department=Department.LEGAL.value,
                kind=proposal_drafts.LEGAL_TASK_KIND,
                title="法务：审核低于法定标准的调解方案",
                state=Task.State.DONE,  # legal approves before it is sent (below)
            )
        records.send(ctx, r)
        out.append(r)
    return out


def _drafted(group: Group, i: int) -> dt.datetime:
    """When the i-th revision was drafted: shortly before it was sent, after the step
    (or the customer's answer) before it."""
    sent = group.offers[i].at
    before = group.offers[i - 1].at if i else group.after
    return (sent - min(dt.timedelta(minutes=40), (sent - before) / 2)).replace(microsecond=0)


def _answer(ctx: Ctx, group: Group, k: int, step: Step) -> tuple[str, dt.datetime | None]:
    """How the customer answered revision k: countered (a later one followed), accepted
    (settled), rejected (then went outside), or not yet (withdrew, or still thinking)."""
    if k < len(group.offers):
        return S.COUNTERED, _between(step.at, group.offers[k].at, 0.5)
    end = group.end
    if end is None:
        waited = ctx.now - step.at
        if waited > dt.timedelta(days=1) and ctx.rng.random() < 0.3:
            return S.COUNTERED, _between(step.at, ctx.now, 0.4)
        return S.SENT, None
    if end.action == Action.SETTLE:
        return S.ACCEPTED, end.at
    if end.action == Action.ESCALATE:
        return S.REJECTED, _between(step.at, end.at, 0.5)
    return S.SENT, None  # withdrawn before answering
