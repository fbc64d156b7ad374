"""The OpenAPI document, with every operation's problem responses (RFC 9457, as
`application/problem+json`) and the headers that go with them, derived from what each route can
actually answer: a body can be malformed (400), too large (413) or invalid (422); any parameter can
be invalid (422) or carry a NUL (400); a credential can be missing (401) or lack a scope (403), and
an API key can exceed its rate (429); an id can name nothing (404); a write can conflict (409); and
every operation but the liveness probe can be refused under load (503, `Retry-After`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from api.deps import current_principal, stream_principal

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "An RFC 9457 problem document.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/validation-failed"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}
DESCRIPTIONS = {
    400: "Malformed request: JSON that does not parse, or a NUL or malformed position in the address",
    401: "No valid session token or API key",
    403: "The credential lacks the scope, or the resource is locked for this reader",
    404: "Nothing with that id (or slug) in this store",
    409: "Conflicts with the current state (a duplicate, a busy thread, a rule such as publishing)",
    413: "The request body is over the size limit",
    422: "Invalid input; `errors` names each field",
    429: "Over a rate limit; `Retry-After` says when to retry",
    503: "Overloaded or the database is busy; `Retry-After` says when to retry",
}
PUBLIC_LIMITED = frozenset({"/v1/auth/login", "/v1/auth/signup"})
PUBLIC_RATED = frozenset({"/v1/stores/{slug}/subscribe"})  # no login, limited per caller address
NEVER_REFUSED = frozenset({"/healthz"})


AUTHENTICATORS = (current_principal, stream_principal)


def _calls(dependant: Dependant, functions: tuple[Any, ...]) -> bool:
    return any(d.call in functions or _calls(d, functions) for d in dependant.dependencies)


def _authenticated(route: APIRoute) -> bool:
    return _calls(route.dependant, AUTHENTICATORS)


def _has_params(route: APIRoute) -> bool:
    d = route.dependant
    return bool(d.path_params or d.query_params or d.header_params) or any(
        sub.query_params or sub.header_params or sub.path_params for sub in d.dependencies
    )


def problem_statuses(route: APIRoute, method: str) -> list[int]:
    body = route.body_field is not None
    statuses: set[int] = set()
    if body:
        statuses |= {400, 413, 422}
    if _has_params(route):
        statuses |= {400, 422}
    if _authenticated(route):
        statuses |= {401, 403, 429}
    if route.path_format in PUBLIC_LIMITED:
        statuses |= {401, 404, 429}
    if route.path_format in PUBLIC_RATED:
        statuses.add(429)
    if route.dependant.path_params or body:
        statuses.add(404)
    if method in {"POST", "PUT", "PATCH", "DELETE"}:
        statuses.add(409)
    if route.path_format not in NEVER_REFUSED:
        statuses.add(503)
    return sorted(statuses)


def _response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    elif status == 401:
        response["headers"] = WWW_AUTHENTICATE
    return response


def build(app: FastAPI, routers: Iterable[APIRouter]) -> dict[str, Any]:
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute) and r.include_in_schema]
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=routes)
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for route in routes:
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            responses = operation.setdefault("responses", {})
            for status in problem_statuses(route, method):
                responses[str(status)] = _response(status)
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's own 422 shape is never sent
        schema["components"]["schemas"].pop(name, None)
    return schema


def install(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Serve `build`'s document at /openapi.json (the routers are the ones the app includes)."""
    included = list(routers)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app, included)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
