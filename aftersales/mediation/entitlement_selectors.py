"""Reads of a dispute's statutory entitlements: what the engine makes of its facts
(`fact_selectors`), with the labels and implied deadlines people read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils.translation import gettext_lazy, pgettext_lazy

from aftersales.disputes.models import Dispute

from . import entitlements as engine
from .fact_selectors import (
    SHANGHAI,
    DisputeFacts,
    Investigated,
    RecordedFact,
    dispute_facts,
    investigated,
    recorded_facts_of,
)


@dataclass(frozen=True)
class DisputeEntitlements:
    dispute_facts: DisputeFacts
    result: engine.Result | None


def dispute_entitlements(
    dispute: Dispute,
    *,
    recorded: dict[str, RecordedFact] | None = None,
    found: Investigated | None = None,
) -> DisputeEntitlements:
    gathered = dispute_facts(dispute, recorded=recorded, found=found)
    result = engine.evaluate(gathered.facts) if gathered.facts is not None else None
    return DisputeEntitlements(dispute_facts=gathered, result=result)


def disputes_entitlements(disputes: Sequence[Dispute]) -> dict[int, DisputeEntitlements]:
    """`dispute_entitlements` of many disputes, their records read in a fixed number of
    queries (orders, stores and products: select them with the disputes)."""
    recorded = recorded_facts_of([d.pk for d in disputes])
    found = investigated(disputes)
    return {
        d.pk: dispute_entitlements(d, recorded=recorded[d.pk], found=found[d.pk]) for d in disputes
    }


def end_of_day(day: date) -> datetime:
    """A period's last day ends at 24:00 (legal.md D4), Asia/Shanghai."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)


ENTITLEMENT_LABELS = {
    engine.Remedy.RETURN_NO_REASON: gettext_lazy("七日无理由退货"),
    engine.Remedy.RETURN: gettext_lazy("退货退款"),
    engine.Remedy.EXCHANGE: gettext_lazy("换货"),
    engine.Remedy.REPAIR: gettext_lazy("修理"),
    engine.Remedy.PUNITIVE_DAMAGES: gettext_lazy("欺诈惩罚性赔偿"),
    engine.Remedy.FOOD_PUNITIVE_DAMAGES: gettext_lazy("食品惩罚性赔偿"),
    engine.Remedy.HARM_PUNITIVE_DAMAGES: gettext_lazy("人身损害惩罚性赔偿"),
    engine.Remedy.LOSS_COMPENSATION: gettext_lazy("赔偿损失"),
}
PAYER_LABELS = {
    engine.Payer.MERCHANT: pgettext_lazy("payer", "商家"),
    engine.Payer.CONSUMER: pgettext_lazy("payer", "顾客"),
}
ANCHOR_LABELS = {
    engine.Anchor.RETURN_RECEIVED: gettext_lazy("自经营者收到退回商品之日起"),
    engine.Anchor.HANDED_IN: gettext_lazy("自送修之日起"),
}


@dataclass(frozen=True)
class EntitlementRow:
    """One entitlement as people read it: its label, basis and the deadlines it implies
    (the merchant's own, and the day after which not performing is deliberate delay)."""

    entitlement: engine.Entitlement
    label: str
    deadline_from: str | None  # what the merchant's deadline counts from
    overdue_after: engine.Window | None


@dataclass(frozen=True)
class WindowRow:
    window: engine.Window
    open: bool  # the claim date is inside it


@dataclass(frozen=True)
class EntitlementsView:
    dispute_facts: DisputeFacts
    evaluated: bool
    rows: list[EntitlementRow]
    windows: list[WindowRow]
    notes: list[engine.Note]


def dispute_entitlements_view(
    dispute: Dispute, *, gathered: DisputeFacts | None = None
) -> EntitlementsView:
    """The entitlements with their labels and implied deadlines, for the API and the
    workbench alike. `gathered`: the dispute's facts when already read (`dispute_facts`)."""
    if gathered is None:
        found = dispute_entitlements(dispute)
    else:
        result = engine.evaluate(gathered.facts) if gathered.facts is not None else None
        found = DisputeEntitlements(dispute_facts=gathered, result=result)
    result = found.result
    if result is None:
        return EntitlementsView(found.dispute_facts, False, [], [], [])
    facts = result.facts
    rows = [
        EntitlementRow(
            entitlement=ent,
            label=str(ENTITLEMENT_LABELS[ent.remedy]),
            deadline_from=str(ANCHOR_LABELS[ent.deadline_anchor]) if ent.deadline_anchor else None,
            overdue_after=engine.overdue_after(ent, facts),
        )
        for ent in result.entitlements
    ]
    windows = [WindowRow(w, facts.claim_on <= w.last_day) for w in result.windows]
    return EntitlementsView(found.dispute_facts, True, rows, windows, list(result.notes))
