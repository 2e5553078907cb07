"""The REST API, /api/v1/ (OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs)."""

from ninja import NinjaAPI

from . import errors
from .auth import BearerToken, Session
from .disputes import router as disputes_router
from .parser import StorableTextParser
from .renderers import ShanghaiJSONRenderer
from .triage import groups as group_complaints_router
from .triage import inbox as inbox_router

api = NinjaAPI(
    title="售后纠纷管理系统 API",
    version="1.0.0",
    description=(
        "After-sales dispute management. Errors: "
        '{"error": {"code", "message", "fields"}}; Chinese by default, English with '
        "`Accept-Language: en`. Authenticate with `Authorization: Bearer <token>` "
        "(`aftersales token create USERNAME`) or the web session."
    ),
    auth=[BearerToken(), Session()],
    urls_namespace="api-v1",
    renderer=ShanghaiJSONRenderer(),
    parser=StorableTextParser(),
)
errors.register(api)
api.add_router("/disputes", disputes_router, tags=["disputes"])
api.add_router("/disputes", "aftersales.api.sla.router", tags=["sla"])
api.add_router("/group-complaints", group_complaints_router, tags=["triage"])
api.add_router("/notifications", inbox_router, tags=["notifications"])
api.add_router("/daily-checks", "aftersales.api.daily_checks.router", tags=["sla"])
api.add_router("/sla", "aftersales.api.figures.router", tags=["sla"])
api.add_router("/disputes", "aftersales.api.mediation.router", tags=["mediation"])
api.add_router("/disputes", "aftersales.api.customer.router", tags=["customer"])
api.add_router("/disputes", "aftersales.api.investigation.router", tags=["investigation"])
api.add_router("/disputes", "aftersales.api.facts.router", tags=["mediation"])
api.add_router("/orders", "aftersales.api.orders.router", tags=["orders"])
api.add_router("/disputes", "aftersales.api.aftersale.router", tags=["fulfilment"])
api.add_router("/aftersale-orders", "aftersales.api.worklists.router", tags=["fulfilment"])
api.add_router("/disputes", "aftersales.api.followup.router", tags=["followup"])
api.add_router("/disputes", "aftersales.api.contacts.router", tags=["disputes"])
api.add_router("/disputes", "aftersales.api.customer_messages.router", tags=["customer"])
