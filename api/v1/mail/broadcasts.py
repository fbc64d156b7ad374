"""Broadcasts: one template to the store's subscribed contacts (of a segment, with any of some tags);
draft, schedule, cancel, and stats per broadcast (creators: `contacts:write` / `contacts:read`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from api.deps import DB, Caller
from api.gate import Gated, gated
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Input, Output, PageOut
from core.db import utcnow
from core.principal import CONTACTS_READ
from mail import broadcasts, deliverability

router = v1_router(tags=["mail"])


class BroadcastCreate(Input):
    name: str = Field(max_length=200)
    template_id: str = Field(max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=50, description="Empty: every subscribed contact.")
    segment_id: str | None = Field(default=None, max_length=40, description="Only the segment's subscribed members.")


class ScheduleIn(Input):
    at: datetime | None = Field(default=None, description="When to start (UTC); default now.")


class BroadcastOut(Output):
    id: str
    name: str
    template_id: str
    tags: list[str]
    segment_id: str | None
    status: str
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    queued: int
    created_at: datetime


class BroadcastDetail(BroadcastOut):
    stats: broadcasts.Stats


@router.post("/mail/broadcasts", response_model=BroadcastOut, status_code=201, summary="Draft a broadcast")
def create_broadcast(body: BroadcastCreate, caller: Caller, session: DB) -> BroadcastOut:
    made = broadcasts.create_broadcast(session, caller, body.name, body.template_id, body.tags, body.segment_id)
    return BroadcastOut.model_validate(made)


@router.get("/mail/broadcasts", response_model=PageOut[BroadcastOut], summary="The store's broadcasts")
def list_broadcasts(
    caller: Caller,
    session: DB,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> PageOut[BroadcastOut]:
    page = broadcasts.list_broadcasts(session, caller, cursor, limit)
    return PageOut[BroadcastOut](
        data=[BroadcastOut.model_validate(b) for b in page.items], next_cursor=page.next_cursor
    )


@router.get("/mail/broadcasts/{broadcast_id}", response_model=BroadcastDetail, summary="A broadcast and its stats")
def get_broadcast(broadcast_id: str, caller: Caller, session: DB) -> BroadcastDetail:
    found = BroadcastOut.model_validate(broadcasts.get_broadcast(session, caller, broadcast_id))
    return BroadcastDetail(**found.model_dump(), stats=broadcasts.stats(session, caller, broadcast_id))


@router.post(
    "/mail/broadcasts/{broadcast_id}/schedule",
    response_model=BroadcastOut,
    summary="Send it (now or later)",
    **gated("schedule_broadcast"),
)
def schedule(broadcast_id: str, body: ScheduleIn, caller: Caller, session: DB, gate: Gated) -> Any:
    arguments = {"broadcast_id": broadcast_id, "at": body.at.isoformat() if body.at else None}
    if (pending := gate.hold("schedule_broadcast", arguments)) is not None:
        return pending
    out = BroadcastOut.model_validate(broadcasts.schedule(session, caller, broadcast_id, body.at))
    gate.done(session, "schedule_broadcast", arguments, {"broadcast_id": out.id, "status": out.status})
    return out


@router.post("/mail/broadcasts/{broadcast_id}/cancel", response_model=BroadcastOut, summary="Stop what is not sent")
def cancel(broadcast_id: str, caller: Caller, session: DB) -> BroadcastOut:
    return BroadcastOut.model_validate(broadcasts.cancel(session, caller, broadcast_id))


class DeliverabilityOut(Output):
    sent: int = Field(description="Messages sent in the last 30 days.")
    bounced: int
    complained: int
    bounce_rate: float
    complaint_rate: float
    max_bounce_rate: float = deliverability.MAX_BOUNCES
    max_complaint_rate: float = deliverability.MAX_COMPLAINTS
    paused: bool = Field(description="Broadcasts and automations are held (receipts still go).")
    reason: str | None
    paused_at: datetime | None


@router.get("/mail/deliverability", response_model=DeliverabilityOut, summary="Bounce and complaint rates; a pause")
def standing(caller: Caller, session: DB) -> DeliverabilityOut:
    caller.require(CONTACTS_READ)
    store_id = caller.require_store()
    found = deliverability.standings(session, utcnow(), store_id).get(store_id, deliverability.Standing(0, 0, 0))
    pause = deliverability.live_pause(session, store_id)
    return DeliverabilityOut(
        sent=found.sent, bounced=found.bounced, complained=found.complained, bounce_rate=round(found.bounce_rate, 4),
        complaint_rate=round(found.complaint_rate, 4), paused=pause is not None,
        reason=pause.reason if pause else None, paused_at=pause.paused_at if pause else None,
    )  # fmt: skip
