"""A problem response sent straight from ASGI middleware, before the app (and FastAPI's handlers) run."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import Send

PROBLEM = b"application/problem+json"


async def send_problem(
    send: Send, status: int, code: str, title: str, detail: str, headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps({"type": f"/problems/{code}", "title": title, "status": status, "detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", PROBLEM), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})
