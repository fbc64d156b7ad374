"""RFC 9457 problem responses for every error, so clients always get a JSON body that names the
problem and, for bad input, the field; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import AppError

log = logging.getLogger("academy.api")
PROBLEM_TYPE = "application/problem+json"


OPENAI_PATHS = frozenset({"/v1/chat/completions", "/v1/models"})
DB_RETRY_AFTER = 2
RESERVED = frozenset({"type", "title", "status", "detail", "instance"})


def problem(status: int, title: str, detail: str, code: str, instance: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": f"/problems/{code}", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None and k not in RESERVED})
    if instance in OPENAI_PATHS:  # OpenAI clients show `error.message`; the problem members stay for everyone else
        body["error"] = {"message": detail, "type": code, "code": status}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if isinstance(extra.get("retry_after"), int):  # 429 and 503 say when to come back
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "field required"
    return str(error.get("msg", "invalid value"))


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(400, "Malformed JSON", "the request body is not valid JSON", "malformed-json", request.url.path)
    fields = [{"field": _field_path(tuple(e.get("loc", ()))), "message": _message(e)} for e in errors]
    detail = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
    return problem(422, "Invalid input", detail, "validation-failed", request.url.path, errors=fields)


async def _app_error(request: Request, exc: AppError) -> JSONResponse:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors] or None
    extra = {k: v for k, v in exc.extra.items() if k not in RESERVED}  # members never override the problem's own
    return problem(exc.status, exc.title, exc.detail, exc.code, request.url.path, errors=errors, **extra)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    titles = {404: "Not found", 405: "Method not allowed", 401: "Authentication required"}
    detail = str(exc.detail) if exc.detail else titles.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such endpoint: {request.method} {request.url.path}"
    return problem(
        exc.status_code,
        titles.get(exc.status_code, "Error"),
        detail,
        f"http-{exc.status_code}",
        request.url.path,
    )


async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
    log.info("integrity conflict on %s: %s", request.url.path, exc.orig)
    return problem(
        409,
        "Conflict",
        "the request conflicts with the current state (a duplicate or a concurrent change); retry it",
        "conflict",
        request.url.path,
    )


async def _db_busy(request: Request, exc: OperationalError | PoolTimeout) -> JSONResponse:
    log.warning("database unavailable on %s: %s", request.url.path, getattr(exc, "orig", exc))
    return problem(
        503,
        "Service unavailable",
        "the database is busy; retry shortly",
        "db-unavailable",
        request.url.path,
        retry_after=DB_RETRY_AFTER,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal error", "something went wrong on our side; it has been logged", "internal")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(AppError, _app_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _integrity)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _db_busy)  # type: ignore[arg-type]
    app.add_exception_handler(PoolTimeout, _db_busy)  # type: ignore[arg-type]  # every connection in use
    app.add_exception_handler(Exception, _unexpected)
