"""The queue's forms: the filters (GET), the bulk actions and the saved view's name. They
check what was typed and name what is wrong in the user's language; the selectors and
services apply the rules."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from aftersales.common.errors import NotFound
from aftersales.disputes import selectors
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Channel
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.parties.models import Team
from aftersales.parties.roles import Role

from .forms_support import ReasonField

PICKS_MAX = 200
PICK = re.compile(r"^([A-Za-z0-9-]{1,32}):([1-9][0-9]{0,9})$")
FLAGS = ("breaching", "at_risk", "escalation_risk", "needs_review", "my_department")
CHOICES = ("status", "category", "severity", "channel", "team")


def assignee_choices() -> list[tuple[str, str]]:
    """(username, shown name) of the active case handlers, whom a dispute may be filtered
    by or assigned to (the service checks each assignment again)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.AGENT, Role.TEAM_LEAD])
        .distinct()
        .order_by("username")
        .values_list("username", "staff_profile__display_name")[:500]
    )
    return [(name, shown or name) for name, shown in users]


def _username_ok(value: str) -> bool:
    return "\x00" not in value and get_user_model().objects.filter(username=value).exists()


class QueueFilters(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("状态"), required=False)
    category = forms.ChoiceField(label=_("分类"), required=False)
    severity = forms.ChoiceField(label=_("严重程度"), required=False)
    channel = forms.ChoiceField(label=_("渠道"), required=False)
    team = forms.ChoiceField(label=_("小组"), required=False)
    assignee = forms.CharField(label=_("处理人"), required=False, max_length=150)
    breaching = forms.BooleanField(label=_("已超时"), required=False)
    at_risk = forms.BooleanField(label=_("即将超时"), required=False)
    escalation_risk = forms.BooleanField(label=_("有升级风险"), required=False)
    needs_review = forms.BooleanField(label=_("待复核"), required=False)
    my_department = forms.BooleanField(label=_("我部门有未完成任务"), required=False)

    def __init__(self, data, *, teams, people, mine: bool, departments: bool):
        super().__init__(data)
        self.fields["status"].choices = [("", _("全部状态")), *Status.choices]
        self.fields["category"].choices = [("", _("全部分类")), *Category.choices]
        self.fields["severity"].choices = [("", _("全部严重程度")), *Severity.choices]
        self.fields["channel"].choices = [("", _("全部渠道")), *Channel.choices]
        self.fields["team"].choices = [("", _("全部小组")), *teams]
        people = [("", _("全部处理人")), ("me", _("我")), ("none", _("未分派")), *people]
        typed = (data.get("assignee") or "").strip()
        if typed and typed not in {p for p, _n in people} and _username_ok(typed):
            people.append((typed, typed))  # a saved view may name someone not listed
        self.fields["assignee"].widget = forms.Select(choices=people)
        if mine:  # 我的工作 is the user's own open disputes
            del self.fields["assignee"]
            del self.fields["status"]
        if not departments:
            del self.fields["my_department"]
        self.mine = mine

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def clean_assignee(self) -> str:
        value = self.cleaned_data["assignee"].strip()
        if value and value not in ("me", "none") and not _username_ok(value):
            raise forms.ValidationError(
                _("用户“%(name)s”不存在"), params={"name": value.replace("\x00", "")}
            )
        return value

    def selector_filters(self) -> dict:
        """The keyword arguments of `selectors.dispute_queue` for the values that are valid
        (an invalid one is shown on its field and not applied)."""
        data = getattr(self, "cleaned_data", {})
        filters = {}
        for name in ("q", *CHOICES, "assignee"):
            if data.get(name):
                filters[name] = data[name]
        for name in FLAGS:
            if data.get(name):
                filters[name] = True
        return filters

    def query_params(self) -> dict[str, str]:
        """The valid filters as a query string's parameters (paging, saved views)."""
        return {
            name: "1" if value is True else str(value)
            for name, value in self.selector_filters().items()
        }

    def boxes(self):
        return [self[name] for name in FLAGS if name in self.fields]


def parse_picks(data) -> tuple[list[tuple[str, int]], str | None]:
    """The ticked disputes, each "number:version" (the version the row showed)."""
    raw = data.getlist("pick")
    if not raw:
        return [], str(_("请先勾选要处理的投诉"))
    if len(raw) > PICKS_MAX:
        return [], str(_("一次最多处理 %(max)d 条投诉") % {"max": PICKS_MAX})
    picks, seen = [], set()
    for value in raw:
        match = PICK.match(value or "")
        if not match:
            return [], str(_("勾选的投诉无效，请刷新页面后重试"))
        if match.group(1) not in seen:
            seen.add(match.group(1))
            picks.append((match.group(1), int(match.group(2))))
    return picks, None


class BulkAssignForm(forms.Form):
    use_required_attribute = False  # one <form> holds both bulk actions
    team = forms.ChoiceField(label=_("分派到小组"), required=False)
    assignee = forms.CharField(label=_("处理人"), required=False, max_length=150)

    def __init__(self, *args, teams, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("小组不变")), *teams]
        self.fields["assignee"].widget = forms.Select(
            choices=[("", _("处理人不变")), ("me", _("我")), ("none", _("不指定处理人")), *people]
        )

    def clean_assignee(self) -> str:
        value = self.cleaned_data["assignee"].strip()
        if value and value not in ("me", "none") and not _username_ok(value):
            raise forms.ValidationError(
                _("用户“%(name)s”不存在"), params={"name": value.replace("\x00", "")}
            )
        return value

    def clean(self):
        data = super().clean()
        if not data.get("team") and not data.get("assignee") and not self.errors:
            raise forms.ValidationError(_("请选择要分派到的小组或处理人"))
        return data

    def changes(self, actor) -> dict:
        """The keyword arguments of `services.dispute_assign`: only what was chosen."""
        data = self.cleaned_data
        changes = {}
        if data["team"]:
            changes["team"] = Team.objects.get(code=data["team"])
        if data["assignee"] == "me":
            changes["assignee"] = actor
        elif data["assignee"] == "none":
            changes["assignee"] = None
        elif data["assignee"]:
            changes["assignee"] = get_user_model().objects.get(username=data["assignee"])
        return changes


class BulkRejectForm(forms.Form):
    use_required_attribute = False  # one <form> holds both bulk actions
    original = forms.CharField(
        label=_("原投诉编号"),
        max_length=32,
        help_text=_("勾选的投诉与这条投诉重复"),
    )
    reason = ReasonField(label=_("驳回理由"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_original(self) -> str:
        number = self.cleaned_data["original"].strip().upper()
        try:
            selectors.dispute_get(number=number, user=self.user)
        except NotFound:
            raise forms.ValidationError(
                _("找不到投诉 %(number)s"), params={"number": number.replace("\x00", "")}
            ) from None
        return number


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("视图名称"), max_length=60)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].replace("\x00", "").strip()
        if not name:
            raise forms.ValidationError(_("请填写视图名称"))
        return name
