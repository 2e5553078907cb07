"""/api/v1/disputes/{number}/facts: the facts the entitlements engine reads on a dispute —
recorded findings, the investigation's, the order's and the product's — and recording
findings (fraud, loss, failed repairs, …) with a reason and evidence. docs/entitlements.md."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from aftersales.disputes import selectors as dispute_selectors
from aftersales.mediation import facts as services
from aftersales.mediation import selectors

from .schemas import ErrorOut

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class FactsIn(Schema):
    # Values of any JSON type: the contract's parsing explains a wrong one, naming it.
    facts: dict[str, Any]
    reason: str = ""
    evidence_ids: list[Any] | None = None  # ids of this dispute's evidence


class FactOut(Schema):
    value: Any  # the `aftersales entitlements` JSON form; null: a required fact missing
    source: str  # recorded, qc_report, responsibility, executions, order, store, product,
    # dispute, default, missing
    by: str | None
    at: dt.datetime | None


class FactsOut(Schema):
    number: str
    facts: dict[str, FactOut]
    changed: list[str]  # the facts this request changed (PUT); [] on GET


def _facts(dispute, changed=()) -> dict:
    views = selectors.case_fact_views(dispute)
    return {
        "number": dispute.number,
        "facts": {name: vars(view) for name, view in views.items()},
        "changed": list(changed),
    }


@router.get(
    "/{number}/facts",
    response={200: FactsOut, **ERRORS},
    summary="案件事实 / The case facts the entitlements rest on",
)
def get_facts(request: HttpRequest, number: str):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    return _facts(dispute)


@router.put(
    "/{number}/facts",
    response={200: FactsOut, 400: ErrorOut, **ERRORS},
    summary="记录案件事实 / Record case facts (a merge)",
)
def record_facts(request: HttpRequest, number: str, payload: FactsIn):
    dispute = dispute_selectors.dispute_get(number=number, user=request.auth)
    changes = services.facts_record(
        dispute=dispute,
        actor=request.auth,
        facts=payload.facts,
        reason=payload.reason,
        evidence_ids=payload.evidence_ids or (),
    )
    return _facts(dispute, [c.name for c in changes])
