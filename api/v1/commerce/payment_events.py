"""The platform operator's view of stored payment events: the ones parked `failed` (a handler raised
`MAX_ATTEMPTS` times, or a subject never came) with their error, and a retry once the cause is fixed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query
from sqlalchemy import select

from api.deps import DB, Caller
from api.paging import DEFAULT_LIMIT, Limit
from api.routing import v1_router
from api.schemas import Output
from commerce.models import PaymentEvent
from core.errors import Conflict, Forbidden, NotFound
from core.principal import Principal

router = v1_router(tags=["platform"], prefix="/admin")


class PaymentEventOut(Output):
    id: str
    provider: str
    event_id: str
    type: str
    status: str
    attempts: int
    error: str
    received_at: datetime
    next_attempt_at: datetime | None


def _admin(caller: Principal) -> None:
    if not caller.is_platform_admin:
        raise Forbidden("platform admins only")


@router.get("/payment-events", response_model=list[PaymentEventOut], summary="Stored payment events (platform admins)")
def list_events(
    caller: Caller,
    session: DB,
    status: Annotated[Literal["failed", "received", "waiting", "processed", "ignored"], Query()] = "failed",
    limit: Limit = DEFAULT_LIMIT,
) -> list[PaymentEventOut]:
    _admin(caller)
    query = select(PaymentEvent).where(PaymentEvent.status == status).order_by(PaymentEvent.received_at.desc())
    return [PaymentEventOut.model_validate(row) for row in session.scalars(query.limit(limit))]


@router.post("/payment-events/{event_row_id}/retry", response_model=PaymentEventOut, summary="Try a failed event again")
def retry_event(event_row_id: str, caller: Caller, session: DB) -> PaymentEventOut:
    """Back to `received`, with a fresh count of attempts; the next drain (within a minute) acts on it."""
    _admin(caller)
    row = session.get(PaymentEvent, event_row_id, with_for_update=True)
    if row is None:
        raise NotFound(f"payment event '{event_row_id}' not found")
    if row.status != "failed":
        raise Conflict(f"only a failed event is retried; this one is {row.status}", extra={"status": row.status})
    row.status, row.attempts, row.next_attempt_at = "received", 0, None
    session.flush()
    return PaymentEventOut.model_validate(row)
