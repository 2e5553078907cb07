"""Reads for mediation: the facts of a dispute as the entitlements engine needs them, and
what the engine makes of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.common.errors import NotFound
from aftersales.disputes.models import Dispute, Task
from aftersales.parties.models import Store
from aftersales.sla.selectors import timer_views

from . import entitlements as engine
from . import investigation_rules as rules
from .models import CaseMeeting, Escalation, ResponsibilityFinding, TaskReport

SHANGHAI = engine.SHANGHAI

# Facts the engine reads that only the investigation can establish; until it does, the
# contract's defaults stand (no defect, intact, no fraud, ...).
INVESTIGATION_FACTS = (
    "defect",
    "intact",
    "digital_unsealed",
    "excluded_confirmed",
    "failed_repairs",
    "parts_wait_days",
    "repair_delay_days",
    "fraud",
    "food",
    "food_safety_violation",
    "label_defect_only",
    "known_defect_serious_harm",
    "loss",
)


@dataclass(frozen=True)
class DisputeFacts:
    """The engine's facts for one dispute, where each came from, and what is missing."""

    facts: engine.Facts | None  # None while a required fact is missing
    sources: dict[str, str]
    missing: dict[str, str] = field(default_factory=dict)  # field → why (for people)
    assumed: tuple[str, ...] = INVESTIGATION_FACTS


@dataclass(frozen=True)
class DisputeEntitlements:
    dispute_facts: DisputeFacts
    result: engine.Result | None


def _shanghai_date(moment: datetime) -> date:
    return timezone.localtime(moment, SHANGHAI).date()


def dispute_facts(dispute: Dispute) -> DisputeFacts:
    """From the order (channel from the store and sale channel, received date), the amount
    paid, and the product (goods kind, 三包, validity); defaults for what is not known yet."""
    order = dispute.order
    product = dispute.product
    sources: dict[str, str] = {}
    missing: dict[str, str] = {}
    values: dict[str, Any] = {}

    if order is None:
        missing["channel"] = _("投诉未关联订单，无法确定销售方式")
    elif order.store.platform == Store.Platform.OFFLINE:
        values["channel"] = engine.Channel.OFFLINE
        sources["channel"] = "store"
    else:
        values["channel"] = engine.Channel(order.sale_channel)
        sources["channel"] = "order"

    if dispute.amount_paid is not None:
        values["price"], sources["price"] = dispute.amount_paid, "dispute"
    elif order is not None:
        values["price"], sources["price"] = order.amount_paid, "order"
    else:
        missing["price"] = _("不知道顾客实付金额")

    if order is not None and order.received_at is not None:
        values["received_on"], sources["received_on"] = _shanghai_date(order.received_at), "order"
    else:
        missing["received_on"] = _("订单没有签收时间，期限无从起算")

    values["claim_on"], sources["claim_on"] = _shanghai_date(dispute.received_at), "dispute"
    if "received_on" in values and values["claim_on"] < values["received_on"]:
        missing["received_on"] = _("签收时间晚于受理时间，请核对订单的签收时间")

    if product is not None:
        values["goods_kind"] = engine.GoodsKind(product.goods_kind)
        values["three_guarantees"] = product.three_guarantees
        values["warranty_days"] = product.warranty_days
        sources |= dict.fromkeys(("goods_kind", "three_guarantees", "warranty_days"), "product")

    _investigation_facts(dispute, values, sources)
    facts = None if missing else engine.Facts(**values)
    assumed = tuple(f for f in INVESTIGATION_FACTS if f not in sources)
    return DisputeFacts(facts=facts, sources=sources, missing=missing, assumed=assumed)


