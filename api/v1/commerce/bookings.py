"""Coaching bookings: a product's free times (for anyone who may buy in the store; a checkout's
`starts_at` is one of them) and the confirmed sessions (a creator's calendar, a learner's own)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query
from pydantic import Field
from sqlalchemy import select

from api.deps import DB, Caller
from api.paging import Limit
from api.routing import v1_router
from api.schemas import Output
from commerce import bookings, storefront
from core.models import User

router = v1_router(tags=["bookings"])


class SlotsOut(Output):
    product_id: str
    duration_minutes: int
    timezone: str = Field(description="The creator's time zone, in which the weekly hours are set.")
    slots: list[datetime] = Field(description="Free session starts, UTC, soonest first.")


class BookingOut(Output):
    id: str
    product_id: str
    order_id: str | None
    user_id: str
    learner_email: str
    learner_name: str
    starts_at: datetime
    ends_at: datetime
    status: str


@router.get("/products/{product_id}/slots", response_model=SlotsOut, summary="A coaching product's free times")
def list_slots(
    product_id: str, caller: Caller, session: DB, days: Annotated[int, Query(ge=1, le=bookings.MAX_DAYS)] = 14
) -> SlotsOut:
    """What `starts_at` of a checkout can be: the weekly hours cut into sessions, from the notice
    period on, less the store's confirmed and held sessions."""
    product = storefront.bookable(session, caller.require_store(), product_id)
    plan = bookings.schedule(product)
    free = bookings.free_slots(session, product, days)
    return SlotsOut(product_id=product.id, duration_minutes=plan.minutes, timezone=plan.zone.key, slots=free)


@router.get("/bookings", response_model=list[BookingOut], summary="Booked sessions: upcoming, or past")
def list_bookings(
    caller: Caller,
    session: DB,
    past: bool = False,
    limit: Limit = 100,
) -> list[BookingOut]:
    found = bookings.list_bookings(session, caller, past, limit)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_({b.user_id for b in found})))}
    return [
        BookingOut(
            id=b.id,
            product_id=b.product_id,
            order_id=b.order_id,
            user_id=b.user_id,
            learner_email=users[b.user_id].email,
            learner_name=users[b.user_id].name,
            starts_at=b.starts_at,
            ends_at=b.ends_at,
            status=b.status,
        )
        for b in found
    ]
