"""The forms of the dispute page's own sections: what a person types, checked at the
boundary (types, lengths, choices). The rules stay in the services (`disputes.services`,
`disputes.contacts`, `disputes.evidence`, `triage.corrections`, `sla.timers`), whose
refusals come back onto these forms (`forms_support.submit`)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.disputes.contacts import (
    NOTE_MAX,
    OUTCOME_MAX,
    SUMMARY_MAX,
    ContactChannel,
    ContactDirection,
)
from aftersales.disputes.filetypes import ALLOWED_MEDIA, TEXT_EXTENSIONS
from aftersales.disputes.lifecycle import Action
from aftersales.disputes.states import RejectionGround
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.disputes.withdrawal import Channel as ConfirmationChannel
from aftersales.parties.models import Team

from .forms_support import ReasonField, VersionField

REJECTION_GROUNDS = [
    (RejectionGround.INVALID.value, pgettext_lazy("rejection ground", "无效投诉")),
    (RejectionGround.DUPLICATE.value, pgettext_lazy("rejection ground", "重复投诉")),
    (RejectionGround.FAKE.value, pgettext_lazy("rejection ground", "虚假投诉")),
    (RejectionGround.MISTAKEN.value, pgettext_lazy("rejection ground", "误投")),
]
CONFIRMATION_CHANNELS = [
    (ConfirmationChannel.PHONE.value, pgettext_lazy("confirmation channel", "电话")),
    (ConfirmationChannel.CHAT.value, pgettext_lazy("confirmation channel", "在线聊天")),
    (ConfirmationChannel.EMAIL.value, pgettext_lazy("confirmation channel", "电子邮件")),
    (ConfirmationChannel.IN_PERSON.value, pgettext_lazy("confirmation channel", "当面")),
    (ConfirmationChannel.LETTER.value, pgettext_lazy("confirmation channel", "信函")),
    (ConfirmationChannel.PLATFORM.value, pgettext_lazy("confirmation channel", "平台")),
]
SATISFACTION = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def evidence_accept() -> str:
    """The `accept` attribute of the upload input: what `evidence_add` takes."""
    types = sorted(t for kinds in ALLOWED_MEDIA.values() for t in kinds)
    return ",".join([*types, "text/plain", *sorted(e for e in TEXT_EXTENSIONS if e)])


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=LOCAL_INPUT, **kwargs)


class Seen(forms.Form):
    """Every form of the page: the newest event the user saw when the page was rendered
    (a conflict lists what happened since)."""

    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)


class Versioned(Seen):
    version = VersionField()


# -- lifecycle actions (the generic door) ----------------------------------------------


class ActionForm(Versioned):
    """An action that needs nothing but, optionally, a reason (triage, investigate,
    complete)."""

    reason = ReasonField(required=False, label=_("说明（可选）"))

    def payload(self) -> dict:
        return {}


class ReasonedActionForm(ActionForm):
    """An action the lifecycle asks a reason for (reopen)."""

    reason = ReasonField(label=_("原因"))


class RejectForm(Versioned):
    ground = forms.ChoiceField(label=_("不予受理的理由"), choices=REJECTION_GROUNDS)
    duplicate_of = forms.CharField(
        label=_("原投诉编号（重复投诉时填写）"), required=False, max_length=30
    )
    reason = ReasonField(label=_("说明"))

    def clean(self):
        data = super().clean()
        if data.get("ground") == RejectionGround.DUPLICATE and not data.get("duplicate_of"):
            self.add_error("duplicate_of", _("重复投诉须填写原投诉编号"))
        return data

    def payload(self) -> dict:
        data = self.cleaned_data
        out = {"ground": data["ground"]}
        if data["ground"] == RejectionGround.DUPLICATE:
            out["duplicate_of"] = data["duplicate_of"].strip()
        return out


class CloseForm(Versioned):
    """Closing on the customer's confirmation or the follow-up visit's record; an
    escalated case on the outside body's outcome (the reason)."""

    customer_confirmed = forms.BooleanField(label=_("顾客已确认问题解决"), required=False)
    satisfaction = forms.ChoiceField(
        label=_("回访满意度（1–5）"), choices=SATISFACTION, required=False
    )
    resolved = forms.BooleanField(label=_("回访确认问题已解决"), required=False)
    reason = ReasonField(required=False, label=_("说明（升级案件填写外部处理结果）"))

    def payload(self) -> dict:
        data = self.cleaned_data
        if data.get("customer_confirmed"):
            return {"customer_confirmed": True}
        if data.get("satisfaction"):
            return {"satisfaction": int(data["satisfaction"]), "resolved": bool(data["resolved"])}
        return {}


class WithdrawForm(Versioned):
    """The customer's own confirmation, as staff note it: how and when they said so."""

    channel = forms.ChoiceField(label=_("顾客确认撤回的方式"), choices=CONFIRMATION_CHANNELS)
    said_at = forms.DateTimeField(
        label=_("顾客确认的时间"), widget=LocalDateTimeInput(), input_formats=[LOCAL_INPUT]
    )
    note = forms.CharField(
        label=_("顾客的原话或记录"), required=False, max_length=500, widget=forms.TextInput()
    )
    reason = ReasonField(label=_("撤回原因"))

    def payload(self) -> dict:
        data = self.cleaned_data
        return {
            "confirmation": {
                "method": "staff_note",
                "channel": data["channel"],
                "at": data["said_at"].isoformat(),
                "note": data.get("note", ""),
            }
        }