def _investigation_facts(dispute: Dispute, values: dict[str, Any], sources: dict[str, str]):
    """What the investigation has established (issue 5 item 2):
    - the newest QC report says whether there is a defect; on a product under the 三包
      rules a defect counts as a performance fault (性能故障), otherwise as a quality
      non-conformity — legal.md A12 leaves cosmetic flaws on 三包 goods to people, who
      can read the finding and the engine's note;
    - a responsibility finding that puts everything on the customer's misuse means no
      defect the merchant answers for (三包 exclusion R17, and no defect at sale);
    - repairs already done on this order (executions of kind repair, done) count as
      failed repairs once the customer is back with the same order."""
    from aftersales.fulfilment.models import Execution

    qc = (
        TaskReport.objects.filter(
            dispute=dispute, kind=rules.ReportKind.QC, defect_found__isnull=False
        )
        .order_by("-filed_at", "-id")
        .values_list("defect_found", flat=True)
        .first()
    )
    if qc is not None:
        if not qc:
            values["defect"] = engine.Defect.NONE
        elif values.get("three_guarantees"):
            values["defect"] = engine.Defect.PERFORMANCE_FAULT
        else:
            values["defect"] = engine.Defect.QUALITY
        sources["defect"] = "qc_report"

    finding = (
        ResponsibilityFinding.objects.filter(dispute=dispute)
        .order_by("-decided_at", "-id")
        .values_list("shares", "root_causes")
        .first()
    )
    if finding is not None:
        shares, causes = finding
        misuse = rules.RootCause.CUSTOMER_MISUSE.value in (causes or [])
        if misuse and int((shares or {}).get(rules.Party.CUSTOMER.value, 0)) == 100:
            values["defect"] = engine.Defect.NONE
            sources["defect"] = "responsibility"

    if dispute.order_id is not None:
        repairs = Execution.objects.filter(
            dispute__order_id=dispute.order_id,
            kind=Execution.Kind.REPAIR,
            state=Execution.State.DONE,
        ).count()
        if repairs:
            values["failed_repairs"] = repairs
            sources["failed_repairs"] = "executions"


def dispute_entitlements(dispute: Dispute) -> DisputeEntitlements:
    gathered = dispute_facts(dispute)
    result = engine.evaluate(gathered.facts) if gathered.facts is not None else None
    return DisputeEntitlements(dispute_facts=gathered, result=result)


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


def dispute_entitlements_view(dispute: Dispute) -> EntitlementsView:
    """The entitlements with their labels and implied deadlines, for the API and the
    workbench alike."""
    found = dispute_entitlements(dispute)
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


# -- investigation and escalation (issue 5 items 1, 7) ------------------------------------


def dispute_task(dispute: Dispute, task_id: int) -> Task:
    """A department task of this dispute; another dispute's task answers 404."""
    task = Task.objects.filter(dispute=dispute, pk=task_id).select_related("dispute").first()
    if task is None:
        raise NotFound(_("该投诉没有任务 %(id)s") % {"id": task_id})
    return task


def dispute_escalation(dispute: Dispute, escalation_id: int) -> Escalation:
    escalation = Escalation.objects.filter(dispute=dispute, pk=escalation_id).first()
    if escalation is None:
        raise NotFound(_("该投诉没有外部途径记录 %(id)s") % {"id": escalation_id})
    return escalation


@dataclass(frozen=True)
class Investigation:
    tasks: list
    meetings: list
    findings: list  # oldest first; the last is in force
    escalations: list
    timers: dict[str, list]  # escalation route -> its outside deadlines' timer views


def dispute_investigation(dispute: Dispute) -> Investigation:
    """Everything the investigation and escalation recorded on a dispute, in a fixed
    number of queries."""
    tasks = list(
        dispute.tasks.select_related("report", "report__filed_by")
        .prefetch_related("report__photos")
        .order_by("created_at", "id")
    )
    escalations = list(Escalation.objects.filter(dispute=dispute).order_by("filed_on", "id"))
    timers: dict[str, list] = {}
    if escalations:
        views = timer_views(dispute)
        for e in escalations:
            codes = {d.code for d in rules.deadlines_for(e.route)}
            timers[e.route] = [v for v in views if v.kind in codes]
    return Investigation(
        tasks=tasks,
        meetings=list(CaseMeeting.objects.filter(dispute=dispute).select_related("recorded_by")),
        findings=list(
            ResponsibilityFinding.objects.filter(dispute=dispute).select_related("decided_by")
        ),
        escalations=escalations,
        timers=timers,
    )
