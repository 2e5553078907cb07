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
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.common.errors import DomainError, Forbidden, NotFound
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
from .dispute_page import dispute_or_404, dispute_url, render_dispute
from .forms_support import done, submit

# RATE_LIMITS scopes of the API's GET …/contact (aftersales.api.throttling).
REVEAL_LIMITS = ("contact_reveal_minute", "contact_reveal_day")


def _attempt(form, call, renames: dict[str, str] | None = None) -> bool:
    """`submit`, noting a refusal by permission (`form.forbidden`) and moving errors the
    service names by its own field names onto the form's (`renames`)."""
    form.forbidden = False

    def run(data):
        try:
            return call(data)
        except Forbidden:
            form.forbidden = True
            raise
        except DomainError as error:
            if renames:
                error.fields = {renames.get(k, k): v for k, v in error.fields.items()}
            raise

    return submit(form, run)


def _status(form) -> int:
    if getattr(form, "conflict", None):
        return 409
    return 403 if getattr(form, "forbidden", False) else 422


def _finish(request, dispute, *, key, form, ok, anchor, message):
    if ok:
        messages.success(request, message)
        return done(request, dispute_url(dispute, anchor))
    return render_dispute(request, dispute, bound={key: form}, status=_status(form))


def _allowed(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


@login_required
@require_POST
def dispute_action(request, number: str, action: str):
    """A generic lifecycle action (the actions endpoint's door) with its form."""
    dispute = dispute_or_404(request, number)
    act = Action(action)
    _allowed(can.can_act(request.user, dispute, act))
    form = f.ACTION_FORMS[act](request.POST, prefix=act.value)

    def call(data):
        return services.dispute_apply(
            dispute=dispute,
            action=act.value,
            actor=request.user,
            version=data["version"],
            reason=data.get("reason") or "",
            payload=form.payload(),
        )

    ok = _attempt(form, call, f.ERROR_FIELDS)
    return _finish(
        request,
        dispute,
        key=f"action_{act.value}",
        form=form,
        ok=ok,
        anchor="actions",
        message=_("已执行：%(action)s") % {"action": act.label},
    )


@login_required
@require_POST
def dispute_assign(request, number: str):
    dispute = dispute_or_404(request, number)
    _allowed(can.can_assign(request.user, dispute))
    form = f.AssignForm(request.POST, prefix="assign")
    ok = _attempt(
        form,
        lambda d: services.dispute_assign(
            dispute=dispute,
            actor=request.user,
            version=d["version"],
            team=d["team"],
            assignee=d["assignee"],
        ),
    )
    return _finish(
        request, dispute, key="assign", form=form, ok=ok, anchor="assign", message=_("已分派")
    )


@login_required
@require_POST
def dispute_reclassify_view(request, number: str):
    dispute = dispute_or_404(request, number)
    _allowed(can.can_reclassify(request.user, dispute))
    form = f.ReclassifyForm(request.POST, prefix="reclassify")
    ok = _attempt(
        form,
        lambda d: dispute_reclassify(
            dispute=dispute,
            actor=request.user,
            version=d["version"],
            reason=d["reason"],
            category=d["category"],
            severity=d["severity"],
        ),
    )
    return _finish(
        request,
        dispute,
        key="reclassify",
        form=form,
        ok=ok,
        anchor="classification",
        message=_("分类已更正"),
    )


@login_required
@require_POST
def dispute_timers(request, number: str, what: str):
    """Pause the pausable clocks while waiting on the customer, or resume them."""
    dispute = dispute_or_404(request, number)
    _allowed(can.can_pause_timers(request.user, dispute))
    if what == "pause":
        form = f.PauseForm(request.POST, prefix="pause")
        service, message = timers.timers_pause, _("计时已暂停")
    else:
        form = f.ResumeForm(request.POST, prefix="resume")
        service, message = timers.timers_resume, _("计时已恢复")
    ok = _attempt(
        form, lambda d: service(dispute=dispute, actor=request.user, reason=d.get("reason", ""))
    )
    return _finish(request, dispute, key=what, form=form, ok=ok, anchor="clocks", message=message)


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


@login_required
@require_POST
def dispute_evidence_upload(request, number: str):
    dispute = dispute_or_404(request, number)
    _allowed(can.can_add_evidence(request.user, dispute))
    form = f.EvidenceForm(request.POST, request.FILES, prefix="evidence")
    ok = _attempt(
        form,
        lambda d: evidence_add(
            dispute=dispute, upload=d["file"], actor=request.user, note=d.get("note", "")
        ),
    )
    if ok and form.result.duplicate:
        message = _("该文件此前已上传过，未重复保存")
    else:
        message = _("证据已上传")
    return _finish(
        request, dispute, key="evidence", form=form, ok=ok, anchor="evidence", message=message
    )


@login_required
@require_GET
def dispute_evidence_file(request, number: str, evidence_id: int):
    """An evidence file, read by staff who may see the dispute; every read is on the
    timeline. A download is an attachment; `?view=1` shows an image, video or PDF in
    the page (the preview a person opens)."""
    dispute = dispute_or_404(request, number)
    try:
        evidence = evidence_get(dispute=dispute, evidence_id=evidence_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
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


@login_required
@require_POST
def dispute_contact(request, number: str):
    dispute = dispute_or_404(request, number)
    _allowed(can.can_record_contact(request.user, dispute))
    form = f.ContactForm(request.POST, prefix="contact")
    ok = _attempt(
        form,
        lambda d: contacts.contact_record(
            dispute=dispute,
            actor=request.user,
            channel=d["channel"],
            direction=d["direction"],
            summary=d["summary"],
            outcome=d.get("outcome", ""),
            at=d.get("at"),
        ),
    )
    return _finish(
        request,
        dispute,
        key="contact",
        form=form,
        ok=ok,
        anchor="contacts",
        message=_("联系已记录"),
    )


@login_required
@require_POST
def dispute_note(request, number: str):
    dispute = dispute_or_404(request, number)
    _allowed(can.can_add_note(request.user, dispute))
    form = f.NoteForm(request.POST, prefix="note")
    ok = _attempt(
        form, lambda d: contacts.note_add(dispute=dispute, actor=request.user, text=d["text"])
    )
    return _finish(
        request, dispute, key="note", form=form, ok=ok, anchor="notes", message=_("备注已添加")
    )


@login_required
@require_POST
def dispute_facts(request, number: str):
    """Record one case fact the entitlements read, with its reason and evidence."""
    dispute = dispute_or_404(request, number)
    names = sections.recordable_facts(request.user, dispute)
    _allowed(bool(names))
    form = f.FactsForm(
        request.POST, prefix="facts", names=names, evidence=dispute.evidence.order_by("id")
    )
    kinds = sections.fact_kinds()
    renames = {f"facts.{n}": "value" for n in kinds} | {"facts": "name"}
    renames |= {f"evidence_ids.{i}": "evidence_ids" for i in range(50)}
    ok = _attempt(
        form,
        lambda d: facts_services.facts_record(
            dispute=dispute,
            actor=request.user,
            facts={d["name"]: f.fact_value(d["name"], d.get("value", ""), kinds)},
            reason=d["reason"],
            evidence_ids=d.get("evidence_ids") or (),
        ),
        renames,
    )
    return _finish(
        request, dispute, key="facts", form=form, ok=ok, anchor="facts", message=_("案件事实已记录")
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
    path(f"{D}timers/pause", dispute_timers, {"what": "pause"}, name="dispute_timers_pause"),
    path(f"{D}timers/resume", dispute_timers, {"what": "resume"}, name="dispute_timers_resume"),
    path(f"{D}contact/reveal", dispute_reveal, name="dispute_reveal"),
    path(f"{D}evidence/", dispute_evidence_upload, name="dispute_evidence_upload"),
    path(f"{D}evidence/<int:evidence_id>", dispute_evidence_file, name="dispute_evidence_file"),
    path(f"{D}contacts/", dispute_contact, name="dispute_contact"),
    path(f"{D}notes/", dispute_note, name="dispute_note"),
    path(f"{D}facts/", dispute_facts, name="dispute_facts"),
]
