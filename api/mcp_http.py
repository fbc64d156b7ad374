"""`/mcp`: the MCP server over streamable HTTP, inside the app.

Stateless (each POST is a whole exchange, checked on its own) with JSON answers; a GET (the stream
for messages the server sends unasked, which a stateless server never has) is a 405. A request without
a valid store API key is refused here with 401 and a problem document before the SDK sees it (and a
key over its rate with 429, the HTTP API's limit); the server resolves the key again for each call.
The SDK's session manager runs from the app's lifespan (`run()`), and its DNS-rebinding protection
allows loopback and the public host."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from api.asgi import send_problem
from api.mcp_server import AcademyMCP
from core import identity
from core.db import Database
from core.errors import TooManyRequests, Unauthorized
from core.ratelimit import RateLimiter
from core.settings import Settings


def _security(settings: Settings) -> TransportSecuritySettings:
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    public = urlsplit(settings.public_base_url)
    if public.hostname and public.hostname not in ("127.0.0.1", "localhost"):
        hosts += [public.netloc, f"{public.hostname}:*"]
        origins += [f"{public.scheme}://{public.netloc}"]
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)


class McpEndpoint:
    """The ASGI app mounted at /mcp."""

    def __init__(self, server: AcademyMCP, db: Database, settings: Settings, limiter: RateLimiter) -> None:
        self.server, self.db, self.security = server, db, _security(settings)
        self.limiter, self.rule = limiter, settings.api_key_rate_limit
        self.manager: StreamableHTTPSessionManager | None = None

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """A session manager runs once, so each start of the app makes its own."""
        manager = StreamableHTTPSessionManager(
            app=self.server.server, json_response=True, stateless=True, security_settings=self.security
        )
        async with manager.run():
            self.manager = manager
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        try:
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("MCP needs a store API key: send it as a Bearer token")
            await run_in_threadpool(self._check, token.strip())
        except Unauthorized as exc:
            challenge = [(b"www-authenticate", b'Bearer realm="academy"')]
            await send_problem(send, 401, "unauthorized", "Authentication required", exc.detail, challenge)
            return
        except TooManyRequests as exc:
            wait = [(b"retry-after", str(exc.extra.get("retry_after", 1)).encode())]
            await send_problem(send, 429, exc.code, exc.title, exc.detail, wait)
            return
        if scope.get("method") == "GET":
            # A stateless server sends nothing unasked, so a GET's event stream would carry only pings and
            # hold a connection forever; the spec's answer for "no stream here" is 405.
            detail = "this MCP endpoint is stateless and has no event stream: POST each request"
            await send_problem(send, 405, "method-not-allowed", "Method not allowed", detail, [(b"allow", b"POST")])
            return
        if self.manager is None:
            await send_problem(send, 503, "not-ready", "Starting", "the MCP endpoint is starting; try again")
            return
        await self.manager.handle_request(scope, receive, send)

    def _check(self, token: str) -> None:
        """The key is valid, and within the same per-key rate as the HTTP API."""
        with self.db.transaction() as session:
            principal = identity.resolve_api_key(session, token)
        self.limiter.hit(self.rule, "api-key", str(principal.api_key_id), what="requests with this API key")
