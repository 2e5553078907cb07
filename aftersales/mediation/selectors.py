"""Reads for mediation, by what they read: `fact_selectors` (a dispute's facts as the
entitlements engine needs them, and where each came from), `entitlement_selectors` (what
the engine makes of them, with labels and deadlines), `investigation_selectors` (tasks,
meetings, findings, escalations), `proposal_selectors` (proposals and the order's money).
This module names them all, so callers keep reading `selectors.<name>`."""

from __future__ import annotations

from .entitlement_selectors import (
    ANCHOR_LABELS,
    ENTITLEMENT_LABELS,
    PAYER_LABELS,
    DisputeEntitlements,
    EntitlementRow,
    EntitlementsView,
    WindowRow,
    dispute_entitlements,
    dispute_entitlements_view,
    disputes_entitlements,
    end_of_day,
)
from .fact_selectors import (
    INVESTIGATION_FACTS,
    OPTIONAL_FACTS,
    SHANGHAI,
    DisputeFacts,
    FactView,
    Investigated,
    RecordedFact,
    case_fact_views,
    dispute_facts,
    investigated,
    investigated_from,
    recorded_facts,
    recorded_facts_of,
)
from .investigation_selectors import (
    Investigation,
    concluded_in,
    dispute_escalation,
    dispute_investigation,
    dispute_task,
    qc_notified_in,
)
from .proposal_selectors import refunded_elsewhere

__all__ = [
    "ANCHOR_LABELS",
    "ENTITLEMENT_LABELS",
    "INVESTIGATION_FACTS",
    "OPTIONAL_FACTS",
    "PAYER_LABELS",
    "SHANGHAI",
    "DisputeEntitlements",
    "DisputeFacts",
    "EntitlementRow",
    "EntitlementsView",
    "FactView",
    "Investigated",
    "Investigation",
    "RecordedFact",
    "WindowRow",
    "case_fact_views",
    "concluded_in",
    "dispute_entitlements",
    "dispute_entitlements_view",
    "dispute_escalation",
    "dispute_facts",
    "dispute_investigation",
    "dispute_task",
    "disputes_entitlements",
    "end_of_day",
    "investigated",
    "investigated_from",
    "qc_notified_in",
    "recorded_facts",
    "recorded_facts_of",
    "refunded_elsewhere",
]
