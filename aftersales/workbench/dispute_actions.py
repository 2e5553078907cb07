"""The views the dispute page's own forms post to (dispute_sections): lifecycle actions,
assignment, reclassification, evidence, contact reveal, timers, contacts and notes. Each
asks the permission predicate first (403), then calls the service the API endpoint
calls; a refusal comes back onto the form on the page (422, 403, or 409 for a
conflict), with what was typed kept."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from aftersales.common.errors import Forbidden
from aftersales.common.ratelimit import consume
from aftersales.disputes import contacts, lifecycle, services
from aftersales.disputes import permissions as can
from aftersales.disputes.evidence import evidence_add, evidence_get, evidence_read
from aftersales.disputes.lifecycle import Action
from aftersales.mediation import facts as facts_services
from aftersales.sla import timers
from aftersales.triage.corrections import dispute_reclassify

from . import dispute_forms as f
from . import dispute_sections as sections
from .dispute_page import dispute_or_404, render_dispute
from .form_views import act, dispute_form, found_or_404

# RATE_LIMITS scopes of the API's GET …/contact (aftersales.api.throttling).
REVEAL_LIMITS = ("contact_reveal_minute", "contact_reveal_day")


@login_required
@require_POST
def dispute_action(request, number: str, action: str):
    """A generic lifecycle action (the actions endpoint's door) with its form."""
    dispute = dispute_or_404(request, number)
    move = Action(action)
    form = f.ACTION_FORMS[move](request.POST, prefix=move.value)
    return act(
        request,
        dispute,
        form,
        lambda d: services.dispute_apply(
            dispute=dispute,
            action=move.value,
            actor=request.user,
            version=d["version"],
            reason=d.get("reason") or "",
            payload=form.payload(),
        ),
        allowed=can.can_act(request.user, dispute, move),
        renames=f.ERROR_FIELDS,
        fresh=lambda: {"version": dispute.version},
        key=f"action_{move.value}",
        anchor="actions",
        message=_("已执行：%(action)s") % {"action": move.label},
    )


dispute_assign = dispute_form(
    form=f.AssignForm,
    prefix="assign",
    allowed=can.can_assign,
    call=lambda p: services.dispute_assign(
        dispute=p.dispute,
        actor=p.user,
        version=p.data["version"],
        team=p.data["team"],
        assignee=p.data["assignee"],
    ),
    anchor="assign",
    message=_lazy("已分派"),
)

dispute_reclassify_view = dispute_form(
    form=f.ReclassifyForm,
    prefix="reclassify",
    allowed=can.can_reclassify,
    call=lambda p: dispute_reclassify(
        dispute=p.dispute,
        actor=p.user,
        version=p.data["version"],
        reason=p.data["reason"],
        category=p.data["category"],
        severity=p.data["severity"],
    ),
    anchor="classification",
    message=_lazy("分类已更正"),
)

# Pause the pausable clocks while waiting on the customer, or resume them.
dispute_timers_pause = dispute_form(
    form=f.PauseForm,
    prefix="pause",
    allowed=can.can_pause_timers,
    call=lambda p: timers.timers_pause(
        dispute=p.dispute, actor=p.user, reason=p.data.get("reason", "")
    ),
    anchor="clocks",
    message=_lazy("计时已暂停"),
)
dispute_timers_resume = dispute_form(
    form=f.ResumeForm,
    prefix="resume",
    allowed=can.can_pause_timers,
    call=lambda p: timers.timers_resume(
        dispute=p.dispute, actor=p.user, reason=p.data.get("reason", "")
    ),
    anchor="clocks",
    message=_lazy("计时已恢复"),
)


@login_required
@require_POST
def dispute_reveal(request, number: str):
    """The full phone number, for calling the customer; the look is on the timeline."""
    dispute = dispute_or_404(request, number)
    if not can.can_reveal_contact(request.user, dispute):
        raise PermissionDenied
    # The API's limits, counted in the same windows (GET …/contact): per user.
    for scope in REVEAL_LIMITS:
        wait = consume(scope, f"user:{request.user.pk}")
        if wait is not None:
            minutes = max(1, math.ceil(wait / 60))
            messages.error(
                request,
                _("查看完整号码过于频繁，请在 %(minutes)s 分钟后再试") % {"minutes": minutes},
            )
            response = render_dispute(request, dispute, status=429)
            response["Retry-After"] = str(math.ceil(wait))
            return response
    try:
        phone = services.dispute_reveal_contact(dispute=dispute, actor=request.user)
    except Forbidden:
        raise PermissionDenied from None
    if getattr(request, "htmx", False):
        return render(
            request,
            "workbench/dispute/core_phone.html",
            {"dispute": dispute, "core_phone": phone},
        )
    return render_dispute(request, dispute, bound={"revealed": phone})


dispute_evidence_upload = dispute_form(
    form=f.EvidenceForm,
    prefix="evidence",
    allowed=can.can_add_evidence,
    call=lambda p: evidence_add(
        dispute=p.dispute, upload=p.data["file"], actor=p.user, note=p.data.get("note", "")
    ),
    anchor="evidence",
    message=lambda form: (
        _("该文件此前已上传过，未重复保存") if form.result.duplicate else _("证据已上传")
    ),
)


@login_required
@require_GET
def dispute_evidence_file(request, number: str, evidence_id: int):
    """An evidence file, read by staff who may see the dispute; every read is on the
    timeline. A download is an attachment; `?view=1` shows an image, video or PDF in
    the page (the preview a person opens)."""
    dispute = dispute_or_404(request, number)
    evidence = found_or_404(lambda: evidence_get(dispute=dispute, evidence_id=evidence_id))
    handle = evidence.file.open("rb")
    evidence_read(evidence=evidence, actor=request.user)
    inline = request.GET.get("view") == "1" and evidence.kind in ("image", "video", "pdf")
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-SHA256"] = evidence.stored_sha256
    response["X-Content-Type-Options"] = "nosniff"
    return response


dispute_contact = dispute_form(
    form=f.ContactForm,
    prefix="contact",
    allowed=can.can_record_contact,
    call=lambda p: contacts.contact_record(
        dispute=p.dispute,
        actor=p.user,
        channel=p.data["channel"],
        direction=p.data["direction"],
        summary=p.data["summary"],
        outcome=p.data.get("outcome", ""),
        at=p.data.get("at"),
    ),
    anchor="contacts",
    message=_lazy("联系已记录"),
)

dispute_note = dispute_form(
    form=f.NoteForm,
    prefix="note",
    allowed=can.can_add_note,
    call=lambda p: contacts.note_add(dispute=p.dispute, actor=p.user, text=p.data["text"]),
    anchor="notes",
    message=_lazy("备注已添加"),
)


@login_required
@require_POST
def dispute_facts(request, number: str):
    """Record one case fact the entitlements read, with its reason and evidence."""
    dispute = dispute_or_404(request, number)
    names = sections.recordable_facts(request.user, dispute)
    form = f.FactsForm(
        request.POST, prefix="facts", names=names, evidence=dispute.evidence.order_by("id")
    )
    kinds = sections.fact_kinds()
    renames = {f"facts.{n}": "value" for n in kinds} | {"facts": "name"}
    renames |= {f"evidence_ids.{i}": "evidence_ids" for i in range(50)}
    return act(
        request,
        dispute,
        form,
        lambda d: facts_services.facts_record(
            dispute=dispute,
            actor=request.user,
            facts={d["name"]: f.fact_value(d["name"], d.get("value", ""), kinds)},
            reason=d["reason"],
            evidence_ids=d.get("evidence_ids") or (),
        ),
        allowed=bool(names),
        renames=renames,
        key="facts",
        anchor="facts",
        message=_("案件事实已记录"),
    )


D = "disputes/<str:number>/"
urlpatterns = [
    *[
        path(
            f"{D}actions/{a.value}",
            dispute_action,
            {"action": a.value},
            name=f"dispute_action_{a.value}",
        )
        for a in f.ACTION_FORMS
        if a in lifecycle.GENERIC
    ],
    path(f"{D}assignment", dispute_assign, name="dispute_assign"),
    path(f"{D}classification", dispute_reclassify_view, name="dispute_reclassify"),
    path(f"{D}timers/pause", dispute_timers_pause, name="dispute_timers_pause"),
    path(f"{D}timers/resume", dispute_timers_resume, name="dispute_timers_resume"),
    path(f"{D}contact/reveal", dispute_reveal, name="dispute_reveal"),
    path(f"{D}evidence/", dispute_evidence_upload, name="dispute_evidence_upload"),
    path(f"{D}evidence/<int:evidence_id>", dispute_evidence_file, name="dispute_evidence_file"),
    path(f"{D}contacts/", dispute_contact, name="dispute_contact"),
    path(f"{D}notes/", dispute_note, name="dispute_note"),
    path(f"{D}facts/", dispute_facts, name="dispute_facts"),
]
