"""Domain errors. Services raise these; the API turns them into RFC 9457 problem bodies and the
CLI into one-line messages, so no caller ever sees a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


class ConfigurationError(ValueError):
    """The process is configured in a way it must not start with."""


@dataclass
class FieldError:
    field: str
    message: str


@dataclass
class AppError(Exception):
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.detail)

    def __str__(self) -> str:
        return self.detail


class BadRequest(AppError):
    status, code, title = 400, "bad-request", "Bad request"


class Unauthorized(AppError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(AppError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload-too-large", "Request body too large"


class TooManyRequests(AppError):
    """Over a rate limit; `retry_after` seconds until the window lets the next one through."""

    status, code, title = 429, "rate-limited", "Too many requests"

    @classmethod
    def after(cls, seconds: int, what: str = "requests") -> TooManyRequests:
        return cls(f"too many {what}; try again in {seconds} s", extra={"retry_after": seconds})


class ValidationFailed(AppError):
    status, code, title = 422, "validation-failed", "Invalid input"


def invalid(field_name: str, message: str) -> ValidationFailed:
    """A validation error about one named field."""
    return ValidationFailed(f"{field_name}: {message}", errors=[FieldError(field_name, message)])
