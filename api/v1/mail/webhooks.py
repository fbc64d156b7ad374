"""Resend's webhooks, `POST /v1/webhooks/resend`: the Svix signature (`svix-id`, `svix-timestamp`,
`svix-signature`) is checked on the raw bytes before anything is parsed (a forged, unsigned or stale
event is a 400 and nothing is stored), then the event is stored once by its id and acted on in one
transaction; a redelivery answers `duplicate: true`. With no signing secret set there is no such
endpoint here (404, naming the setting)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Header, Request
from starlette.concurrency import run_in_threadpool

from api.deps import Context
from api.openapi import PROBLEM_REF
from api.routing import v1_router
from core.context import AppContext
from core.errors import BadRequest, NotFound
from mail.inbound import base as inbound
from mail.inbound import resend

router = v1_router(tags=["mail"])

log = logging.getLogger("academy.mail")


def _store(context: AppContext, event_id: str, event: dict[str, object]) -> tuple[str, bool, str]:
    with context.db.transaction() as session:
        row, new = inbound.receive(session, resend.PROVIDER, event_id, event, resend.delivery(event))
        return row.id, new, row.outcome


@router.post(
    "/webhooks/resend",
    summary="Resend's delivery events (bounces, complaints, opens, clicks)",
    responses={
        404: {
            "description": "This deployment takes no Resend webhooks (no signing secret is set)",
            "content": {"application/problem+json": {"schema": PROBLEM_REF}},
        }
    },
)
async def resend_webhook(
    request: Request,
    context: Context,
    svix_id: Annotated[str | None, Header(alias="svix-id")] = None,
    svix_timestamp: Annotated[str | None, Header(alias="svix-timestamp")] = None,
    svix_signature: Annotated[str | None, Header(alias="svix-signature")] = None,
) -> dict[str, object]:
    secret = context.settings.resend_webhook_secret
    if secret is None:
        raise NotFound("this deployment takes no Resend webhooks (ACADEMY_RESEND_WEBHOOK_SECRET is not set)")
    body = await request.body()
    try:
        event = resend.verify(body, request.headers, secret.get_secret_value())
    except inbound.SignatureError as exc:
        log.warning("refused a Resend webhook: %s", exc)
        raise BadRequest(f"the signature does not verify: {exc}") from exc
    event_id = svix_id or request.headers.get("webhook-id") or ""
    row_id, new, outcome = await run_in_threadpool(_store, context, event_id, event)
    return {"received": True, "duplicate": not new, "id": row_id, "outcome": outcome}
