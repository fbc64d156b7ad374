"""Transactional mail from commerce's order events: a receipt for a purchase or a renewal, a refund
notice, a failed payment (dunning), a membership that ended, a coaching session booked or cancelled
(with its calendar invitation); each sent exactly once.

`commerce` records each event once per cause and leaves `handled_at` empty; here, in one
transaction, the message is queued under the event's id as its idempotency key and the event marked
handled. A collect that runs twice (two pumps, a retried job, an event handled again after a crash
between the two) finds the message already queued under that key: one receipt, never two. Kinds
with nothing to tell the buyer (disputes) are marked handled and send nothing.

`mail` may not import `commerce` (sibling services), so the order tables are read as plain SQL
tables, as `commerce` reads `courses`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, column, select, table, update

from core.db import Database, UTCDateTime, utcnow
from core.models import Store, User
from core.settings import Settings
from mail import contacts
from mail.bookings import booking_letter
from mail.letters import Letter, compose
from mail.queue import enqueue
from mail.workflows import signals

EVENTS = table(
    "order_events", column("id"), column("store_id"), column("order_id"), column("checkout_session_id"),
    column("kind"), column("data", JSON()), column("created_at", UTCDateTime()), column("handled_at", UTCDateTime()),
)  # fmt: skip
ORDERS = table(
    "orders", column("id"), column("user_id"), column("currency"), column("total"), column("amount_refunded")
)
LINES = table("order_lines", column("order_id"), column("product_id"), column("description"), column("gross"))
CHECKOUTS = table("checkout_sessions", column("id"), column("user_id"))
BATCH = 200

SUBJECTS = {
    "purchase.completed": "Your receipt from {store}",
    "subscription.renewed": "Your membership at {store} renewed",
    "refund": "Your refund from {store}",
    "payment.failed": "Your payment to {store} did not go through",
    "subscription.ended": "Your membership at {store} has ended",
    "booking.confirmed": "Your session with {store} is booked",
    "booking.cancelled": "Your session with {store} is cancelled",
}


def money(amount: int, currency: str) -> str:
    return f"{amount / 100:,.2f} {currency.upper()}"


def _letter(kind: str, store: Store, data: dict[str, Any], order: Any, lines: list[Any], link: str) -> Letter:
    """The message for one event: a short HTML part and the same words as plain text."""
    subject = SUBJECTS[kind].format(store=store.name)
    currency = order.currency if order is not None else str(data.get("currency") or "usd")
    said: list[str] = []
    if kind in ("purchase.completed", "subscription.renewed"):
        said.append("Thank you: your payment went through.")
        said += [f"{line.description}: {money(line.gross, currency)}" for line in lines]
        said.append(f"Total: {money(int(data.get('total', order.total if order else 0)), currency)}")
    elif kind == "refund":
        refunded = int(data.get("amount_refunded", 0))
        if data.get("reason"):  # refunded by the platform itself: the payment came too late to be kept
            said.append(f"We refunded your payment of {money(refunded, currency)}: {data['reason']}.")
            said.append("Nothing was booked or granted with it, and the whole amount is on its way back to you.")
            return compose(store, subject, said, link, "Your orders and receipts")
        said.append(f"{money(refunded, currency)} has been refunded to you in all for this order.")
        if data.get("full"):
            said.append("The order is refunded in full, and what it gave you access to is closed.")
    elif kind == "payment.failed":
        said.append("We could not take your payment: " + str(data.get("error") or "the card was declined") + ".")
        said.append("Nothing was charged. You can try again from the store's page.")
    else:
        said.append("Your membership has ended, and with it the access it gave. You can join again any time.")
    return compose(store, subject, said, link, "Your orders and receipts")


def collect(db: Database, settings: Settings, limit: int = BATCH) -> int:
    """Queue the mail of every order event not handled yet (oldest first); how many were handled."""
    with db.transaction() as s:
        pending = list(s.execute(
            select(EVENTS.c.id).where(EVENTS.c.handled_at.is_(None)).order_by(EVENTS.c.created_at).limit(limit)
        ).scalars())  # fmt: skip
    for event_id in pending:
        _handle(db, settings, str(event_id))
    return len(pending)


def _handle(db: Database, settings: Settings, event_id: str) -> None:
    with db.transaction() as s:
        event = s.execute(select(EVENTS).where(EVENTS.c.id == event_id, EVENTS.c.handled_at.is_(None))).first()
        if event is None:
            return  # handled by another pump since we listed it
        if event.kind in SUBJECTS:
            order = s.execute(select(ORDERS).where(ORDERS.c.id == event.order_id)).first() if event.order_id else None
            user_id = order.user_id if order is not None else s.scalar(
                select(CHECKOUTS.c.user_id).where(CHECKOUTS.c.id == event.checkout_session_id)
            )  # fmt: skip
            store, user = s.get(Store, event.store_id), s.get(User, user_id) if user_id else None
            if store is not None and user is not None:
                lines = list(s.execute(select(LINES).where(LINES.c.order_id == event.order_id))) if order else []
                if event.kind == "purchase.completed":  # a buyer is a contact (transactional mail only)
                    buyer = contacts.upsert(s, store.id, user.email, user.name, "purchase")
                    buyer.last_activity_at = utcnow()
                    signals.signal(
                        s, buyer, "purchase", event.id, utcnow(), product_ids=[li.product_id for li in lines]
                    )
                link = f"{settings.public_base_url.rstrip('/')}/s/{store.slug}/orders"
                data, attached = dict(event.data or {}), []
                if event.kind.startswith("booking."):
                    subject = SUBJECTS[event.kind].format(store=store.name)
                    cancelled = event.kind == "booking.cancelled"
                    letter, invitation = booking_letter(
                        subject, store, user, data, link, settings, event.created_at, cancelled
                    )
                    attached.append(invitation)
                else:
                    letter = _letter(event.kind, store, data, order, lines, link)
                enqueue(s, store.id, "transactional", user.email, letter.subject, letter.html, letter.text,
                        f"order-event:{event.id}", from_name=store.name, attachments=attached)  # fmt: skip
        s.execute(update(EVENTS).where(EVENTS.c.id == event_id).values(handled_at=utcnow()))
