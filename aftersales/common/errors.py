"""Errors every layer understands. Services raise them with a stable code, a message in
the active language and per-field messages; the API turns them into
{"error": {"code", "message", "fields"}} with the status below."""

from typing import Any


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_error"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_type"
