"""The signed-in customer's disputes: the list of their own, and each one's tracking page
— where it stands in their words, the next deadline the merchant owes them, the
messages both ways with a form to write (and attach photos), the proposal, the
after-sale orders, the rating and the withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.common.errors import Conflict, DomainError, NotFound
from aftersales.disputes.evidence import evidence_add, files_removed_on_failure
from aftersales.disputes.lifecycle import OPEN, Action, Owner, Status
from aftersales.disputes.services import dispute_apply
from aftersales.followup.visits import customer_rating
from aftersales.intake.conversation import conversation
from aftersales.intake.customer_messages import customer_message_post
from aftersales.mediation.models import ProposalState
from aftersales.notifications.delivery import message_read
from aftersales.parties.actors import customer_actor
from aftersales.sla.models import Timer
from aftersales.sla.selectors import timer_views

from . import limits, orders_section, session, wording
from .doors import Door, door_view, signed_in_only
from .evidence import evidence_help, evidence_widget_attrs
from .forms import MessageForm, RatingForm, WithdrawForm, refusals, submit
from .proposal_page import awaiting_answer, current_proposal

COUNTING = (Timer.State.RUNNING, Timer.State.BREACHED)  # paused: waiting for the customer


@require_GET
@signed_in_only
def dispute_list(request):
    rows = []
    for dispute in session.customer_disputes(request.customer):
        # Only a dispute in mediation can be waiting for the customer's answer.
        awaiting = dispute.status == Status.PROPOSING and awaiting_answer(dispute)
        rows.append(
            {
                "dispute": dispute,
                "status": wording.customer_status(dispute.status, awaiting_answer=awaiting),
            }
        )
    return render(request, "portal/disputes.html", {"rows": rows})


def next_deadline(dispute, now=None) -> dict | None:
    """The soonest deadline still counting on the dispute, in the customer's words."""
    now = now or timezone.now()
    counting = [t for t in timer_views(dispute, now) if t.state in COUNTING and t.subject == ""]
    if not counting:
        return None
    soonest = min(counting, key=lambda t: t.due_at)
    return {
        "what": wording.deadline_words(soonest.kind),
        "due_at": soonest.due_at,
        "overdue": soonest.due_at < now,
    }


PROPOSAL_MESSAGE = "proposal"  # the OutboundMessage template of a sent proposal


def _entries(dispute) -> list[dict]:
    """The conversation as the customer reads it. A proposal's message is kept without
    its link and code (they exist only in what was sent): here it says where to read it."""
    entries = conversation(dispute)
    for e in entries:
        if e.direction == "out" and e.message_id is not None:
            # The portal inbox: shown to the customer, so read (and delivered) now.
            message_read(message_id=e.message_id, dispute_id=dispute.pk)
    return [
        {
            "mine": e.direction == "in",
            "at": e.at,
            "text": _("我们给您发送了处理方案，可点击本页的“查看处理方案”阅读和答复。")
            if e.kind == PROPOSAL_MESSAGE
            else e.text,
            "subject": e.subject,
            "attachments": len(e.attachments),
        }
        for e in entries
    ]


