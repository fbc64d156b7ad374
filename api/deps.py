"""Request-scoped dependencies: the database session (committed before the response is sent),
the caller's `Principal`, and idempotent execution of creating writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from agents.runs import RunManager
from core import idempotency, identity, sessions
from core.context import AppContext
from core.errors import Unauthorized
from core.principal import Principal
from core.security import KEY_PREFIX, sign_token, verify_token

SESSION_COOKIE = "academy_session"
SESSION_PURPOSE = "session"


def app_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request; it commits before the response leaves, so whatever a client
    was told happened is already durable, and any error leaves the database untouched."""
    session = app_context(request).db.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DB = Annotated[Session, Depends(db_session, scope="function")]
Context = Annotated[AppContext, Depends(app_context)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("use 'Authorization: Bearer <token or API key>'")
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def client_address(request: Request) -> str:
    """The caller's address (uvicorn has already applied trusted proxy headers)."""
    return request.client.host if request.client else "unknown"


def issue_session_token(context: AppContext, session: Session, user_id: str, store_id: str | None) -> str:
    """A new log-in session and its token; the token names the session, so it can be revoked."""
    ttl = context.settings.session_ttl_seconds
    row = sessions.open_session(session, user_id, ttl)
    return sign_token(context.settings.secret(), {"sub": user_id, "sto": store_id, "sid": row.id}, ttl, SESSION_PURPOSE)


def session_claims(request: Request) -> dict[str, object] | None:
    """The verified claims of the request's session token, or None when it sends none (or a key)."""
    token = _bearer(request)
    if not token or token.startswith(KEY_PREFIX + "_"):
        return None
    return verify_token(app_context(request).settings.secret(), token, SESSION_PURPOSE)


def current_principal(request: Request, session: DB) -> Principal:
    token = _bearer(request)
    if not token:
        raise Unauthorized("authentication required: send a session token or an API key as a Bearer token")
    context = app_context(request)
    if token.startswith(KEY_PREFIX + "_"):
        principal = identity.resolve_api_key(session, token)
        assert principal.api_key_id is not None
        context.limiter.hit(
            context.settings.api_key_rate_limit, "api-key", principal.api_key_id, what="requests with this API key"
        )
    else:
        claims = verify_token(context.settings.secret(), token, SESSION_PURPOSE)
        principal = identity.principal_for_session(session, str(claims["sub"]), claims.get("sto"), claims.get("sid"))
    # Commit now, which also hands the connection back to the pool: a request waiting for a worker
    # thread to run its endpoint must not hold one (under a burst they would all be held), and on
    # SQLite a key's open last-used write would block the services the endpoint calls.
    session.commit()
    return principal


Caller = Annotated[Principal, Depends(current_principal)]


@dataclass
class Idempotent:
    """Runs a creating write at most once per `Idempotency-Key`, replaying the stored answer."""

    session: Session
    owner: str
    key: str | None
    method: str
    path: str

    def run(self, payload: BaseModel | None, action: Callable[[], BaseModel], status_code: int = 201) -> Response:
        if self.key is None:
            return Response(action().model_dump_json(), status_code, media_type="application/json")
        body = payload.model_dump_json().encode() if payload is not None else b""
        fingerprint = idempotency.fingerprint(self.method, self.path, body)
        stored = idempotency.lookup(self.session, self.owner, self.key, fingerprint)
        if stored is not None:
            return Response(
                stored.body,
                stored.status_code,
                media_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        text = action().model_dump_json()
        idempotency.remember(self.session, self.owner, self.key, fingerprint, status_code, text)
        return Response(text, status_code, media_type="application/json")


def idempotent(
    request: Request,
    session: DB,
    principal: Caller,
    key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Idempotent:
    owner = principal.api_key_id or f"{principal.user_id}:{principal.store_id or '-'}"
    return Idempotent(
        session=session,
        owner=owner,
        key=idempotency.check_key(key) if key is not None else None,
        method=request.method,
        path=request.url.path,
    )


Idem = Annotated[Idempotent, Depends(idempotent)]


def run_manager(request: Request) -> RunManager:
    manager: RunManager = request.app.state.runs
    return manager


Runs = Annotated[RunManager, Depends(run_manager)]


STREAM_PURPOSE = "stream"  # a token that follows one run's events (an EventSource sends no headers)


def stream_principal(
    request: Request, session: DB, run_id: str, token: Annotated[str | None, Query()] = None
) -> Principal:
    """The session or API key, or else a stream token bound to this very run."""
    if token is None:
        return current_principal(request, session)
    settings = app_context(request).settings
    try:
        claims = verify_token(settings.secret(), token, STREAM_PURPOSE)
    except Unauthorized as exc:
        raise Unauthorized(f"{exc.detail.replace('; log in again', '')}; ask for a new stream token") from exc
    if claims.get("run") != run_id:
        raise Unauthorized("this stream token is for another run")
    principal = identity.principal_for_session(session, str(claims["sub"]), claims.get("sto"), claims.get("sid"))
    session.commit()  # hands the connection back while the request waits for its endpoint (see deps)
    return principal


StreamCaller = Annotated[Principal, Depends(stream_principal)]
