"""Coaching bookings: when a coaching product can be booked, which of those times are free, and a
booked time held, confirmed and cancelled with the purchase it belongs to.

A coaching product says, in its `details`, how long a session lasts, in which time zone its creator
works and on which weekly hours; the free times are those hours cut into sessions, from a notice
period on, less every live booking of the store (a creator is one person: a session of one product
takes the time from all of them). A time is held with its checkout (so two learners cannot pay for
the same hour) for as long as the checkout is open, at most `HOLD`; the fulfiller confirms it with
the order and records `booking.confirmed`, which the mail service turns into a confirmation with a
calendar invitation; a full refund cancels it (`booking.cancelled`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.orm import Session

from commerce.models import Booking, CheckoutSession, Order, Product
from commerce.orders import record
from core.db import utcnow
from core.errors import Conflict, invalid
from core.models import Store
from core.principal import ORDERS_READ, Principal
from core.tenancy import in_store, select_in_store

HOLD = timedelta(minutes=30)  # how long an unpaid checkout keeps its time
MAX_DAYS = 60  # how far ahead slots are listed
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_HOURS = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in WEEKDAYS[:5]]


@dataclass(frozen=True)
class Schedule:
    """A coaching product's bookable time, read from its details (defaults filled in)."""

    minutes: int
    zone: ZoneInfo
    hours: list[tuple[int, time, time]]  # (weekday, start, end) in the zone
    notice: timedelta


def _clock(value: object, field: str) -> time:
    try:
        hour, minute = str(value).split(":")
        return time(int(hour), int(minute))
    except ValueError as exc:
        raise invalid(field, "must be a time of day as HH:MM, such as 09:30") from exc


def check_details(details: dict[str, Any]) -> dict[str, Any]:
    """A coaching product's details, checked and completed with the defaults (what is stored)."""
    minutes = details.get("duration_minutes", 60)
    if not isinstance(minutes, int) or not 15 <= minutes <= 480:
        raise invalid("details.duration_minutes", "a session lasts 15 to 480 minutes")
    zone = details.get("timezone", "UTC")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise invalid("details.timezone", f"'{zone}' is not a time zone (use a name such as Europe/Berlin)") from exc
    notice = details.get("notice_hours", 12)
    if not isinstance(notice, int) or not 0 <= notice <= 24 * 30:
        raise invalid("details.notice_hours", "must be 0 to 720 hours")
    hours = details.get("hours", DEFAULT_HOURS)
    if not isinstance(hours, list) or not 1 <= len(hours) <= 50:
        raise invalid("details.hours", "a list of 1 to 50 weekly windows: {weekday, start, end}")
    for n, window in enumerate(hours):
        where = f"details.hours.{n}"
        if not isinstance(window, dict) or window.get("weekday") not in WEEKDAYS:
            raise invalid(f"{where}.weekday", f"must be one of {', '.join(WEEKDAYS)}")
        start, end = _clock(window.get("start"), f"{where}.start"), _clock(window.get("end"), f"{where}.end")
        if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < minutes:
            raise invalid(f"{where}.end", f"the window must hold at least one {minutes}-minute session")
    return {**details, "duration_minutes": minutes, "timezone": str(zone), "notice_hours": notice, "hours": hours}


def schedule(product: Product) -> Schedule:
    details = check_details(dict(product.details or {}))
    hours = [(WEEKDAYS.index(w["weekday"]), _clock(w["start"], ""), _clock(w["end"], "")) for w in details["hours"]]
    notice = timedelta(hours=details["notice_hours"])
    return Schedule(details["duration_minutes"], ZoneInfo(details["timezone"]), hours, notice)