# Which form each generic action shows; an action not named here is not offered.
ACTION_FORMS: dict[Action, type[forms.Form]] = {
    Action.TRIAGE: ActionForm,
    Action.INVESTIGATE: ActionForm,
    Action.COMPLETE: ActionForm,
    Action.REJECT: RejectForm,
    Action.CLOSE: CloseForm,
    Action.REOPEN: ReasonedActionForm,
    Action.WITHDRAW: WithdrawForm,
}
# The lifecycle's field names (disputes.messages) → the form's.
ERROR_FIELDS = {
    "customer_confirmed": "customer_confirmed",
    "confirmation": "channel",
    "confirmation.method": "channel",
    "confirmation.channel": "channel",
    "confirmation.at": "said_at",
    "confirmation.note": "note",
}
DESTRUCTIVE = frozenset({Action.REJECT, Action.WITHDRAW, Action.CLOSE})


# -- assignment, classification, timers ------------------------------------------------


class AssignForm(Versioned):
    team = forms.ModelChoiceField(
        label=_("小组"),
        queryset=Team.objects.order_by("code"),
        required=False,
        to_field_name="code",
    )
    assignee = forms.ModelChoiceField(
        label=_("处理人"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        to_field_name="username",
    )


class ReclassifyForm(Versioned):
    category = forms.ChoiceField(label=_("分类"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    reason = ReasonField(label=_("更正原因"))


class PauseForm(Seen):
    reason = ReasonField(label=_("在等待顾客什么"))


class ResumeForm(Seen):
    reason = ReasonField(required=False, label=_("说明（可选）"))


# -- evidence, contacts, notes ---------------------------------------------------------


class EvidenceForm(Seen):
    file = forms.FileField(label=_("证据文件"))
    note = forms.CharField(label=_("说明（可选）"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(
            {"accept": evidence_accept(), "data-max-bytes": str(settings.EVIDENCE_MAX_BYTES)}
        )


class ContactForm(Seen):
    channel = forms.ChoiceField(label=_("联系方式"), choices=ContactChannel.choices)
    direction = forms.ChoiceField(
        label=_("谁联系谁"), choices=ContactDirection.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("谈了什么"), max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(label=_("结果（可选）"), required=False, max_length=OUTCOME_MAX)
    at = forms.DateTimeField(
        label=_("联系时间（不填为现在）"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_INPUT],
    )

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = {"direction": ContactDirection.OUTBOUND.value} | (
            kwargs.get("initial") or {}
        )
        super().__init__(*args, **kwargs)

    def clean_at(self):
        value = self.cleaned_data.get("at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class NoteForm(Seen):
    text = forms.CharField(
        label=_("内部备注（仅员工可见）"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# -- case facts (记录案件事实) -----------------------------------------------------------

FACT_LABELS = {
    "channel": _("购买渠道"),
    "price": _("商品价格"),
    "received_on": _("签收日期"),
    "claim_on": _("顾客主张权利日期"),
    "sold_on": _("销售（开票）日期"),
    "goods_kind": _("商品类型"),
    "digital_unsealed": _("数字商品已拆封"),
    "excluded_confirmed": _("顾客购买时确认不适用无理由退货"),
    "intact": _("商品完好"),
    "defect": _("质量问题"),
    "three_guarantees": _("属于三包商品"),
    "car": _("家用汽车产品"),
    "warranty_days": _("保修天数"),
    "failed_repairs": _("修理失败次数"),
    "parts_wait_days": _("等待配件天数"),
    "repair_delay_days": _("修理超期天数"),
    "fraud": _("经营者有欺诈行为"),
    "food": _("食品"),
    "food_safety_violation": _("不符合食品安全标准"),
    "label_defect_only": _("仅标签瑕疵"),
    "known_defect_serious_harm": _("明知缺陷造成严重损害"),
    "loss": _("顾客损失金额"),
}
_TRUE, _FALSE = {"true", "是", "yes", "1"}, {"false", "否", "no", "0"}


def fact_value(name: str, typed: str, kinds: dict[str, str]):
    """What a person typed, in the contract's JSON form: booleans from 是/否, whole
    numbers from digits, the rest as text (the contract judges it); empty withdraws a
    recorded finding (None)."""
    text = (typed or "").strip()
    if not text:
        return None
    kind = kinds.get(name, "")
    if kind == "bool":
        lowered = text.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    if kind == "int" and text.isdigit():
        return int(text)
    return text


class FactsForm(Seen):
    """One case fact with the reason and the evidence behind it; only the facts the
    user may record are offered (`permissions.facts_refused`)."""

    name = forms.ChoiceField(label=_("事实"))
    value = forms.CharField(
        label=_("值"),
        required=False,
        max_length=100,
        help_text=_(
            "是/否、金额（如 600.50）、日期（如 2026-03-01）、天数或次数；留空为撤销已记录的值"
        ),
    )
    reason = ReasonField(label=_("依据"))
    evidence_ids = forms.TypedMultipleChoiceField(
        label=_("证据"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, names=(), evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [(n, FACT_LABELS.get(n, n)) for n in names]
        self.fields["evidence_ids"].choices = [(e.pk, e.original_name) for e in evidence]
