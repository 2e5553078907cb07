"""The views of the dispute page's conversation section (`messages_section`): a reply to
the customer, and the team lead's refusal of a customer's request to reopen."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from aftersales.disputes import permissions as can
from aftersales.disputes.lifecycle import Action
from aftersales.intake import customer_messages as talk

from .form_views import dispute_form
from .messages_section import DeclineReopenForm, ReplyForm

dispute_reply = dispute_form(
    form=ReplyForm,
    prefix="reply",
    allowed=can.can_record_contact,
    call=lambda p: talk.staff_reply(
        dispute=p.dispute,
        actor=p.user,
        text=p.data.get("text") or "",
        template=p.data.get("template") or "",
    ),
    anchor="conversation",
    message=_("回复已发送给顾客"),
)

reopen_decline = dispute_form(
    form=DeclineReopenForm,
    prefix="decline-reopen",
    allowed=lambda user, dispute: can.can_act(user, dispute, Action.REOPEN),
    call=lambda p: talk.reopen_request_decline(
        dispute=p.dispute, actor=p.user, reason=p.data["reason"]
    ),
    anchor="conversation",
    message=_("已答复顾客：不予重新打开"),
)

D = "disputes/<str:number>/"
urlpatterns = [
    path(f"{D}messages/", dispute_reply, name="dispute_reply"),
    path(f"{D}reopen-request/decline/", reopen_decline, name="reopen_decline"),
]
