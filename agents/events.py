"""The ordered, persisted event log of a run, with in-process subscribers for live streaming.

Event types follow the brief: run.started, message.delta, message.completed, tool.call, tool.result,
approval.required, citation, artifact, usage, error, run.completed. `seq` starts at 1 and has no gaps,
so a client that reconnects with the last id it saw misses nothing.

Writes are group-committed: subscribers get each event at once, and one writer thread puts every
run's pending events into the database in a single transaction every `flush_after` seconds (or
sooner when `flush_every` are waiting). A streamed answer then costs a few transactions instead of one
per token, and a thousand concurrent runs share them. `replay` sees pending events too; a crash can
lose at most the last `flush_after` seconds of a run that is failed anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from agents.models import RunEvent
from core.db import Database

EVENT_TYPES = frozenset(
    {
        "run.started",
        "message.delta",
        "message.completed",
        "tool.call",
        "tool.result",
        "approval.required",
        "citation",
        "artifact",
        "usage",
        "error",
        "run.completed",
    }
)
BATCHED = frozenset({"message.delta"})  # the others wake the writer at once
log = logging.getLogger("academy.events")


@dataclass(frozen=True)
class Event:
    run_id: str
    seq: int
    type: str
    data: dict[str, Any]


Listener = Callable[[Event], None]


class EventLog:
    def __init__(self, db: Database, flush_every: int = 256, flush_after: float = 0.05) -> None:
        self.db = db
        self.flush_every = flush_every
        self.flush_after = flush_after
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._write = threading.Lock()  # one batch at a time keeps each run's events in order on disk
        self._next: dict[str, int] = {}
        self._pending: dict[str, list[Event]] = defaultdict(list)
        self._count = 0
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._writer: threading.Thread | None = None

    def append(self, run_id: str, type_: str, data: dict[str, Any]) -> Event:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_}")
        with self._lock:
            if run_id not in self._next:
                with self.db.transaction() as session:
                    last = session.scalar(select(func.max(RunEvent.seq)).where(RunEvent.run_id == run_id))
                pending = self._pending.get(run_id)
                self._next[run_id] = max(int(last or 0), pending[-1].seq if pending else 0) + 1
            seq = self._next[run_id]
            self._next[run_id] = seq + 1
            event = Event(run_id, seq, type_, data)
            self._pending[run_id].append(event)
            self._count += 1
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="event-writer", daemon=True)
                self._writer.start()
            if self._count >= self.flush_every or type_ not in BATCHED:
                self._wake.notify()
            listeners = list(self._listeners.get(run_id, []))
        for listener in listeners:
            listener(event)
        return event

    def _write_loop(self) -> None:
        """Writes pending events in batches; exits after a quiet second (restarted by the next append)."""
        idle_since = time.monotonic()
        while True:
            with self._lock:
                if not self._count:
                    self._wake.wait(timeout=self.flush_after)
                if not self._count:
                    if time.monotonic() - idle_since > 1.0:
                        self._writer = None
                        return
                    continue
            time.sleep(self.flush_after / 5)  # let a burst of appends join the batch
            try:
                self.flush()
            except Exception:  # the database is briefly unavailable: keep the events and retry
                log.exception("writing run events failed; retrying")
                time.sleep(self.flush_after)
            idle_since = time.monotonic()

    def flush(self, run_id: str | None = None) -> None:
        """Write pending events (all runs, or one) now. Events stay in memory until they are on disk."""
        with self._write:
            with self._lock:
                ids = [run_id] if run_id is not None else list(self._pending)
                batch = {rid: list(self._pending.get(rid, ())) for rid in ids}
            if not any(batch.values()):
                return
            try:
                self._insert([e for events in batch.values() for e in events])
            except IntegrityError:
                # A run was deleted (with its thread) while events waited: write the others, drop its own.
                for rid, events in batch.items():
                    try:
                        self._insert(events)
                    except IntegrityError:
                        log.info("dropped %d events of run %s, which no longer exists", len(events), rid)
            with self._lock:
                for rid, written in batch.items():
                    pending = self._pending.get(rid, [])
                    del pending[: len(written)]
                    self._count -= len(written)
                    if not pending:
                        self._pending.pop(rid, None)

    def _insert(self, events: list[Event]) -> None:
        with self.db.transaction() as session:
            session.add_all(RunEvent(run_id=e.run_id, seq=e.seq, type=e.type, data=e.data) for e in events)

    def discard(self, run_id: str) -> None:
        """Forget a deleted run entirely, pending events included."""
        with self._lock:
            self._count -= len(self._pending.pop(run_id, []))
            self._next.pop(run_id, None)

    def forget(self, run_id: str) -> None:
        """Drop a finished run's counter; its pending events are still written by the next batch."""
        with self._lock:
            self._next.pop(run_id, None)

    def close(self) -> None:
        self.flush()

    def replay(self, run_id: str, after: int = 0) -> list[Event]:
        with self._lock:  # copied before the read: a flush in between shows up in one or the other
            pending = [e for e in self._pending.get(run_id, ()) if e.seq > after]
        with self.db.transaction() as session:
            rows = session.scalars(
                select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.seq > after).order_by(RunEvent.seq)
            )
            stored = [Event(r.run_id, r.seq, r.type, dict(r.data)) for r in rows]
        last = stored[-1].seq if stored else after
        return stored + [e for e in pending if e.seq > last]

    def subscribe(self, run_id: str, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners[run_id].append(listener)

        def unsubscribe() -> None:
            with self._lock:
                listeners = self._listeners.get(run_id)
                if listeners is not None and listener in listeners:
                    listeners.remove(listener)
                    if not listeners:
                        del self._listeners[run_id]

        return unsubscribe
