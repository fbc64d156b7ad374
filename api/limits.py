"""Request shape limits applied before the app reads anything: bodies over the configured size
(declared or streamed chunked) get 413, and a path or query string carrying a NUL byte gets 400
(no resource is named with one, and PostgreSQL cannot even compare against one)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.asgi import send_problem


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int | None = None) -> None:
        self.app = app
        self.default_bytes = max_bytes
        self.upload_bytes = upload_bytes or max_bytes

    def limit_for(self, path: str) -> int:
        """File uploads (a course's /documents, a product's /file) get the larger upload limit."""
        return self.upload_bytes if path.rstrip("/").endswith(("/documents", "/file")) else self.default_bytes

    async def _reject(self, send: Send, limit: int) -> None:
        detail = f"the request body exceeds the limit of {limit} bytes"
        await send_problem(send, 413, "payload-too-large", "Request body too large", detail)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            detail = "the address contains a NUL character (%00), which no path or parameter may hold"
            await send_problem(send, 400, "bad-request", "Bad request", detail)
            return
        limit = self.limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._reject(send, limit)
                    return
        if any(name == b"content-length" for name, _ in scope.get("headers", [])):
            await self.app(scope, receive, send)
            return
        # No declared length (chunked): buffer up to the limit, then replay it to the app.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await self._reject(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(
            scope,
            _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}], receive),
            send,
        )


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive
