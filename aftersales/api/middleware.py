"""Every answer under /api/ has the API's error shape, including the ones Django gives
before or around a route: an unknown path (404), a method the path does not take (405,
with its Allow header), and the HTML pages Django renders for a body it cannot read
(400/413) or for a crash outside the API's own handlers (500, which in DEBUG would carry
the traceback)."""

import json

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .errors import (
    bad_request_message,
    rate_limited_message,
    server_error_message,
    too_large_message,
)

API_PREFIX = "/api/"


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _shape(request, status: int) -> tuple[int, str, str] | None:
    """(status, code, message) for a non-JSON error answer, None to leave it alone."""
    if status == 404:
        return 404, "not_found", _("没有这个接口：%(path)s") % {"path": request.path}
    if status == 405:
        message = _("该接口不支持 %(method)s 方法") % {"method": request.method}
        return 405, "method_not_allowed", message
    if status == 413:
        return 413, "payload_too_large", too_large_message()
    if status == 400:
        # Django answers an over-limit body (RequestDataTooBig) with a bare 400.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and _content_length(request) > limit:
            return 413, "payload_too_large", too_large_message()
        return 400, "bad_request", bad_request_message()
    if status == 403:
        return 403, "forbidden", _("没有权限执行此操作")
    if status == 429:
        return 429, "rate_limited", rate_limited_message(None)
    if status >= 500:
        return 500, "server_error", server_error_message()
    return None


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        shaped_as = _shape(request, response.status_code)
        if shaped_as is None:
            return response
        status, code, message = shaped_as
        shaped = HttpResponse(
            json.dumps(
                {"error": {"code": code, "message": message, "fields": {}}}, ensure_ascii=False
            ),
            status=status,
            content_type="application/json; charset=utf-8",
        )
        for header in ("Allow", "Retry-After"):
            if header in response:
                shaped[header] = response[header]
        return shaped