def _candidates(plan: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every session start of the weekly hours in [start, end), in UTC, in order."""
    found: list[datetime] = []
    day: date = start.astimezone(plan.zone).date() - timedelta(days=1)
    while datetime.combine(day, time(), plan.zone) < end:
        for weekday, opens, closes in plan.hours:
            if day.weekday() != weekday:
                continue
            at = datetime.combine(day, opens, plan.zone)
            last = datetime.combine(day, closes, plan.zone) - timedelta(minutes=plan.minutes)
            while at <= last:
                utc = at.astimezone(UTC)
                if start <= utc < end:
                    found.append(utc)
                at += timedelta(minutes=plan.minutes)
        day += timedelta(days=1)
    return sorted(set(found))


def _busy(
    session: Session, store_id: str, start: datetime, end: datetime, besides: str | None = None
) -> list[tuple[datetime, datetime]]:
    """The store's live bookings meeting [start, end): confirmed, or held by an open checkout that has
    not expired (other than the checkout `besides`)."""
    now = utcnow()
    unexpired = or_(
        CheckoutSession.expires_at > now,
        and_(CheckoutSession.expires_at.is_(None), Booking.created_at > now - HOLD),  # opened before 0020
    )
    held = and_(Booking.status == "held", CheckoutSession.status == "open", unexpired)
    rows = session.execute(
        select(Booking.starts_at, Booking.ends_at)
        .join(CheckoutSession, CheckoutSession.id == Booking.checkout_session_id)
        .where(in_store(Booking, store_id), Booking.starts_at < end, Booking.ends_at > start)
        .where(or_(Booking.status == "confirmed", held))
        .where(Booking.checkout_session_id != besides if besides else true())
    )
    return [(a, b) for a, b in rows]


def free_slots(session: Session, product: Product, days: int = 14, now: datetime | None = None) -> list[datetime]:
    """The times this product can be booked in the next `days` days (UTC starts)."""
    if not 1 <= days <= MAX_DAYS:
        raise invalid("days", f"must be 1 to {MAX_DAYS}")
    plan = schedule(product)
    start = (now or utcnow()) + plan.notice
    end = start + timedelta(days=days)
    busy = _busy(session, product.store_id, start, end + timedelta(minutes=plan.minutes))
    length = timedelta(minutes=plan.minutes)
    return [s for s in _candidates(plan, start, end) if not any(a < s + length and s < b for a, b in busy)]


def claim(session: Session, product: Product, starts_at: datetime | None) -> datetime:
    """Check that `starts_at` can be booked, under a lock on the store's calendar (held until the
    transaction ends, so the hold written with the checkout cannot be raced); its end."""
    if starts_at is None:
        raise invalid("starts_at", f"choose a time for this session (GET /v1/products/{product.id}/slots)")
    if starts_at.tzinfo is None:
        raise invalid("starts_at", "give the time with its offset, such as 2027-01-04T09:00:00Z")
    starts_at = starts_at.astimezone(UTC)
    if starts_at > utcnow() + timedelta(days=MAX_DAYS):
        raise invalid(
            "starts_at", f"sessions are booked at most {MAX_DAYS} days ahead (GET /v1/products/{product.id}/slots)"
        )
    plan = schedule(product)
    # An UPDATE of the store's row takes its lock on PostgreSQL and the write lock on SQLite: two
    # checkouts for the same hour are checked one after the other.
    session.execute(update(Store).where(Store.id == product.store_id).values(slug=Store.slug))
    window = (starts_at - timedelta(minutes=1), starts_at + timedelta(minutes=1))
    if starts_at not in _candidates(plan, *window) or starts_at < utcnow() + plan.notice:
        raise invalid("starts_at", f"not a time this session can be booked (GET /v1/products/{product.id}/slots)")
    ends_at = starts_at + timedelta(minutes=plan.minutes)
    if _busy(session, product.store_id, starts_at, ends_at):
        raise Conflict("that time was just booked by someone else; choose another", extra={"reason": "slot_taken"})
    return ends_at


def hold(session: Session, checkout: CheckoutSession, starts_at: datetime, ends_at: datetime) -> Booking:
    booking = Booking(
        store_id=checkout.store_id,
        product_id=checkout.product_id,
        user_id=checkout.user_id,
        checkout_session_id=checkout.id,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    session.add(booking)
    session.flush()
    return booking


def of_checkout(session: Session, checkout_id: str) -> Booking | None:
    return session.scalar(select(Booking).where(Booking.checkout_session_id == checkout_id))


def _record(session: Session, order: Order, kind: str, booking: Booking) -> None:
    """The booking's event, once, with what its letter and invitation need."""
    product = session.get(Product, booking.product_id)
    assert product is not None  # products are archived, never deleted
    zone = schedule(product).zone.key
    record(
        session, order.store_id, order, kind, booking.id, booking_id=booking.id, product=product.name,
        starts_at=booking.starts_at.isoformat(), ends_at=booking.ends_at.isoformat(), timezone=zone,
    )  # fmt: skip


def taken(session: Session, checkout: CheckoutSession) -> bool:
    """Whether the time this checkout held went to someone else meanwhile (its hold lapsed, another
    learner booked it): the fulfiller refunds such a payment instead of booking the hour twice."""
    booking = of_checkout(session, checkout.id)
    if booking is None or booking.status != "held":
        return False
    session.execute(update(Store).where(Store.id == booking.store_id).values(slug=Store.slug))  # the calendar's lock
    return bool(_busy(session, booking.store_id, booking.starts_at, booking.ends_at, besides=checkout.id))


def confirm(session: Session, checkout: CheckoutSession, order: Order) -> None:
    """The paid checkout's booking becomes the learner's (with the fulfiller's transaction, once);
    the fulfiller has checked that nobody took the time meanwhile (`taken`)."""
    booking = of_checkout(session, checkout.id)
    if booking is None or booking.status != "held":
        return
    booking.status, booking.order_id = "confirmed", order.id
    _record(session, order, "booking.confirmed", booking)


def cancel_for(session: Session, order: Order) -> None:
    """A fully refunded order gives its time back (and the learner is sent the cancellation)."""
    booking = session.scalar(select(Booking).where(Booking.order_id == order.id, Booking.status == "confirmed"))
    if booking is None:
        return
    booking.status = "cancelled"
    _record(session, order, "booking.cancelled", booking)


def list_bookings(session: Session, principal: Principal, past: bool = False, limit: int = 100) -> list[Booking]:
    """Confirmed sessions, soonest first (or, with `past`, the latest first): a creator sees the
    store's, a learner their own."""
    query = select_in_store(Booking, principal).where(Booking.status == "confirmed")
    if not principal.has(ORDERS_READ):
        query = query.where(Booking.user_id == principal.user_id)
    now = utcnow()
    query = query.where(Booking.ends_at <= now) if past else query.where(Booking.ends_at > now)
    order = Booking.starts_at.desc() if past else Booking.starts_at
    return list(session.scalars(query.order_by(order).limit(limit)))
