"""时限统计: SLA compliance per timer kind, team or agent for a period, as GET
/api/v1/sla/compliance gives it (team leads their teams, readers the company's; agents
403). A bar per row is drawn by the browser (<meter>), no chart library needed."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.common.errors import Forbidden, ValidationFailed
from aftersales.sla import figures
from aftersales.sla.calendar import SHANGHAI


class FiguresForm(forms.Form):
    start = forms.CharField(
        label=_("开始日期"), max_length=20, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.CharField(
        label=_("结束日期"), max_length=20, widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label=_("统计维度"),
        choices=[
            (figures.By.KIND.value, _("计时类型")),
            (figures.By.TEAM.value, _("小组")),
            (figures.By.AGENT.value, _("处理人")),
        ],
    )


def _defaults() -> dict:
    today = timezone.now().astimezone(SHANGHAI).date()
    return {"start": today.replace(day=1).isoformat(), "end": today.isoformat(), "by": "kind"}


@login_required
def sla_figures(request):
    try:
        figures.team_scope(request.user)  # refuses agents before anything is read
    except Forbidden as refused:
        raise PermissionDenied(refused.message) from None
    request.nav_active = "sla"
    form = FiguresForm({**_defaults(), **request.GET.dict()})
    result, status = None, 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            period, by = figures.parse_request(data["start"], data["end"], data["by"])
        except ValidationFailed as error:
            for name, message in error.fields.items():
                form.add_error(name if name in form.fields else None, message)
            status = 422
        else:
            result = figures.compliance(period=period, by=by, user=request.user)
    else:
        status = 422
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"id_{name}_error"}
            )
    return render(
        request,
        "workbench/inboxes/sla.html",
        {
            "form": form,
            "result": result,
            "days": _days(result),
            "rows": [_shown(r) for r in result.rows] if result else [],
            "overall": _shown(result.overall) if result else None,
            "chart": _chart(result) if result and result.rows else None,
        },
        status=status,
    )


def _days(result) -> int | None:
    if result is None:
        return None
    return (result.end - result.start + dt.timedelta(days=1)).days


def _shown(row) -> dict:
    """A row with its rate as a percentage: 0.9523 → 95.23%."""
    percent = None if row.rate is None else f"{row.rate * 100:.2f}%"
    return {"row": row, "percent": percent}


def _chart(result) -> dict:
    """The bars the page draws with ECharts (static/workbench/sla_chart.js) from a JSON
    data island: met, missed and pending per row, the series named in the reader's
    language. The table above stays the accessible source of the same figures."""
    return {
        "names": [str(r.name) or str(_("（无）")) for r in result.rows],
        "series": [
            {"key": "met", "name": str(_("达标")), "data": [r.met for r in result.rows]},
            {"key": "missed", "name": str(_("超时")), "data": [r.missed for r in result.rows]},
            {"key": "pending", "name": str(_("未到期")), "data": [r.pending for r in result.rows]},
        ],
    }
