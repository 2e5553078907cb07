"""/api/v1/daily-checks: the daily proactive checks (三主动) per agent — parcels with no
tracking movement, after-sale orders (售后单) past their expected date, refunds paid and not
confirmed arrived, exchanges not shipped, 运费险 payouts missing, commitments due, disputes
untouched for a day. An agent sees their own lists, a team lead their team's, supervisors,
management and admins everyone's; other roles get 403, staff outside one's scope 404."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from aftersales.common.errors import Forbidden, NotFound
from aftersales.disputes.permissions import (
    can_see_daily_checks,
    can_see_others_daily_checks,
    scope_daily_check_agents,
)
from aftersales.followup.daily_checks import (
    AgentCheck,
    daily_checks,
    exchange_ship_days,
    parcel_stale_days,
)

from .schemas import ErrorOut

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class DailyChecksOut(Schema):
    checked_at: datetime
    parcel_stale_days: int
    exchange_ship_days: int
    agents: list[AgentCheck]


@router.get(
    "",
    response={200: DailyChecksOut, **ERRORS},
    summary="每日主动检查 / Daily proactive checks",
    description=(
        "Per agent (the dispute's assignee), over open disputes: `stale_parcels` (in "
        "transit, no tracking movement for `parcel_stale_days` days), `late_executions` "
        "(after-sale orders past `expected_by`, not finished, money not yet paid), "
        "`unconfirmed_refunds` (paid, past the channel's expected arrival, not confirmed "
        "arrived), `unshipped_exchanges` (replacement waiting to ship past its deadline or "
        "`exchange_ship_days` days after the return passed inspection), "
        "`missing_insurance_payouts` (运费险 expected and not paid; closed disputes too), "
        "`due_commitments` (open, due today or overdue, Asia/Shanghai), "
        "`untouched_disputes` (no timeline event for 24 hours), `failed_messages` "
        "(customer messages that could not be delivered in the last 7 days, with the "
        "provider's reason). Without "
        "`user`: an agent gets their own entry (even when empty); others get every agent "
        "in their scope who has something to follow up. With `user`: that one entry."
    ),
)
def list_daily_checks(request: HttpRequest, user: str | None = None):
    me = request.auth
    if not can_see_daily_checks(me):
        raise Forbidden(_("您没有查看每日主动检查的权限"))
    in_scope = scope_daily_check_agents(me, get_user_model().objects.all())
    one = True
    if user:
        agents = in_scope.filter(username=user)
        if not agents.exists():
            raise NotFound(_("找不到员工 %(user)s") % {"user": user})
    elif can_see_others_daily_checks(me):
        agents, one = in_scope, False
    else:
        agents = in_scope.filter(pk=me.pk)
    now = timezone.now()
    return {
        "checked_at": now,
        "parcel_stale_days": parcel_stale_days(),
        "exchange_ship_days": exchange_ship_days(),
        "agents": daily_checks(now=now, agents=agents, include_empty=one),
    }
