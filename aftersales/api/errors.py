"""Every error the API returns has one shape: {"error": {"code", "message", "fields"}},
with messages in the request's language (Chinese unless Accept-Language asks for English)."""

import logging
import math

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from aftersales.common.errors import DomainError

from .parser import UnstorableText

logger = logging.getLogger("aftersales.api")


def too_large_message() -> str:
    return _("请求体过大，超过了服务器允许的上限")


def bad_request_message() -> str:
    return _("请求体无法解析，请检查格式（JSON 或 multipart/form-data）")


def server_error_message() -> str:
    return _("服务器内部错误，请稍后再试；问题已记录")


def rate_limited_message(wait: float | None) -> str:
    if wait is None:
        return _("请求过于频繁，请稍后再试")
    return _("请求过于频繁，请在 %(seconds)s 秒后再试") % {"seconds": math.ceil(wait)}


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    body = {"code": code, "message": message, "fields": fields or {}}
    body.update(extra)
    return {"error": body}


def _field_path(loc) -> str:
    parts = [str(p) for p in loc]
    # Ninja puts the location and the parameter's name first: ["body", "payload", ...].
    if parts and parts[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in {"payload", "body", "filters", "data"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


def _pydantic_message(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind in {"string_type", "str_type"}:
        return _("应为字符串")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("应为整数")
    if kind in {"bool_type", "bool_parsing"}:
        return _("应为 true 或 false")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("应为对象")
    if kind in {"json_invalid", "json_type"}:
        return _("请求体不是合法的 JSON")
    if kind == "greater_than_equal":
        return _("不能小于 %(limit)s") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("不能大于 %(limit)s") % {"limit": ctx.get("le")}
    if kind == "string_too_long":
        return _("不能超过 %(max)s 个字符") % {"max": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("格式不正确")
    if kind == "string_unicode":
        return _("含有无法识别的字符")
    return _("取值不正确")


def register(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(
            request, error_body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.status
        )

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields: dict[str, str] = {}
        for err in exc.errors:
            fields.setdefault(_field_path(err.get("loc", ())), _pydantic_message(err))
        return api.create_response(
            request,
            error_body("validation_error", _("提交的内容有误，请按提示修改"), fields),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            error_body(
                "unauthenticated", _("请先登录，或在 Authorization 头中提供有效的 Bearer 令牌")
            ),
            status=401,
        )

    def unstorable(request, exc: UnstorableText):
        return api.create_response(
            request,
            error_body(
                "validation_error",
                _("提交的内容有误，请按提示修改"),
                {exc.field: _("含有无法识别的字符")},
            ),
            status=422,
        )

    api.add_exception_handler(UnstorableText, unstorable)

    # Raised when Ninja (or its CSRF check) first reads the body: Django's own answers to
    # these are HTML pages, and its 400 for an oversized body hides the real cause.
    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return api.create_response(
            request, error_body("payload_too_large", too_large_message()), status=413
        )

    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(SuspiciousOperation)
    def bad_request(request, exc):
        return api.create_response(
            request, error_body("bad_request", bad_request_message()), status=400
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, error_body("not_found", _("找不到请求的内容")), status=404
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(
            request, error_body("forbidden", _("没有权限执行此操作")), status=403
        )

    @api.exception_handler(Exception)
    def server_error(request, exc):
        # The traceback goes to the log, never to the client (it names files and values).
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return api.create_response(
            request, error_body("server_error", server_error_message()), status=500
        )

    # A rate limit (aftersales.api.throttling); Ninja adds the Retry-After header.
    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        return api.create_response(
            request, error_body("rate_limited", rate_limited_message(exc.wait)), status=429
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, UnstorableText):  # raised while parsing the JSON body
            return unstorable(request, exc.__cause__)
        if exc.status_code == 403 and str(exc) == "csrf_failed":
            return api.create_response(
                request, error_body("csrf_failed", _("CSRF 校验失败，请刷新页面后重试")), status=403
            )
        if exc.status_code == 400:  # Ninja could not parse the body (not JSON, bad multipart)
            return api.create_response(
                request,
                error_body("malformed_body", _("请求体无法解析，请发送合法的 JSON")),
                status=400,
            )
        return api.create_response(
            request, error_body("http_error", str(exc)), status=exc.status_code
        )
