"""每日检查: the daily proactive checks (三主动) as GET /api/v1/daily-checks gives them —
an agent their own, team leads their team's, readers everyone's (with a choice of whom)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.disputes.permissions import (
    can_see_daily_checks,
    can_see_others_daily_checks,
    scope_daily_check_agents,
)
from aftersales.followup.daily_checks import daily_checks as checks_for
from aftersales.followup.daily_checks import exchange_ship_days, parcel_stale_days
from aftersales.parties.roles import Role

# The lists of an agent's entry, in the order the page shows them.
LISTS = (
    "due_commitments",
    "untouched_disputes",
    "stale_parcels",
    "late_executions",
    "unconfirmed_refunds",
    "unshipped_exchanges",
    "missing_insurance_payouts",
    "failed_messages",
)


@login_required
def daily_checks(request):
    me = request.user
    if not can_see_daily_checks(me):
        raise PermissionDenied(_("您没有查看每日主动检查的权限"))
    request.nav_active = "daily"
    in_scope = scope_daily_check_agents(me, get_user_model().objects.all())
    others = can_see_others_daily_checks(me)
    wanted = (request.GET.get("user") or "").strip() if others else ""
    one = True
    if wanted:
        agents = in_scope.filter(username=wanted)
        if not agents.exists():
            raise Http404(_("找不到员工 %(user)s") % {"user": wanted})
    elif others:
        agents, one = in_scope, False
    else:
        agents = in_scope.filter(pk=me.pk)
    now = timezone.now()
    entries = checks_for(now=now, agents=agents, include_empty=one)
    choices = []
    if others:
        handlers = in_scope.filter(
            is_active=True, groups__name__in=[Role.AGENT, Role.TEAM_LEAD]
        ).distinct()
        choices = list(
            handlers.order_by("username").values_list("username", "staff_profile__display_name")
        )
    return render(
        request,
        "workbench/inboxes/daily_checks.html",
        {
            "checked_at": now,
            "parcel_stale_days": parcel_stale_days(),
            "exchange_ship_days": exchange_ship_days(),
            "entries": [
                {
                    "agent": e,
                    "lists": [(name, getattr(e, name)) for name in LISTS],
                    "empty": not any(getattr(e, name) for name in LISTS),
                }
                for e in entries
            ],
            "others": others,
            "choices": choices,
            "wanted": wanted,
        },
    )
