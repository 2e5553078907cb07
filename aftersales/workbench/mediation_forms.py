"""The forms of the dispute page's mediation sections: what a person types, checked at
the boundary (types, lengths, choices); the rules stay in the mediation services, whose
refusals come back onto these forms (`forms_support.submit`, `submit_proposal`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.common.errors import Conflict, DomainError, Forbidden
from aftersales.disputes.states import EscalationRoute
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation.remedies import Payer, RemedyCode, usual
from aftersales.parties.roles import Department

from .forms_support import ReasonField, VersionField

YES_NO = [("", "—"), ("yes", _("是")), ("no", _("否"))]
LINES = 4  # the builder's empty rows without JavaScript (proposal.js adds more)


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


def attempt(form: forms.Form, call) -> bool:
    """`forms_support.submit`, also noting a refusal by permission (`form.forbidden`)."""
    from .forms_support import submit

    form.forbidden = False

    def run(data):
        try:
            return call(data)
        except Forbidden:
            form.forbidden = True
            raise

    return submit(form, run)


def status_of(form: forms.Form) -> int:
    if getattr(form, "conflict", None):
        return 409
    return 403 if getattr(form, "forbidden", False) else 422


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


# -- the proposal builder --------------------------------------------------------------------


def remedy_choices(category: str) -> list:
    """The remedy catalogue, the category's usual ones first (the category never blocks
    one)."""
    common = set(usual(category)) if category else set()
    first = [(c.value, c.label) for c in RemedyCode if c in common]
    rest = [(c.value, c.label) for c in RemedyCode if c not in common]
    return [
        ("", "—"),
        (pgettext_lazy("remedy group", "常用"), first),
        (pgettext_lazy("remedy group", "其他"), rest),
    ]


class LineForm(forms.Form):
    code = forms.ChoiceField(label=_("解决办法"), required=False)
    amount = forms.CharField(
        label=_("金额（元）"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}),
    )
    deadline_days = forms.IntegerField(
        label=_("办理期限（日）"),
        required=False,
        min_value=0,
        max_value=365,
        widget=forms.NumberInput(attrs={"size": 4}),
    )
    shipping_paid_by = forms.ChoiceField(
        label=_("运费承担"),
        required=False,
        choices=[("", "—"), (Payer.MERCHANT.value, _("商家")), (Payer.CONSUMER.value, _("顾客"))],
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)

    def __init__(self, *args, category: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = remedy_choices(category)

    def raw(self) -> dict[str, Any] | None:
        """The line as the proposal services read it; None for an empty row."""
        data = self.cleaned_data
        if not data.get("code"):
            if any(data.get(k) not in (None, "") for k in ("amount", "note", "deadline_days")):
                self.add_error("code", _("请选择解决办法"))
            return None
        line: dict[str, Any] = {"code": data["code"], "note": data.get("note", "")}
        if data.get("amount"):
            line["amount"] = data["amount"].strip()
        if data.get("deadline_days") is not None:
            line["deadline_days"] = data["deadline_days"]
        if data.get("shipping_paid_by"):
            line["shipping_paid_by"] = data["shipping_paid_by"]
        return line


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=20, absolute_max=20)


class ProposalForm(Seen):
    """Draft a proposal (no `revision`) or revise the current one (its number, hidden: a
    newer revision meanwhile is a conflict; `reason` required by the service)."""

    revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = _text(_("修改原因"), 2000, rows=2, required=False)
    note = _text(
        _("致顾客的附言"), 2000, rows=3, required=False, help_text=_("加在模板消息之后，顾客会看到")
    )

    def __init__(self, data=None, *, category: str = "", lines=(), revising: bool = False, **kw):
        super().__init__(data, prefix="proposal", **kw)
        self.revising = revising
        if not revising:
            del self.fields["reason"]
        initial = [_initial(line) for line in lines]
        initial += [{}] * max(0, LINES - len(initial)) if data is None else []
        self.lines = LineFormSet(
            data,
            prefix="line",
            initial=initial or None,
            form_kwargs={"category": category},
        )
        self._rows: list[int] = []

    def is_valid(self) -> bool:
        ok = super().is_valid()
        return self.lines.is_valid() and ok

    def remedies(self) -> list[dict[str, Any]]:
        """The filled rows in order; `_rows` maps the service's line index to the row."""
        out, self._rows = [], []
        for i, line in enumerate(self.lines.forms):
            raw = line.raw()
            if raw is not None:
                out.append(raw)
                self._rows.append(i)
        return out

    def place(self, fields: dict[str, str]) -> bool:
        placed = False
        for name, message in fields.items():
            parts = name.split(".")
            if parts[0] == "remedies" and len(parts) >= 3 and parts[1].isdigit():
                index = int(parts[1])
                row = self._rows[index] if index < len(self._rows) else None
                form = self.lines.forms[row] if row is not None else None
                if form is not None:
                    field = parts[2] if parts[2] in form.fields else None
                    form.add_error(field, message)
                    placed = True
            elif name in self.fields:
                self.add_error(name, message)
                placed = True
        return placed


def _initial(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": line.get("code", ""),
        "amount": line.get("amount") or "",
        "deadline_days": line.get("deadline_days"),
        "shipping_paid_by": line.get("shipping_paid_by") or "",
        "note": line.get("note", ""),
    }


def submit_proposal(form: ProposalForm, call) -> bool:
    """Like `forms_support.submit`, placing a line's refusal (`remedies.1.amount`) on
    its row of the builder."""
    form.conflict, form.forbidden, form.result = None, False, None
    if not form.is_valid():
        return False
    remedies = form.remedies()
    if any(line.errors for line in form.lines.forms):
        return False
    try:
        form.result = call(form.cleaned_data, remedies)
    except DomainError as error:
        form.conflict = error if isinstance(error, Conflict) else None
        form.forbidden = isinstance(error, Forbidden)
        if not form.place(error.fields or {}) or not error.fields:
            form.add_error(None, error.message)
        return False
    return True


class WithdrawForm(Seen):
    """Withdraw the proposal (its current revision's number: a newer one since is a
    conflict)."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    reason = ReasonField(label=_("撤回原因"))


class DecisionForm(Seen):
    """Approve or refuse the current revision: the button pressed is the decision."""

    APPROVE, REFUSE = "approve", "refuse"
    revision = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(APPROVE, _("同意")), (REFUSE, _("驳回"))], widget=forms.HiddenInput
    )
    reason = ReasonField(required=False, label=_("审批意见"))


class SendForm(Seen):
    revision = forms.IntegerField(widget=forms.HiddenInput)
