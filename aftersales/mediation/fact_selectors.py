"""Reads of a dispute's facts as the entitlements engine needs them: the findings
recorded in force, what the investigation established, the order, store and product —
each fact with where it came from, and what is still missing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.disputes.models import Dispute
from aftersales.fulfilment.models import RepairRecord
from aftersales.parties.models import Store

from . import entitlements as engine
from . import facts_rules
from . import investigation_rules as rules
from .facts_models import CaseFact
from .models import ResponsibilityFinding, TaskReport
from .proposal_selectors import refunded_elsewhere

SHANGHAI = engine.SHANGHAI

# Facts the engine reads that only the investigation (or a person recording a finding)
# can establish; until then the contract's defaults stand (no defect, intact, no fraud, ...).
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
# Every fact with a default, in contract order: what `assumed` lists when nothing set it.
OPTIONAL_FACTS = tuple(n for n in engine.FIELDS if n not in engine.REQUIRED)


@dataclass(frozen=True)
class RecordedFact:
    """A finding in force: the newest recorded value of one fact (JSON form)."""

    value: Any
    by: Any  # the user, None for the system
    at: datetime
    reason: str
    evidence_ids: list[int]


@dataclass(frozen=True)
class DisputeFacts:
    """The engine's facts for one dispute, where each came from, and what is missing."""

    facts: engine.Facts | None  # None while a required fact is missing
    sources: dict[str, str]
    missing: dict[str, str] = field(default_factory=dict)  # field → why (for people)
    assumed: tuple[str, ...] = OPTIONAL_FACTS
    values: dict[str, Any] = field(default_factory=dict)  # what is known, engine-typed
    origins: dict[str, tuple[Any, datetime]] = field(default_factory=dict)  # name → by, at


def _shanghai_date(moment: datetime) -> date:
    return timezone.localtime(moment, SHANGHAI).date()


def recorded_facts(dispute: Dispute) -> dict[str, RecordedFact]:
    """The findings in force: the newest row per fact, a withdrawn one (null) left out."""
    return recorded_facts_of([dispute.pk])[dispute.pk]


def recorded_facts_of(dispute_ids: Sequence[int]) -> dict[int, dict[str, RecordedFact]]:
    """`recorded_facts` of many disputes in one query."""
    newest: dict[int, dict[str, CaseFact]] = {pk: {} for pk in dispute_ids}
    for row in (
        CaseFact.objects.filter(dispute_id__in=dispute_ids)
        .select_related("recorded_by")
        .order_by("id")  # append-only: the last row written is the newest
    ):
        newest[row.dispute_id][row.name] = row
    return {
        pk: {
            name: RecordedFact(
                row.value, row.recorded_by, row.recorded_at, row.reason, row.evidence_ids
            )
            for name, row in rows.items()
            if row.value is not None and name in engine.FIELDS
        }
        for pk, rows in newest.items()
    }


@dataclass(frozen=True)
class Investigated:
    """What the investigation recorded that a dispute's facts read: the newest QC report
    saying whether there is a defect, the newest responsibility finding, the repairs
    done on its order."""

    qc: TaskReport | None = None
    finding: ResponsibilityFinding | None = None
    repairs: int = 0
    refunded_elsewhere: Decimal = Decimal("0.00")  # by the order's other disputes


def investigated(disputes: Sequence[Dispute]) -> dict[int, Investigated]:
    """`Investigated` of many disputes in three queries (the demo judges thousands)."""
    ids = [d.pk for d in disputes]
    qc: dict[int, TaskReport] = {}
    for report in (
        TaskReport.objects.filter(
            dispute_id__in=ids, kind=rules.ReportKind.QC, defect_found__isnull=False
        )
        .select_related("filed_by")
        .order_by("filed_at", "id")  # the newest last
    ):
        qc[report.dispute_id] = report
    finding: dict[int, ResponsibilityFinding] = {}
    for row in (
        ResponsibilityFinding.objects.filter(dispute_id__in=ids)
        .select_related("decided_by")
        .order_by("decided_at", "id")
    ):
        finding[row.dispute_id] = row
    orders = {d.order_id for d in disputes if d.order_id is not None}
    repairs = dict(
        RepairRecord.objects.filter(order_id__in=orders, failed=True)
        .values("order_id")
        .annotate(n=Count("id"))
        .values_list("order_id", "n")
    )
    elsewhere = refunded_elsewhere(list(disputes))
    return {
        d.pk: Investigated(
            qc.get(d.pk), finding.get(d.pk), repairs.get(d.order_id, 0), elsewhere[d.pk]
        )
        for d in disputes
    }


