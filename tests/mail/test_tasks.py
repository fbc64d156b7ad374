"""The pump chain: each tick sends what is due and schedules the next; a superseded chain stops; the
watchdog starts a chain only when none has beaten lately."""

from __future__ import annotations

import time

from core.context import set_context
from core.db import Database
from core.jobs import configure_jobs, huey
from core.settings import Settings
from mail import tasks
from mail.providers.outbox import OutboxProvider
from tests.conftest import StoreWorld
from tests.mail.factories import queued


def fresh_queue(settings: Settings, db: Database) -> None:
    set_context(settings, db)
    configure_jobs(settings)
    huey.flush()


def test_a_tick_sends_what_is_due_and_schedules_the_next(settings: Settings, db: Database, store_a: StoreWorld) -> None:
    fresh_queue(settings, db)
    queued(db, store_a.store_id, n=3)
    tasks.start_pumping()
    huey.execute(huey.dequeue())
    sent = OutboxProvider(settings.data_dir).messages(to_email="ann@example.com")
    assert len(sent) == 3  # (and the learner's welcome and enrollment note)
    [following] = huey.pending()  # the next tick, in mail_pump_seconds (the queue is idle now)
    assert following.name == "mail.pump_tick" and following.eta is not None


def test_a_superseded_chain_stops(settings: Settings, db: Database, store_a: StoreWorld) -> None:
    fresh_queue(settings, db)
    tasks.start_pumping()
    old = huey.dequeue()
    tasks.start_pumping()  # a chain started again (the watchdog thought the old one dead)
    huey.execute(old)
    assert huey.pending_count() == 1  # the old tick scheduled nothing; the new chain's first tick waits
    huey.execute(huey.dequeue())
    assert huey.pending_count() == 1


def test_the_watchdog_starts_a_chain_only_when_none_beats(settings: Settings, db: Database) -> None:
    fresh_queue(settings, db)
    assert tasks.pump_watchdog.call_local() is True and huey.pending_count() == 1
    huey.storage.put_data(tasks.BEAT, str(time.time()).encode())
    assert tasks.pump_watchdog.call_local() is False and huey.pending_count() == 1
