"""Liveness and readiness probes. Both are async and skip admission control, and readiness checks
the database on its own connection (not the app's pool) in its own thread, so neither probe waits
behind a burst of requests."""

from __future__ import annotations

from functools import lru_cache

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from core.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])
PROBE_TIMEOUT_SECONDS = 3.0
_probe_threads = anyio.CapacityLimiter(2)


@lru_cache(maxsize=1)
def _head() -> str | None:
    return head_revision()


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database answers and its schema is current",
    responses={503: {"description": "Not ready: the database is unreachable or its schema is behind"}},
)
async def readyz(request: Request) -> JSONResponse:
    url = request.app.state.context.db.url
    checks: dict[str, str] = {}
    try:
        with anyio.fail_after(PROBE_TIMEOUT_SECONDS):
            revision = await anyio.to_thread.run_sync(current_revision, url, limiter=_probe_threads)
        checks["database"] = "ok"
        checks["migrations"] = "ok" if revision == _head() else f"at {revision}, head is {_head()}"
    except TimeoutError:
        checks["database"] = f"unavailable: no answer within {PROBE_TIMEOUT_SECONDS:g} s"
    except Exception as exc:  # readiness reports the failure instead of raising it
        checks["database"] = f"unavailable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )
