"""/api/v1/sla/compliance: SLA compliance per timer kind, team or agent for a period."""

from django.http import HttpRequest
from ninja import Router

from aftersales.sla import figures
from aftersales.sla.figures import Compliance  # the response shape, one definition

from .schemas import ErrorOut

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


@router.get(
    "/compliance",
    response={200: Compliance, **ERRORS},
    summary="时限达标统计 / SLA compliance",
    description=(
        "Timers whose due time falls from 00:00 of `start` to the end of `end` "
        "(both dates inclusive, Asia/Shanghai), cancelled ones excluded, grouped `by` "
        "kind, team or agent. `rate` = met / (met + missed), a decimal string with 4 "
        "places, null when nothing is decided yet. Team leads see their teams; "
        "supervisors, management and admins everyone; agents 403."
    ),
)
def compliance(request: HttpRequest, start: str, end: str, by: str = "kind"):
    figures.team_scope(request.auth)  # agents: 403 before anything else
    period, grouping = figures.parse_request(start, end, by)
    return figures.compliance(period=period, by=grouping, user=request.auth)
