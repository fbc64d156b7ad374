"""The mail pump: queue what commerce's order events call for, then send what is due, round after
fair round, every `mail_pump_seconds`.

Huey's periodic tasks fire at most once a minute, so the pump is a chain: each tick schedules the
next. One chain runs at a time: its token is kept in the queue's store, and a tick whose token is
no longer the current one stops (a chain started again after the old one looked dead never makes a
second). The watchdog, once a minute, starts a chain when no tick has beaten for a while (the app
starting, a lost job). Huey's task lock keeps two ticks from pumping at once."""

from __future__ import annotations

import logging
import time

from huey import crontab
from huey.exceptions import TaskLockedException

from core.context import get_context
from core.db import Database
from core.ids import new_id
from core.jobs import huey, quiet
from core.settings import Settings
from mail import broadcasts, deliverability, transactional
from mail.buckets import Limits, make_buckets
from mail.inbound import base as inbound
from mail.providers.factory import make_mail_provider, overall_rate
from mail.queue import Outcome, claim, release_stale, send_claimed
from mail.workflows import engine, intake

log = logging.getLogger("academy.mail")
quiet("mail.pump_tick")  # every 2 s: its start and end would bury the log
quiet("mail.review_deliverability")  # every minute, and nearly always a no-op
CHAIN, BEAT = "mail:pump-chain", "mail:pump-beat"
MAX_ROUNDS = 50  # a tick yields after this many rounds; the next tick goes on


def pump(db: Database, settings: Settings, rounds: int = MAX_ROUNDS) -> Outcome:
    """One pass: queue transactional mail, take in learners' activity, walk the workflow runs that are
    due and fan out a few batches of live broadcasts, then send fair rounds until nothing is due."""
    provider = make_mail_provider(settings)
    release_stale(db)
    events_left = transactional.collect(db, settings) == transactional.BATCH  # a full batch: maybe more
    events_left |= intake.collect(db, settings) == intake.BATCH
    events_left |= engine.start_dated(db) > 0
    events_left |= engine.advance(db, settings) > 0  # runs moved: their mail is due, maybe more runs
    events_left |= broadcasts.advance(db, settings) > 0  # a broadcast still fanning out
    total = Outcome(more=True)
    limits = Limits(make_buckets(settings.redis_url), settings.mail_rate_per_store, overall_rate(settings),
                    settings.mail_pump_seconds)  # fmt: skip
    for _ in range(rounds):
        claimed = claim(db, settings.mail_batch_per_store, limits=limits)
        if not claimed:
            total.more = events_left
            break
        total.add(send_claimed(db, provider, claimed, settings.mail_from_address))
    return total


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def start_pumping() -> str:
    """Start a chain (the one that counts from now on); its token."""
    token = new_id("chn")
    huey.storage.put_data(CHAIN, token.encode())
    pump_tick(token)
    return token


@huey.task(name="mail.pump_tick")  # type: ignore[untyped-decorator]
def pump_tick(token: str) -> None:
    if _text(huey.storage.peek_data(CHAIN)) != token:
        return  # a newer chain runs
    huey.storage.put_data(BEAT, str(time.time()).encode())
    context = get_context()
    more = False
    try:
        with huey.lock_task("mail-pump"):
            more = pump(context.db, context.settings).more
    except TaskLockedException:
        pass  # another tick is pumping: this one only keeps the chain going
    finally:  # mail still due goes on at once; an idle queue is looked at again in a while
        pump_tick.schedule((token,), delay=0 if more else context.settings.mail_pump_seconds)


@huey.periodic_task(crontab(minute="*"), name="mail.pump_watchdog")  # type: ignore[untyped-decorator]
def pump_watchdog() -> bool:
    """Start a chain when none has beaten lately; whether it did."""
    beat = huey.storage.peek_data(BEAT)
    quiet = get_context().settings.mail_pump_seconds * 3 + 60
    try:
        alive = time.time() - float(_text(beat)) < quiet
    except ValueError:  # no beat yet (Huey's EmptyData), or an unreadable one
        alive = False
    if not alive:
        start_pumping()
    return not alive


@huey.periodic_task(crontab(minute="*"), name="mail.review_deliverability")  # type: ignore[untyped-decorator]
def review_deliverability() -> list[str]:
    """Pause (or resume) stores' marketing mail by their bounce and complaint rates; the stores changed."""
    return deliverability.review(get_context().db)


@huey.periodic_task(crontab(minute="23", hour="3"), name="mail.forget_old_events")  # type: ignore[untyped-decorator]
def forget_old_events() -> int:
    """Daily: drop provider webhooks and handled activity events older than 30 days (what they did
    is on the messages and contacts; their ids only guard against a redelivery, which comes in hours)."""
    return inbound.forget_old(get_context().db)
