"""Background work of the commerce service: acting on stored payment events.

The webhook stores an event and asks for a drain (`request_drain`): one `commerce.drain_payment_events`
job acts on every stored event, oldest first, in batches, so a burst of ten thousand events costs a
handful of jobs, not ten thousand (measured: one job per event spent most of its time in the queue,
`benchmarks/results/payments.md`). A flag in the queue's own store (`put_if_empty`) keeps at most one
drain waiting; the job clears it before it reads, so an event stored while a drain runs asks for the
next one. An event whose subject is not here yet is marked `waiting` and tried again at the end of a
drain that acted on something (its subject may have come in that batch), and by the sweeper: every
minute it drains whatever is still `received` or `waiting` after 30 s (a lost job, a lost flag), so an
event is never lost to a crash between storing and acting."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from sqlalchemy import select

from commerce import expiry
from commerce.models import PaymentEvent
from commerce.providers.factory import make_payment_provider
from commerce.webhooks.process import NotYet, process
from core.context import get_context
from core.db import Database, utcnow
from core.jobs import huey
from core.settings import Settings

log = logging.getLogger("academy.commerce")
RETRY_FOR = timedelta(days=3)  # a waiting event is given up (status failed) after this long
MAX_ATTEMPTS = 10  # a handler that raised this often: parked `failed` (1 + 2 + … + 256 min ≈ 8.5 h of tries)
SWEEP_AFTER = timedelta(seconds=30)
BATCH = 100
DRAIN_PENDING = "commerce:drain-pending"


def backoff(attempts: int) -> timedelta:
    """How long an event whose handler raised waits before its next try: 1, 2, 4 … minutes, at most 6 h."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


def run_event(db: Database, settings: Settings, event_row_id: str) -> str:
    """Process one stored event in one transaction; its status afterwards. The handler runs in a
    savepoint: when it raises, only its writes are undone, and the attempt, the error and the next
    try are committed with the row (they rolled back with it before, so an event was retried every
    minute forever); after `MAX_ATTEMPTS` it is parked `failed` for the platform's operator."""
    provider = make_payment_provider(settings)
    with db.transaction() as s:
        row = s.get(PaymentEvent, event_row_id, with_for_update=True)
        if row is None or row.status in ("processed", "ignored", "failed"):
            return row.status if row else "missing"
        row.attempts += 1
        try:
            with s.begin_nested():
                row.status = process(s, provider, row)
                row.processed_at, row.error, row.next_attempt_at = utcnow(), "", None
        except NotYet as exc:
            expired = utcnow() - row.received_at > RETRY_FOR
            row.status, row.error = ("failed" if expired else "waiting"), str(exc)[:500]
        except Exception as exc:  # the provider is down, a bug: counted, backed off, in the end parked
            log.exception("payment event %s raised (attempt %d)", row.event_id, row.attempts)
            row.error = f"{type(exc).__name__}: {exc}"[:500]
            row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "received"
            row.next_attempt_at = None if row.status == "failed" else utcnow() + backoff(row.attempts)
        return row.status


def _oldest(db: Database, status: str, skip: set[str], limit: int) -> list[str]:
    with db.transaction() as s:
        due = (PaymentEvent.next_attempt_at.is_(None)) | (PaymentEvent.next_attempt_at <= utcnow())
        query = select(PaymentEvent.id).where(PaymentEvent.status == status, due)
        if skip:
            query = query.where(PaymentEvent.id.not_in(skip))
        return list(s.scalars(query.order_by(PaymentEvent.received_at, PaymentEvent.id).limit(limit)))


def drain(db: Database, settings: Settings, batch: int = BATCH, retry_waiting: bool = False) -> int:
    """Act on every `received` event, oldest first; then, if any was acted on (or `retry_waiting`),
    try the `waiting` ones once more. An event that fails (the provider is down) is left `received` for a later drain
    and skipped for the rest of this one. How many events were acted on."""
    done, failed = 0, set[str]()
    while ids := _oldest(db, "received", failed, batch):
        for event_id in ids:
            try:
                if run_event(db, settings, event_id) == "received":
                    failed.add(event_id)  # it raised: backed off, not tried again in this drain
                else:
                    done += 1
            except Exception:  # the database itself: the attempt could not be recorded either
                log.exception("payment event %s could not be processed; a later drain tries again", event_id)
                failed.add(event_id)
    if done or retry_waiting:
        waiting: set[str] = set()
        while ids := _oldest(db, "waiting", waiting | failed, batch):
            for event_id in ids:
                if run_event(db, settings, event_id) == "waiting":
                    waiting.add(event_id)
    return done


def request_drain() -> None:
    """After an event is stored: enqueue a drain unless one is already waiting to run."""
    if huey.storage.put_if_empty(DRAIN_PENDING, b"1"):
        drain_payment_events()


@huey.task(name="commerce.drain_payment_events")  # type: ignore[untyped-decorator]
def drain_payment_events() -> int:
    huey.storage.pop_data(DRAIN_PENDING)  # from now on a stored event asks for another drain
    context = get_context()
    return drain(context.db, context.settings)


@huey.periodic_task(crontab(minute="*"), name="commerce.sweep_payment_events")  # type: ignore[untyped-decorator]
def sweep_payment_events() -> int:
    """Drain what is stored and not yet acted on after a while (a lost job or flag, a waiting event)."""
    context = get_context()
    with context.db.transaction() as s:
        late = s.scalar(
            select(PaymentEvent.id)
            .where(PaymentEvent.status.in_(("received", "waiting")), PaymentEvent.received_at < utcnow() - SWEEP_AFTER)
            .where((PaymentEvent.next_attempt_at.is_(None)) | (PaymentEvent.next_attempt_at <= utcnow()))
            .limit(1)
        )
    if late is None:
        return 0
    huey.storage.pop_data(DRAIN_PENDING)  # a flag whose job was lost would hold every drain back
    done = drain(context.db, context.settings, retry_waiting=True)
    log.info("swept %d payment event(s)", done)
    return done


@huey.periodic_task(crontab(minute="*"), name="commerce.expire_checkouts")  # type: ignore[untyped-decorator]
def expire_checkouts() -> int:
    """Close the checkouts past their expiry: their held times and coupon uses go back on sale."""
    with get_context().db.transaction() as s:
        return expiry.expire_due(s)
