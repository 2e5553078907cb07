"""The dispute page's conversation with the customer (issue 14): both directions in time
order with each message's delivery (and why one failed), the reply form with the reply
templates, and — on a closed dispute whose customer asked to reopen it — the team lead's
decision (reopen is the lifecycle's action among the page's actions; declining is here).
The rules are the services' (`intake.customer_messages`); the page asks their predicates
which forms to show."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.disputes import permissions as can
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.models import Dispute
from aftersales.intake import customer_messages as talk
from aftersales.intake import reply_templates
from aftersales.intake.conversation import conversation

from .forms_support import ReasonField

TEXT_MAX = talk.TEXT_MAX


class ReplyForm(forms.Form):
    template = forms.ChoiceField(label=_("回复模板"), required=False)
    text = forms.CharField(
        label=_("回复内容"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不填内容则按所选模板发送；发送方式与受理通知相同（短信、邮件或顾客门户）。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(t["code"], t["label"]) for t in reply_templates.template_choices()]
        self.fields["template"].choices = [("", _("（不用模板）")), *choices]

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("template"):
            self.add_error("text", _("请填写回复内容或选择一个模板"))
        return data


class DeclineReopenForm(forms.Form):
    reason = ReasonField(label=_("不予重新打开的理由（将告知顾客）"))


def context(request, dispute: Dispute, bound: dict, reads=None) -> dict[str, Any]:
    user = request.user
    timeline = reads.timeline if reads is not None else None
    pending = talk.reopen_request_pending(dispute, timeline=timeline)
    reply = None
    if can.can_record_contact(user, dispute):
        reply = bound.get("reply") or ReplyForm(prefix="reply")
    decline = None
    if pending and can.can_act(user, dispute, Action.REOPEN):
        decline = bound.get("decline-reopen") or DeclineReopenForm(prefix="decline-reopen")
    return {
        "conversation": conversation(dispute, timeline=timeline),
        "reply_form": reply,
        "reply_open": "reply" in bound,
        "reopen_requested": pending,
        "decline_form": decline,
    }
