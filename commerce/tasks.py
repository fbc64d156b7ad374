"""Background work of the commerce service: acting on stored payment events.

The webhook enqueues `process_payment_event` once it has stored an event; an event whose subject is
not here yet is marked `waiting` and tried again (Huey's retries, then the sweeper), so an event is
never lost to a crash between storing and acting: the sweeper finds whatever is still `received` or
`waiting` and enqueues it again."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from sqlalchemy import select

from commerce.models import PaymentEvent
from commerce.providers.factory import make_provider
from commerce.webhooks.process import NotYet, process
from core.context import get_context
from core.db import Database, utcnow
from core.jobs import huey
from core.settings import Settings

log = logging.getLogger("academy.commerce")
RETRY_FOR = timedelta(days=3)  # a waiting event is given up (status failed) after this long
SWEEP_AFTER = timedelta(seconds=30)


def run_event(db: Database, settings: Settings, event_row_id: str) -> str:
    """Process one stored event in one transaction; its status afterwards."""
    provider = make_provider(settings)
    with db.transaction() as s:
        row = s.get(PaymentEvent, event_row_id, with_for_update=True)
        if row is None or row.status in ("processed", "ignored", "failed"):
            return row.status if row else "missing"
        row.attempts += 1
        try:
            with s.begin_nested():
                row.status = process(s, provider, row)
                row.processed_at, row.error = utcnow(), ""
        except NotYet as exc:
            expired = utcnow() - row.received_at > RETRY_FOR
            row.status, row.error = ("failed" if expired else "waiting"), str(exc)[:500]
        return row.status


@huey.task(retries=5, retry_delay=2, name="commerce.process_payment_event")  # type: ignore[untyped-decorator]
def process_payment_event(event_row_id: str) -> str:
    context = get_context()
    status = run_event(context.db, context.settings, event_row_id)
    if status == "waiting":
        raise RuntimeError(f"payment event {event_row_id} waits for its subject; Huey retries it")
    return status


@huey.periodic_task(crontab(minute="*"), name="commerce.sweep_payment_events")  # type: ignore[untyped-decorator]
def sweep_payment_events() -> int:
    """Enqueue again what is stored and not yet acted on (a lost job, a waiting event)."""
    context = get_context()
    with context.db.transaction() as s:
        ids = list(
            s.scalars(
                select(PaymentEvent.id).where(
                    PaymentEvent.status.in_(("received", "waiting")),
                    PaymentEvent.received_at < utcnow() - SWEEP_AFTER,
                )
            )
        )
    for event_id in ids:
        process_payment_event(event_id)
    if ids:
        log.info("re-enqueued %d payment event(s)", len(ids))
    return len(ids)
