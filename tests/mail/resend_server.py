"""A loopback Resend for the adapter's tests, on the shared JSON stub: `POST /emails` as Resend answers it (a Bearer key, JSON in
and out, `Idempotency-Key` replays the first answer, Resend's error bodies `{"statusCode", "name",
"message"}`), and test hooks for what Resend does under load: `throttle(n, retry_after)` answers the
next `n` sends with a 429 and a `retry-after` header, `fail(n)` with a 500."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.http_stub import json_stub

KEY = "re_loopback_key"


class LoopbackResend:
    def __init__(self) -> None:
        self.url = ""
        self.accepted: list[dict[str, Any]] = []
        self.replies: dict[str, dict[str, Any]] = {}  # idempotency key -> the first answer
        self.throttled, self.retry_after, self.failing = 0, "1", 0
        self.lock = threading.Lock()

    def throttle(self, n: int, retry_after: str = "1") -> None:
        self.throttled, self.retry_after = n, retry_after

    def fail(self, n: int) -> None:
        self.failing = n

    def handle(self, key: str | None, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            if self.throttled:
                self.throttled -= 1
                error = {"statusCode": 429, "name": "rate_limit_exceeded", "message": "Too many requests."}
                return 429, error, {"retry-after": self.retry_after}
            if self.failing:
                self.failing -= 1
                return 500, {"statusCode": 500, "name": "application_error", "message": "Internal error."}, {}
            if key and key in self.replies:
                return 200, self.replies[key], {}
            missing = [f for f in ("from", "to", "subject") if not body.get(f)]
            if missing:
                message = f"Missing `{missing[0]}` field."
                return 422, {"statusCode": 422, "name": "missing_required_field", "message": message}, {}
            if any("@" not in to for to in body["to"]):
                return 422, {"statusCode": 422, "name": "validation_error", "message": "Invalid `to` field."}, {}
            reply = {"id": f"re_{secrets.token_hex(8)}"}
            self.accepted.append(body | {"id": reply["id"], "idempotency_key": key})
            if key:
                self.replies[key] = reply
            return 200, reply, {}


def _reply(server: LoopbackResend, request: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    if request["auth"] != f"Bearer {KEY}":
        return 403, {"statusCode": 403, "name": "invalid_api_key", "message": "API key is invalid"}, {}
    if request["path"].rstrip("/") != "/emails":
        return 404, {"statusCode": 404, "name": "not_found", "message": "Not found"}, {}
    body = {k: v for k, v in request.items() if k not in ("path", "auth", "request_headers")}
    return server.handle(request["request_headers"].get("idempotency-key"), body)


@contextmanager
def loopback_resend() -> Iterator[LoopbackResend]:
    server = LoopbackResend()
    with json_stub(lambda request: _reply(server, request)) as stub:
        server.url = stub.url
        yield server