def investigated_from(
    dispute: Dispute,
    *,
    reports: Iterable[TaskReport],
    findings: Iterable[ResponsibilityFinding],
) -> Investigated:
    """`investigated` of one dispute whose task reports and responsibility findings were
    read already (the dispute page reads them for its investigation section): the same
    newest QC report and finding, two queries fewer."""
    qc = max(
        (r for r in reports if r.kind == rules.ReportKind.QC and r.defect_found is not None),
        key=lambda r: (r.filed_at, r.pk),
        default=None,
    )
    finding = max(findings, key=lambda f: (f.decided_at, f.pk), default=None)
    repairs = 0
    if dispute.order_id is not None:
        repairs = RepairRecord.objects.filter(order_id=dispute.order_id, failed=True).count()
    return Investigated(qc, finding, repairs, refunded_elsewhere([dispute])[dispute.pk])


def dispute_facts(
    dispute: Dispute,
    *,
    recorded: dict[str, RecordedFact] | None = None,
    found: Investigated | None = None,
) -> DisputeFacts:
    """Recorded findings first, then the investigation, then the order (channel from the
    store and sale channel, received date), the amount paid and the product (goods kind,
    三包, validity); defaults for what is not known yet. A recorded signing date fills
    one the order lacks (an imported order), so the dispute can be judged. `recorded`
    stands in for the stored findings (a service showing what a change would do);
    `recorded` and `found`, when given, are what was read for many disputes at once."""
    order = dispute.order
    product = dispute.product
    sources: dict[str, str] = {}
    values: dict[str, Any] = {}

    if order is not None and order.store.platform == Store.Platform.OFFLINE:
        values["channel"], sources["channel"] = engine.Channel.OFFLINE, "store"
    elif order is not None:
        values["channel"], sources["channel"] = engine.Channel(order.sale_channel), "order"

    if dispute.amount_paid is not None:
        values["price"], sources["price"] = dispute.amount_paid, "dispute"
    elif order is not None:
        values["price"], sources["price"] = order.amount_paid, "order"

    if order is not None and order.received_at is not None:
        values["received_on"], sources["received_on"] = _shanghai_date(order.received_at), "order"
    values["claim_on"], sources["claim_on"] = _shanghai_date(dispute.received_at), "dispute"

    if product is not None:
        values["goods_kind"] = engine.GoodsKind(product.goods_kind)
        values["three_guarantees"] = product.three_guarantees
        values["warranty_days"] = product.warranty_days
        sources |= dict.fromkeys(("goods_kind", "three_guarantees", "warranty_days"), "product")

    recorded = recorded_facts(dispute) if recorded is None else recorded
    origins: dict[str, tuple[Any, datetime]] = {}
    for name, fact in recorded.items():
        values[name], sources[name] = facts_rules.engine_value(name, fact.value), "recorded"
        origins[name] = (fact.by, fact.at)
    # Before the investigation: a recorded 三包 flag decides what a QC defect is.
    if found is None:
        found = investigated([dispute])[dispute.pk]
    _investigation_facts(found, values, sources, origins, skip=frozenset(recorded))
    if (
        "price" in values
        and "price" not in recorded
        and order is not None
        and found.refunded_elsewhere > 0
    ):
        # A refund the order's other disputes made or agreed (an earlier price
        # difference) comes off: the law returns the price actually paid (legal.md R06).
        net = max(order.amount_paid - found.refunded_elsewhere, Decimal("0.00"))
        if net < values["price"]:
            values["price"], sources["price"] = net, "order_net_of_refunds"

    missing = _missing(order, values)
    facts = None if missing else engine.Facts(**values)
    assumed = tuple(f for f in OPTIONAL_FACTS if f not in sources)
    return DisputeFacts(facts, sources, missing, assumed, values, origins)


