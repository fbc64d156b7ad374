"""The ordered, persisted event log of a run, with in-process subscribers for live streaming.

Event types follow the brief: run.started, message.delta, message.completed, tool.call, tool.result,
approval.required, citation, artifact, progress, usage, error, run.completed. `seq` starts at 1 and has
no gaps, so a client that reconnects with the last id it saw misses nothing.

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

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from agents.event_models import MODELS, RunEventModel
from agents.models import RunEvent
from core.db import Database, utcnow

EVENT_TYPES = frozenset(MODELS)
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
        # Every event of the runs this process is working on, from the first it appended: a stream
        # that (re)joins a live run replays from here without a query.
        self._live: dict[str, tuple[int, list[Event]]] = {}  # run -> (its first seq here, events)
        self._count = 0
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._writer: threading.Thread | None = None

    def emit(self, run_id: str, event: RunEventModel) -> Event:
        """Append a typed event (the way the runtime and the agents write)."""
        return self.append(run_id, event.type, event.data())

    def append(self, run_id: str, type_: str, data: dict[str, Any]) -> Event:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_}")
        self._lock.acquire()
        while run_id not in self._next:  # first event here, or forgotten meanwhile (the run finished)
            self._lock.release()
            self.open(run_id)
            self._lock.acquire()
        try:
            seq = self._next[run_id]
            self._next[run_id] = seq + 1
            event = Event(run_id, seq, type_, data)
            self._pending[run_id].append(event)
            self._live.setdefault(run_id, (seq, []))[1].append(event)
            self._count += 1
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="event-writer", daemon=True)
                self._writer.start()
            if self._count >= self.flush_every or type_ not in BATCHED:
                self._wake.notify()
            listeners = list(self._listeners.get(run_id, []))
        finally:
            self._lock.release()
        for listener in listeners:
            listener(event)
        return event

    def open(self, run_id: str, new: bool = False) -> None:
        """Ready a run's counter: a new run starts at 1 without a query; a run this log has not seen
        (resumed after a restart) continues after its stored events. The lookup happens outside the
        lock, so no appender or stream ever waits on another run's database read."""
        stored = 0 if new or run_id in self._next else self._stored_last(run_id)
        with self._lock:
            if run_id not in self._next:
                pending = self._pending.get(run_id)
                self._next[run_id] = max(stored, pending[-1].seq if pending else 0) + 1
                if new:
                    self._live[run_id] = (1, [])

    def _stored_last(self, run_id: str) -> int:
        with self.db.transaction() as session:
            return int(session.scalar(select(func.max(RunEvent.seq)).where(RunEvent.run_id == run_id)) or 0)

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
                            self._live.pop(rid, None)
                            self._next.pop(rid, None)
            with self._lock:
                for rid, written in batch.items():
                    pending = self._pending.get(rid, [])
                    del pending[: len(written)]
                    self._count -= len(written)
                    if not pending:
                        self._pending.pop(rid, None)

    def _insert(self, events: list[Event]) -> None:
        """One executemany of plain rows: the ORM's unit of work cost a fifth of a busy server's CPU."""
        stamp = utcnow()
        rows = [{"run_id": e.run_id, "seq": e.seq, "type": e.type, "data": e.data, "created_at": stamp} for e in events]
        with self.db.transaction() as session:
            session.execute(insert(RunEvent), rows)

    def discard(self, run_id: str) -> None:
        """Forget a deleted run entirely, pending events included."""
        with self._lock:
            self._count -= len(self._pending.pop(run_id, []))
            self._next.pop(run_id, None)
            self._live.pop(run_id, None)

    def forget(self, run_id: str) -> None:
        """Drop a finished run's counter; its pending events are still written by the next batch."""
        with self._lock:
            self._next.pop(run_id, None)
            self._live.pop(run_id, None)

    def close(self) -> None:
        self.flush()

    def replay_live(self, run_id: str, after: int = 0) -> list[Event] | None:
        """The events after `after` from memory, when this process holds all of them (a run it is
        working on); None when they must be read from the database. Never blocks on I/O."""
        with self._lock:
            first, events = self._live.get(run_id, (0, []))
            if first and first <= after + 1:
                return [e for e in events if e.seq > after]
            return None

    def replay(self, run_id: str, after: int = 0) -> list[Event]:
        live = self.replay_live(run_id, after)
        if live is not None:
            return live
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
