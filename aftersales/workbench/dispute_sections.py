"""The dispute page's own sections: header with status, category, severity and clocks;
the allowed lifecycle actions; assignment; the customer and order panel; classification
in words; evidence; contacts and internal notes; the timeline (newest first); and, when
a form came back stale, what changed since the user looked. (`dispute_actions` holds the
views their forms post to; `dispute_forms` the forms.)

The page read what the sections share (`dispute_page.PageReads`) and found the dispute
in the user's scope: the predicates here are asked about the operation alone."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet, Value
from django.utils.translation import gettext as _

from aftersales.disputes import lifecycle, selectors
from aftersales.disputes import permissions as can
from aftersales.disputes.contacts import contact_label
from aftersales.disputes.lifecycle import Action, Status
from aftersales.disputes.models import Dispute
from aftersales.disputes.taxonomy import Category
from aftersales.disputes.timeline import DisputeKind
from aftersales.intake.customer_messages import reopen_request_pending
from aftersales.mediation import entitlements
from aftersales.mediation import selectors as mediation_selectors
from aftersales.mediation.facts_rules import RECORDABLE
from aftersales.sla.sources import source_of
from aftersales.triage.timeline import TriageKind

from . import dispute_forms as f
from .forms_support import stale_changes

if TYPE_CHECKING:
    from .dispute_page import PageReads

PREVIOUS_MAX = 10
LIVE_TIMER_STATES = ("running", "paused")


def _label(choices, code: str) -> str:
    return choices(code).label if code in choices.values else code


def _labels(choices) -> dict[str, str]:
    """Each code of `choices` with its label in the reader's language, looked up once
    for a page rather than once per row."""
    return {code: str(label) for code, label in choices.choices}


def _clocks(timers: list) -> list[dict[str, Any]]:
    out = []
    for view in timers:
        if view.state not in LIVE_TIMER_STATES:
            continue
        # Where the limit comes from (时限来源): the SLA's one answer, as the queue shows it.
        source = source_of(view.kind)
        out.append({"t": view, "source": source.value, "source_label": source.label})
    return sorted(out, key=lambda c: c["t"].due_at)


def signal_sentences(classification: dict | None, category: str) -> list[str]:
    """The classifier's signals as an agent reads them: a rule's hit ("安全隐患:漏电")
    becomes “描述中出现“漏电”，提示安全隐患”; the model's words ("模型:漏水") together
    become “描述中出现“漏水”“泡坏”，与商品质量问题相符”."""
    if not classification:
        return []
    sentences, words = [], []
    for signal in classification.get("signals") or []:
        label, _sep, word = str(signal).partition(":")
        if not word:
            continue
        if label == "模型":
            words.append(word)
        else:
            sentences.append(
                _("描述中出现“%(word)s”，提示%(label)s") % {"word": word, "label": label}
            )
    if words:
        quoted = "".join(f"“{w}”" for w in words)
        sentences.append(
            _("描述中出现%(words)s，与%(category)s相符")
            % {"words": quoted, "category": _label(Category, category)}
        )
    return sentences


def fact_kinds() -> dict[str, str]:
    """Each fact of the entitlements contract and its type's name (bool, int, …)."""
    return {f.name: str(getattr(f.type, "__name__", f.type)) for f in fields(entitlements.Facts)}


def recordable_facts(user, dispute: Dispute) -> list[str]:
    """The facts `user` may record on `dispute` (permissions.facts_refused)."""
    refused = set(can.facts_refused(user, dispute, RECORDABLE))
    return [name for name in RECORDABLE if name not in refused]


def _facts(request, dispute: Dispute, bound: dict, reads: PageReads) -> dict[str, Any] | None:
    names = []
    if dispute.is_open:
        # In scope already (the page's dispute): the operation and each fact's recorders.
        refused = set(can.facts_refused(request.user, None, RECORDABLE))
        names = [name for name in RECORDABLE if name not in refused]
    views = mediation_selectors.case_fact_views(dispute, gathered=reads.facts)
    rows = [
        {
            "name": name,
            "label": f.FACT_LABELS.get(name, name),
            "value": view.value,
            "source": view.source,
            "by": view.by,
        }
        for name, view in views.items()
    ]
    form = bound.get("facts")
    if form is None and names:
        form = f.FactsForm(prefix="facts", names=names, evidence=reads.evidence)
    return {"rows": rows, "form": form}


def _actions(request, dispute: Dispute, bound: dict, timeline: list) -> list[dict[str, Any]]:
    """The generic lifecycle actions the dispute offers and the user may apply, each with
    its form (the bound one when it came back). A closed dispute offers 重新打开 while its
    customer's request to reopen waits, to the team lead."""
    asked = reopen_request_pending(dispute, timeline=timeline)
    out = []
    for action in lifecycle.offered(dispute.status, reopen_asked=asked):
        if action not in lifecycle.GENERIC or action not in f.ACTION_FORMS:
            continue
        if dispute.status == Status.CLOSED:
            if not can.can_act(request.user, dispute, action):
                continue
        elif not can.may_apply(request.user, action):  # the dispute is in scope already
            continue
        key = f"action_{action.value}"
        form = bound.get(key) or f.ACTION_FORMS[action](
            prefix=action.value, initial={"version": dispute.version}
        )
        out.append(
            {
                "action": action.value,
                "label": action.label,
                "form": form,
                "url_name": f"workbench:dispute_action_{action.value}",
                "destructive": action in f.DESTRUCTIVE,
                "open": key in bound,
            }
        )
    return out


