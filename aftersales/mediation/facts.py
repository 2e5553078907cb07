"""Recording case facts (记录案件事实): the findings the entitlements engine needs — fraud, a
proven loss, failed repairs, intactness, a missing signing date — each with a reason and
the evidence behind it. A PUT merges: facts it does not name keep their value. One
transaction; everything is checked before anything is written; a change is one
FACTS_RECORDED timeline event with before and after per fact, plus one CaseFact row per
fact (see facts_models.py for why rows are append-only)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.disputes.models import Dispute, Evidence
from aftersales.disputes.permissions import facts_refused
from aftersales.disputes.timeline import record
from aftersales.parties.actors import user_of

from . import facts_rules as rules
from . import selectors
from .facts_models import CaseFact
from .investigation_rules import Problem
from .timeline import MediationKind


def _message(problem: Problem) -> str:
    p = problem.params
    messages = {
        "facts_required": lambda: (
            _("请以对象形式填写至少一项事实，可记录：%(choices)s")
            % {"choices": "、".join(p["choices"])}
        ),
        "fact_unknown": lambda: (
            _("未知的事实，可记录：%(choices)s") % {"choices": "、".join(p["choices"])}
        ),
        "fact_invalid": lambda: p["message"],  # the contract's own message, as the CLI
        "reason_required": lambda: _("请写明记录这些事实的依据"),
        "reason_too_long": lambda: _("不能超过 %(max)d 个字符") % {"max": p["max"]},
        "evidence_ids_list": lambda: _("应为证据编号的列表"),
        "evidence_ids_too_many": lambda: _("最多 %(max)d 项") % {"max": p["max"]},
        "evidence_id_invalid": lambda: _("应为证据编号（正整数）"),
        "evidence_not_here": lambda: _("证据 %(id)s 不属于该投诉") % {"id": p["id"]},
    }
    return messages[problem.code]()


def _refuse(problems: Sequence[Problem]) -> ValidationFailed:
    fields: dict[str, str] = {}
    for problem in problems:
        fields.setdefault(problem.field, _message(problem))
    return ValidationFailed(_("案件事实有误，未作任何记录"), fields=fields)


@dataclass(frozen=True)
class Change:
    """One fact a PUT changed: the value in force before and after, and its source."""

    name: str
    before: Any
    before_source: str
    after: Any
    after_source: str


def _evidence_problems(dispute: Dispute, ids: Sequence[int]) -> list[Problem]:
    found = set(
        Evidence.objects.filter(dispute=dispute, pk__in=list(ids)).values_list("pk", flat=True)
    )
    return [
        Problem(f"evidence_ids.{i}", "evidence_not_here", {"id": v})
        for i, v in enumerate(ids)
        if v not in found
    ]


@transaction.atomic
def facts_record(
    *,
    dispute: Dispute,
    actor,
    facts: Mapping[str, Any],
    reason: str,
    evidence_ids: Sequence[int] = (),
    at: dt.datetime | None = None,
) -> list[Change]:
    """Record findings on a dispute (a merge); returns what changed, [] when nothing did
    (then nothing is written). 422 names every wrong field, 403 every fact the actor may
    not record (permissions.FACT_RECORDERS), 409 on a closed dispute."""
    wanted, problems = rules.parse_recorded(facts)
    problems += rules.reason_problems(reason) + rules.evidence_id_problems(evidence_ids)
    if not problems:
        problems = _evidence_problems(dispute, evidence_ids or ())
    if problems:
        raise _refuse(problems)
    refused = facts_refused(actor, dispute, wanted)
    if refused:
        message = _("您没有记录以下事实的权限：%(facts)s") % {"facts": "、".join(refused)}
        raise Forbidden(message, fields={f"facts.{n}": message for n in refused})

    locked = (
        Dispute.objects.select_for_update(of=("self",))  # the order is an outer join
        .select_related("order__store", "product")
        .get(pk=dispute.pk)
    )
    if not locked.is_open:
        raise Conflict(
            _("投诉 %(number)s 已结束") % {"number": locked.number}, code="dispute_closed"
        )
    current = selectors.recorded_facts(locked)
    changed = rules.changes({n: f.value for n, f in current.items()}, wanted)
    if not changed:
        return []

    now = at or timezone.now()
    reason = reason.strip()
    ids = list(dict.fromkeys(evidence_ids or ()))
    after_recorded = dict(current)
    for name, (_before, value) in changed.items():
        if value is None:
            after_recorded.pop(name, None)
        else:
            after_recorded[name] = selectors.RecordedFact(value, actor, now, reason, ids)
    before_views = selectors.case_fact_views(locked, recorded=current)
    after_views = selectors.case_fact_views(locked, recorded=after_recorded)
    result = [
        Change(
            name,
            before_views[name].value,
            before_views[name].source,
            after_views[name].value,
            after_views[name].source,
        )
        for name in changed
    ]
    event = record(
        MediationKind.FACTS_RECORDED,
        dispute_id=locked.pk,
        actor=actor,
        reason=reason,
        payload={
            "facts": {
                c.name: {
                    "before": c.before,
                    "before_source": c.before_source,
                    "after": c.after,
                    "after_source": c.after_source,
                    "recorded": changed[c.name][1],  # null: the recorded finding withdrawn
                }
                for c in result
            },
            "evidence_ids": ids,
        },
        at=now,
    )
    CaseFact.objects.bulk_create(
        CaseFact(
            dispute_id=locked.pk,
            name=name,
            value=value,
            reason=reason,
            evidence_ids=ids,
            event=event,
            recorded_by=user_of(actor),
            recorded_at=now,
        )
        for name, (_before, value) in changed.items()
    )
    return result
