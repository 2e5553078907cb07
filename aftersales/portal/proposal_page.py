"""The proposal as the customer reads and answers it (调解方案): what is offered, what the
law gives them beside it (the entitlements compared when it was written, with their
basis), and accept (with the one-time code), reject or counter; the settlement agreement
once accepted. The same services as the customer link's API (aftersales.mediation
.negotiation); no rule is decided here."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.common.errors import NotFound
from aftersales.common.money import format_yuan
from aftersales.mediation import entitlements as engine
from aftersales.mediation import negotiation, proposal_drafts
from aftersales.mediation import proposal_selectors as proposal_reads
from aftersales.mediation.entitlement_selectors import ENTITLEMENT_LABELS, PAYER_LABELS
from aftersales.mediation.models import Proposal, ProposalRevision, ProposalState
from aftersales.mediation.proposal_messages import remedy_line
from aftersales.mediation.remedies import RemedyItem

from . import limits, orders_section, wording
from .doors import Door, door_view
from .forms import AcceptForm, CounterForm, RejectForm, refusals, submit


def current_proposal(dispute) -> tuple[Proposal, ProposalRevision] | None:
    """The newest proposal the customer was sent, with its newest sent revision."""
    for proposal in reversed(proposal_reads.dispute_proposals(dispute)):
        shown = [r for r in proposal.revisions.all() if r.sent_at is not None]
        if shown:
            return proposal, shown[-1]
    return None


def awaiting_answer(dispute) -> bool:
    found = current_proposal(dispute)
    return found is not None and found[1].state == ProposalState.SENT


def _yuan(raw) -> str | None:
    return None if raw in (None, "") else format_yuan(Decimal(str(raw)))


def entitlement_rows(revision: ProposalRevision) -> list[dict]:
    """What the law gives the customer, as compared when the revision was written: in
    plain words, with the basis."""
    rows = []
    for ent in revision.entitlements or []:
        try:
            label = str(ENTITLEMENT_LABELS[engine.Remedy(ent.get("remedy"))])
        except (KeyError, ValueError):
            continue
        payer = ent.get("shipping_paid_by")
        try:
            shipping = str(PAYER_LABELS[engine.Payer(payer)]) if payer else ""
        except ValueError:
            shipping = ""
        rows.append(
            {
                "label": label,
                "amount": _yuan(ent.get("amount")),
                "shipping": shipping,
                "days": ent.get("merchant_deadline_days"),
                "basis": ent.get("basis") or "",
            }
        )
    return rows


def proposal_context(door: Door) -> dict:
    found = current_proposal(door.dispute)
    if found is None:
        return {"proposal": None}
    proposal, revision = found
    agreement = None
    if revision.state == ProposalState.ACCEPTED:
        try:
            agreement = proposal_reads.proposal_agreement(proposal)
        except NotFound:
            agreement = None
    pays = proposal_drafts.customer_pays_total(revision)
    return {
        "proposal": proposal,
        "revision": revision,
        "state_words": wording.proposal_words(revision.state),
        "answerable": revision.state == ProposalState.SENT,
        "lines": [remedy_line(RemedyItem.from_dict(d)) for d in revision.remedies],
        "total": format_yuan(revision.total_amount),
        "customer_pays": format_yuan(pays) if pays else None,
        "entitlements": entitlement_rows(revision),
        "agreement": agreement,
    }


def proposal_url(door: Door) -> str:
    return door.base if not door.signed_in else door.url("proposal/")


def page(
    request,
    door: Door,
    *,
    forms: dict | None = None,
    status: int = 200,
    said: tuple[str, ...] = (),
):
    forms = forms or {}
    found = proposal_context(door)
    initial = {"revision": found["revision"].pk} if found.get("revision") else {}
    context = {
        "door": door,
        "dispute": door.dispute,
        "page_url": proposal_url(door),
        "accept_form": forms.get("accept") or AcceptForm(prefix="accept", initial=initial),
        "reject_form": forms.get("reject") or RejectForm(prefix="reject", initial=initial),
        "counter_form": forms.get("counter") or CounterForm(prefix="counter", initial=initial),
        **found,
        **orders_section.orders_context(door, bound=forms),
    }
    shown = set(context.pop("order_forms_shown"))
    if context.get("answerable"):
        shown |= {"accept", "reject", "counter"}
    context["refusals"] = [*said, *refusals(forms, shown)]
    return render(request, "portal/proposal.html", context, status=status)


@require_GET
@door_view
@limits.limited
def proposal_view(request, door: Door):
    return page(request, door)


def _live_proposal(door: Door) -> Proposal:
    found = current_proposal(door.dispute)
    if found is None:
        raise NotFound(_("找不到该调解方案"))
    return found[0]


def superseded(door: Door, form) -> bool:
    """The answer was written on a revision older than the one now sent (the page was
    open, or the SMS read, before the merchant sent a new one)."""
    shown = form.cleaned_data.get("revision") if form.is_valid() else None
    found = current_proposal(door.dispute)
    return shown is not None and found is not None and shown != found[1].pk


def _answer(request, door: Door, name: str, form, call, done: str):
    if superseded(door, form):
        # Fresh forms for the revision now shown; nothing is answered or counted.
        message = _(
            "商家已发来新的方案，请先阅读下面的新方案再答复；接受时请使用最新短信中的验证码。"
        )
        return page(request, door, status=409, said=(message,))
    if submit(form, call):
        messages.success(request, done)
        return redirect(proposal_url(door))
    return page(request, door, forms={name: form}, status=422)


@require_POST
@door_view
def accept(request, door: Door):
    wait = limits.over_limit(request, code_for_dispute=door.dispute.pk)
    if wait is not None:
        return limits.too_many(request, wait)
    proposal = _live_proposal(door)
    form = AcceptForm(request.POST, prefix="accept")
    return _answer(
        request,
        door,
        "accept",
        form,
        lambda d: negotiation.proposal_accept(
            proposal=proposal,
            access=door.access,
            code=d["code"],
            ip=limits.ip_of(request) or None,
            user_agent=request.headers.get("User-Agent", ""),
        ),
        _("您已接受方案，调解协议书已生成，可在下方下载。"),
    )


@require_POST
@door_view
@limits.limited
def reject(request, door: Door):
    proposal = _live_proposal(door)
    form = RejectForm(request.POST, prefix="reject")
    return _answer(
        request,
        door,
        "reject",
        form,
        lambda d: negotiation.proposal_reject(
            proposal=proposal,
            access=door.access,
            message=d["message"],
            ip=limits.ip_of(request) or None,
        ),
        _("已告知商家您不接受该方案，客服会尽快与您联系。"),
    )


@require_POST
@door_view
@limits.limited
def counter(request, door: Door):
    proposal = _live_proposal(door)
    form = CounterForm(request.POST, prefix="counter")
    return _answer(
        request,
        door,
        "counter",
        form,
        lambda d: negotiation.proposal_counter(
            proposal=proposal,
            access=door.access,
            remedy=d["remedy"] or None,
            amount=d["amount"] or None,
            message=d["message"],
            ip=limits.ip_of(request) or None,
        ),
        _("已把您的意见转给商家，新的方案会以短信通知您。"),
    )


@require_http_methods(["GET"])
@door_view
@limits.limited
def agreement_pdf(request, door: Door):
    record = proposal_reads.proposal_agreement(_live_proposal(door))
    response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="agreement-{door.dispute.number}.pdf"'
    response["X-Content-SHA256"] = record.sha256
    return response