def _form(bound: dict, key: str, cls, dispute: Dispute, **initial):
    if key in bound:
        return bound[key]
    if "version" in cls.base_fields:
        initial["version"] = dispute.version
    return cls(prefix=key, initial=initial)


def _previous(request, dispute: Dispute) -> dict[str, list[Dispute]]:
    """The customer's other disputes and the order's, newest first, PREVIOUS_MAX each;
    in one statement where the database can limit each part of a UNION."""
    visible = selectors.disputes_visible_to(request.user).exclude(pk=dispute.pk)
    fields = ("number", "status", "category", "received_at")

    def newest(group: str, **where) -> QuerySet:
        found = visible.filter(**where).only(*fields).annotate(group=Value(group))
        return found.order_by("-received_at")[:PREVIOUS_MAX]

    parts = [newest("customer", customer_id=dispute.customer_id)]
    if dispute.order_id:
        parts.append(newest("order", order_id=dispute.order_id))
    if len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(parts[1], all=True))
    else:
        rows = [d for part in parts for d in part]
    rows.sort(key=lambda d: d.received_at, reverse=True)
    return {
        "customer": [d for d in rows if d.group == "customer"],
        "order": [d for d in rows if d.group == "order"],
    }


def _conflict(bound: dict, timeline: list) -> dict[str, Any] | None:
    """For a form that came back stale: what changed since (the page read the timeline
    already, with the actors and the labels)."""
    stale = next((form for form in bound.values() if getattr(form, "conflict", None)), None)
    return None if stale is None else stale_changes(stale, timeline)


def _timeline(timeline: list) -> list:
    actions, statuses = _labels(Action), _labels(Status)
    for event in timeline:
        # Labels for the codes stored on the event (received → 受理), in the reader's
        # language; a code no longer known shows as itself.
        event.action_label = actions.get(event.action, event.action)
        event.from_label = statuses.get(event.from_status, event.from_status)
        event.to_label = statuses.get(event.to_status, event.to_status)
        if event.kind == DisputeKind.CUSTOMER_CONTACTED:
            event.contact_label = contact_label(event.payload)
    return timeline


def context(request, dispute: Dispute, bound: dict, reads: PageReads) -> dict[str, Any]:
    user = request.user
    timeline = _timeline(reads.timeline)
    classified = next((e for e in reversed(timeline) if e.kind == TriageKind.CLASSIFIED), None)
    classification = classified.payload if classified else None
    is_open = dispute.is_open
    may_pause = can.can_pause_timers(user) and is_open
    clocks = _clocks(reads.timers)
    forms = {
        "assign": _form(
            bound,
            "assign",
            f.AssignForm,
            dispute,
            team=dispute.team.code if dispute.team_id else None,
            assignee=dispute.assignee.get_username() if dispute.assignee_id else None,
        )
        if is_open and can.can_assign(user)
        else None,
        "reclassify": _form(
            bound,
            "reclassify",
            f.ReclassifyForm,
            dispute,
            category=dispute.category,
            severity=dispute.severity,
        )
        if can.can_reclassify(user)
        else None,
        "pause": _form(bound, "pause", f.PauseForm, dispute)
        if may_pause and any(c["t"].state == "running" for c in clocks)
        else None,
        "resume": _form(bound, "resume", f.ResumeForm, dispute)
        if may_pause and any(c["t"].paused for c in clocks)
        else None,
        "evidence": _form(bound, "evidence", f.EvidenceForm, dispute)
        if can.can_add_evidence(user)
        else None,
        "contact": _form(bound, "contact", f.ContactForm, dispute)
        if can.can_record_contact(user)
        else None,
        "note": _form(bound, "note", f.NoteForm, dispute) if can.can_add_note(user) else None,
    }
    newest_first = timeline[::-1]
    return {
        "timeline": newest_first,
        "classification": classification,
        "tasks": reads.investigation.tasks,
        "groups": list(dispute.group_complaints.order_by("-created_at")),
        "core_clocks": clocks,
        "core_actions": _actions(request, dispute, bound, reads.timeline),
        "core_forms": forms,
        "core_signals": signal_sentences(classification, dispute.category),
        "core_can_reveal": can.can_reveal_contact(user),
        "core_phone": bound.get("revealed"),
        "core_previous": _previous(request, dispute),
        "core_evidence": reads.evidence,
        "core_facts": _facts(request, dispute, bound, reads),
        "core_contacts": [e for e in newest_first if e.kind == DisputeKind.CUSTOMER_CONTACTED],
        "core_notes": [e for e in newest_first if e.kind == DisputeKind.INTERNAL_NOTE],
        "core_conflict": _conflict(bound, timeline),
        "core_max_bytes": f.settings.EVIDENCE_MAX_BYTES,
    }