def tracking_page(request, door: Door, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    dispute = door.dispute
    found = current_proposal(dispute)
    awaiting = found is not None and found[1].state == ProposalState.SENT
    message_form = bound.get("message") or MessageForm(prefix="message")
    message_form.fields["files"].widget.attrs.update(evidence_widget_attrs())
    context = {
        "door": door,
        "dispute": dispute,
        "status_words": wording.customer_status(dispute.status, awaiting_answer=awaiting),
        "deadline": next_deadline(dispute) if dispute.status in OPEN else None,
        "entries": _entries(dispute),
        # What the customer sent themselves (staff's uploads are the merchant's own).
        "my_evidence": list(
            dispute.evidence.filter(uploaded_by__isnull=True).order_by("uploaded_at", "id")
        ),
        "message_form": message_form,
        "files_help": evidence_help(),
        "proposal": found[0] if found else None,
        "proposal_words": wording.proposal_words(found[1].state) if found else "",
        "awaiting": awaiting,
        "can_rate": dispute.status == Status.FOLLOW_UP or "rating" in bound,
        "rating_form": bound.get("rating") or RatingForm(prefix="rating"),
        "can_withdraw": dispute.status in OPEN,
        "withdraw_form": bound.get("withdraw") or WithdrawForm(prefix="withdraw"),
        **orders_section.orders_context(door, bound=bound),
    }
    shown = {"message", *context.pop("order_forms_shown")}
    shown |= {"rating"} if context["can_rate"] else set()
    shown |= {"withdraw"} if context["can_withdraw"] else set()
    context["refusals"] = refusals(bound, shown)
    return render(request, "portal/dispute.html", context, status=status)


@require_GET
@door_view
def dispute_view(request, door: Door):
    if not door.signed_in:  # the link's own page is the proposal's
        return redirect(door.base)
    return tracking_page(request, door)


@limits.limited
def _act(request, door: Door, name: str, form, call, done: str, renames=None):
    if submit(form, call, renames=renames):
        messages.success(request, done)
        return redirect(door.url() + f"#{name}")
    return tracking_page(request, door, bound={name: form}, status=422)


def _post_message(door: Door, text: str, uploads) -> None:
    """The customer's message with the files they attached: stored as the dispute's
    evidence and the message in one transaction (a refused file leaves nothing)."""
    actor = customer_actor(door.customer)
    with files_removed_on_failure(), transaction.atomic():
        attached = []
        for upload in uploads:
            try:
                attached.append(evidence_add(dispute=door.dispute, upload=upload, actor=actor))
            except DomainError as error:
                problem = error.fields.get("file") or error.message
                error.fields = {"file": f"{upload.name}：{problem}"}
                raise
        customer_message_post(
            dispute=door.dispute,
            customer=door.customer,
            text=text,
            attachments=[a.evidence for a in attached],
            via="portal",
        )


@require_POST
@door_view
def message_post(request, door: Door):
    if not door.signed_in:
        return redirect(door.base)
    form = MessageForm(request.POST, request.FILES, prefix="message")
    return _act(
        request,
        door,
        "message",
        form,
        lambda d: _post_message(door, d["text"], d["files"]),
        _("留言已发送，客服会尽快回复您。"),
        renames={"file": "files", "attachments": "files"},
    )


@require_POST
@door_view
def rate(request, door: Door):
    if not door.signed_in:
        return redirect(door.base)
    form = RatingForm(request.POST, prefix="rating")
    return _act(
        request,
        door,
        "rating",
        form,
        lambda d: customer_rating(
            dispute=door.dispute,
            customer=door.customer,
            satisfaction=d["satisfaction"],
            comment=d["comment"],
        ),
        _("感谢您的评价。"),
    )


@require_POST
@door_view
def withdraw(request, door: Door):
    if not door.signed_in:
        return redirect(door.base)
    form = WithdrawForm(request.POST, prefix="withdraw")
    return _act(
        request,
        door,
        "withdraw",
        form,
        lambda d: _withdraw(door, d["reason"]),
        _("您的投诉已撤回。"),
    )


def _withdraw(door: Door, reason: str) -> None:
    dispute = door.dispute
    try:
        dispute_apply(
            dispute=dispute,
            action=Action.WITHDRAW,
            actor=customer_actor(door.customer),
            version=dispute.version,
            reason=reason,
            payload={"confirmation": {"method": "portal"}},
            via=Owner.CUSTOMER_PORTAL,
        )
    except Conflict as refused:
        if refused.code != "action_not_allowed":
            raise
        # The lifecycle's refusal names its actions; the customer reads where it stands.
        raise Conflict(
            _("这个投诉已经结束（%(status)s），不能再撤回。")
            % {"status": wording.customer_status(dispute.status)},
            code=refused.code,
        ) from None


@require_GET
@door_view
def evidence_file(request, door: Door, evidence_id: int):
    """A file the customer sent themselves, to look at again: a photo or a video shown
    in the page, anything else downloaded. The merchant's own files (QC photos, call
    records) are not theirs; those and another dispute's answer as a missing one."""
    if not door.signed_in:
        return redirect(door.base)
    evidence = door.dispute.evidence.filter(pk=evidence_id, uploaded_by__isnull=True).first()
    if (
        evidence is None
        or not evidence.file
        or not evidence.file.storage.exists(evidence.file.name)
    ):
        raise NotFound(_("找不到该文件。"))
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=evidence.kind not in ("image", "video"),
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
