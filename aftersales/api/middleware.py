"""Every answer under /api/ has the API's error shape, including the ones Django gives
before a route is found: an unknown path (404) and a method the path does not take
(405, with its Allow header)."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code in (404, 405)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            if response.status_code == 404:
                code, message = "not_found", _("没有这个接口：%(path)s") % {"path": request.path}
            else:
                code = "method_not_allowed"
                message = _("该接口不支持 %(method)s 方法") % {"method": request.method}
            shaped = HttpResponse(
                json.dumps(
                    {"error": {"code": code, "message": message, "fields": {}}},
                    ensure_ascii=False,
                ),
                status=response.status_code,
                content_type="application/json; charset=utf-8",
            )
            if "Allow" in response:
                shaped["Allow"] = response["Allow"]
            return shaped
        return response
