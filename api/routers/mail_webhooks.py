"""Resend's webhooks, `POST /v1/webhooks/resend`: the Svix signature is checked on the raw bytes before
anything is parsed (a forged, unsigned or stale event is a 400 and nothing is stored), then the event
is stored once by its id and acted on in one transaction; a redelivery answers `duplicate: true`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import Context
from core.context import AppContext
from core.errors import AppError, BadRequest
from mail import webhooks

router = APIRouter(prefix="/v1", tags=["mail"])


class NotConfigured(AppError):
    status, code, title = 503, "not-configured", "Not configured"


log = logging.getLogger("academy.mail")


def _store(context: AppContext, event_id: str, event: dict[str, object]) -> tuple[str, bool, str]:
    with context.db.transaction() as session:
        row, new = webhooks.receive(session, event_id, event)
        return row.id, new, row.outcome


@router.post("/webhooks/resend", summary="Resend's delivery events (bounces, complaints, opens, clicks)")
async def resend_webhook(request: Request, context: Context) -> dict[str, object]:
    secret = context.settings.resend_webhook_secret
    if secret is None:
        raise NotConfigured("ACADEMY_RESEND_WEBHOOK_SECRET is not set: Resend's webhooks cannot be verified")
    body = await request.body()
    try:
        event = webhooks.verify(body, request.headers, secret.get_secret_value())
    except webhooks.SignatureError as exc:
        log.warning("refused a Resend webhook: %s", exc)
        raise BadRequest(f"the signature does not verify: {exc}") from exc
    event_id = request.headers.get("svix-id") or request.headers.get("webhook-id") or ""
    row_id, new, outcome = await run_in_threadpool(_store, context, event_id, event)
    return {"received": True, "duplicate": not new, "id": row_id, "outcome": outcome}