def _missing(order, values: dict[str, Any]) -> dict[str, str]:
    missing: dict[str, str] = {}
    if "channel" not in values:
        missing["channel"] = _("投诉未关联订单，无法确定销售方式")
    if "price" not in values:
        missing["price"] = _("不知道顾客实付金额")
    if "received_on" not in values:
        missing["received_on"] = _("订单没有签收时间，期限无从起算")
    elif values["claim_on"] < values["received_on"]:
        missing["received_on"] = _("签收时间晚于受理时间，请核对订单的签收时间")
    return missing


def _investigation_facts(
    found: Investigated,
    values: dict[str, Any],
    sources: dict[str, str],
    origins: dict[str, tuple[Any, datetime]],
    *,
    skip: frozenset[str] = frozenset(),
):
    """What the investigation has established (issue 5 item 2), for facts nobody recorded
    (`skip`):
    - the newest QC report says whether there is a defect; on a product under the 三包
      rules a defect counts as a performance fault (性能故障), otherwise as a quality
      non-conformity — legal.md A12 leaves cosmetic flaws on 三包 goods to people, who
      can read the finding and the engine's note (and may record `defect`);
    - a responsibility finding that puts everything on the customer's misuse means no
      defect the merchant answers for (三包 exclusion R17, and no defect at sale);
    - failed repairs on this order (repair records not fixed, or the same non-user fault
      back within 30 days of a repair: fulfilment's 维修单) count as failed repairs."""
    if "defect" not in skip:
        qc = found.qc
        if qc is not None:
            if not qc.defect_found:
                values["defect"] = engine.Defect.NONE
            elif values.get("three_guarantees"):
                values["defect"] = engine.Defect.PERFORMANCE_FAULT
            else:
                values["defect"] = engine.Defect.QUALITY
            sources["defect"], origins["defect"] = "qc_report", (qc.filed_by, qc.filed_at)

        finding = found.finding
        if finding is not None:
            misuse = rules.RootCause.CUSTOMER_MISUSE.value in (finding.root_causes or [])
            shares = finding.shares or {}
            if misuse and int(shares.get(rules.Party.CUSTOMER.value, 0)) == 100:
                values["defect"] = engine.Defect.NONE
                sources["defect"] = "responsibility"
                origins["defect"] = (finding.decided_by, finding.decided_at)

    if "failed_repairs" not in skip:
        repairs = found.repairs
        if repairs:
            values["failed_repairs"] = repairs
            sources["failed_repairs"] = "repair_records"


@dataclass(frozen=True)
class FactView:
    """One fact of a dispute as `GET …/facts` shows it."""

    value: Any  # the contract's JSON form; None while a required fact is missing
    source: str  # recorded, qc_report, responsibility, repair_records, order, store, product,
    # dispute; "default" for the contract's default, "missing" for a required fact
    by: str | None
    at: datetime | None


def case_fact_views(
    dispute: Dispute,
    *,
    recorded: dict[str, RecordedFact] | None = None,
    gathered: DisputeFacts | None = None,
) -> dict[str, FactView]:
    """Every fact of the contract for this dispute, in contract order: the value the
    engine reads and where it came from. `gathered`: the dispute's facts when already
    read (`dispute_facts`)."""
    if gathered is None:
        gathered = dispute_facts(dispute, recorded=recorded)
    if gathered.facts is not None:
        shown = gathered.facts.as_dict()  # sold_on: the sale date in use
    else:
        defaults = {f.name: f.default for f in fields(engine.Facts) if f.name in OPTIONAL_FACTS}
        shown = {n: facts_rules.json_value(v) for n, v in (defaults | gathered.values).items()}
        shown.setdefault("sold_on", shown.get("received_on"))
    views = {}
    for name in engine.FIELDS:
        source = gathered.sources.get(name) or ("missing" if name in engine.REQUIRED else "default")
        by, at = gathered.origins.get(name, (None, None))
        views[name] = FactView(
            shown.get(name), source, by.get_username() if by is not None else None, at
        )
    return views
