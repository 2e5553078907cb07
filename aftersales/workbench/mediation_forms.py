"""The forms of the dispute page's investigation and escalation sections: department
tasks and reports, QC notice, conclusion, case meeting, responsibility, escalations. What
a person types is checked at the boundary (types, lengths, choices); the rules stay in
the mediation services, whose refusals come back onto these forms
(`forms_support.submit`). The proposal builder and the approval, sending and withdrawal
forms are `proposal_forms`' (also reachable here under their old names)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.disputes.states import EscalationRoute
from aftersales.mediation import investigation_rules as rules
from aftersales.parties.roles import Department

from .forms_support import ReasonField, VersionField

YES_NO = [("", "—"), ("yes", _("是")), ("no", _("否"))]


def _text(label, max_length: int, *, rows: int = 0, required: bool = True, help_text=""):
    """A text field: a textarea of `rows` rows, else one line."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, help_text=help_text
    )


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class Seen(forms.Form):
    """Every mediation form: the newest event the user saw when the page was rendered."""

    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)


# -- department tasks ----------------------------------------------------------------------


class TaskRequestForm(Seen):
    department = forms.ChoiceField(label=_("部门"), choices=[("", "—"), *Department.choices])
    note = _text(_("请该部门做什么"), 1000, rows=2, required=False)


class TaskReportForm(Seen):
    """A department's report on its own task; the fields its report kind asks for."""

    text = _text(_("结论说明"), 5000, rows=3)
    defect_found = forms.ChoiceField(label=_("是否发现缺陷"), choices=YES_NO, required=False)
    defect_severity = forms.ChoiceField(
        label=_("缺陷严重程度"),
        choices=[("", "—"), *rules.DefectSeverity.choices],
        required=False,
    )
    trace_status = forms.ChoiceField(
        label=_("物流核查结果"), choices=[("", "—"), *rules.TraceStatus.choices], required=False
    )
    rules_honoured = forms.ChoiceField(
        label=_("是否符合直播间/促销活动规则"), choices=YES_NO, required=False
    )
    photo_ids = forms.MultipleChoiceField(
        label=_("照片（本投诉的证据）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    KIND_FIELDS = {
        rules.ReportKind.QC: ("defect_found", "defect_severity", "photo_ids"),
        rules.ReportKind.LOGISTICS: ("trace_status",),
        rules.ReportKind.OPERATIONS: ("rules_honoured",),
    }

    def __init__(self, *args, kind: rules.ReportKind, evidence=(), **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(self.KIND_FIELDS.get(kind, ()))
        for name in ("defect_found", "defect_severity", "trace_status", "rules_honoured"):
            if name not in keep:
                del self.fields[name]
        if "photo_ids" in keep and evidence:
            self.fields["photo_ids"].choices = [(str(e.pk), e.original_name) for e in evidence]
        else:
            del self.fields["photo_ids"]

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "defect_found": _yes_no(data.get("defect_found", "")),
            "defect_severity": data.get("defect_severity", ""),
            "trace_status": data.get("trace_status", ""),
            "rules_honoured": _yes_no(data.get("rules_honoured", "")),
            "photo_ids": [int(p) for p in data.get("photo_ids") or ()],
        }


class QcNotifyForm(Seen):
    note = _text(_("说明"), 1000, required=False)


class ConcludeForm(Seen):
    summary = _text(_("调查结论"), 5000, rows=3)


# -- case meeting and responsibility ----------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [part.strip() for part in text.replace("、", "\n").splitlines() if part.strip()]


class MeetingForm(Seen):
    held_at = forms.DateTimeField(
        label=_("会议时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    attendees = _text(_("参会人"), 5000, rows=2, help_text=_("每行一人，或用“、”分隔"))
    minutes = _text(_("会议纪要"), 10000, rows=3)
    decisions = _text(_("会议决定"), 10000, rows=2, help_text=_("每行一项"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("held_at", timezone.localtime().replace(second=0))

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        held, now = data["held_at"], timezone.now()
        if dt.timedelta(0) <= now - held < dt.timedelta(minutes=1):
            # The field has minutes only: "this minute" is the moment it is recorded (a
            # meeting right after intake is not "before the complaint came in").
            held = now
        return {
            "held_at": held,
            "attendees": _lines(data["attendees"]),
            "minutes": data["minutes"],
            "decisions": [d.strip() for d in data["decisions"].splitlines() if d.strip()],
        }


class ResponsibilityForm(Seen):
    root_causes = forms.MultipleChoiceField(
        label=_("根本原因"),
        choices=rules.RootCause.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = _text(_("说明"), 5000, rows=2, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for party in rules.Party:
            self.fields[f"share_{party.value}"] = forms.IntegerField(
                label=party.label, required=False, min_value=0, max_value=100
            )

    def share_fields(self):
        return [self[f"share_{p.value}"] for p in rules.Party]

    def other_fields(self):
        return [self["root_causes"], self["note"]]

    def service_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        shares = {
            p.value: data[f"share_{p.value}"]
            for p in rules.Party
            if data.get(f"share_{p.value}") is not None
        }
        return {"shares": shares, "root_causes": list(data["root_causes"]), "note": data["note"]}

    def add_error(self, field, error):
        # The service names a party's share as "shares.<party>".
        if isinstance(field, str) and field.startswith("shares."):
            field = f"share_{field.split('.', 1)[1]}"
        super().add_error(field, error)


# -- escalation --------------------------------------------------------------------------------


class EscalationForm(Seen):
    version = VersionField()
    route = forms.ChoiceField(label=_("外部途径"), choices=EscalationRoute.choices)
    reason = ReasonField(label=_("升级原因"))
    filed_on = forms.DateField(
        label=_("提起日期"),
        required=False,
        help_text=_("不填为今天"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    body = forms.CharField(label=_("受理机构"), required=False, max_length=200)
    reference = forms.CharField(label=_("对方编号"), required=False, max_length=100)


class AcceptanceForm(Seen):
    accepted_on = forms.DateField(
        label=_("受理日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("对方编号"), required=False, max_length=100)


class OutcomeForm(Seen):
    outcome = forms.ChoiceField(label=_("结果"), choices=rules.Outcome.choices)
    concluded_on = forms.DateField(
        label=_("结果日期"),
        required=False,
        help_text=_("不填为今天"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = _text(_("说明"), 5000, rows=2, required=False)
