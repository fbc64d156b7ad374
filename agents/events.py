"""The ordered, persisted event log of a run, with in-process subscribers for live streaming.

Event types follow the brief: run.started, message.delta, message.completed, tool.call, tool.result,
approval.required, citation, artifact, usage, error, run.completed. `seq` starts at 1 and has no gaps,
so a client that reconnects with the last id it saw misses nothing.

Writes are batched: token deltas wait in memory (at most `flush_every` of them, or `flush_after`
seconds) and go to the database with the next event of any other kind, so a streamed answer costs a
few transactions instead of one per token. Live subscribers and `replay` see pending events at once;
only a process crash mid-answer can lose the unflushed tail of deltas (the run is failed then anyway).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

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
BATCHED = frozenset({"message.delta"})


@dataclass(frozen=True)
class Event:
    run_id: str
    seq: int
    type: str
    data: dict[str, Any]


Listener = Callable[[Event], None]


class EventLog:
    def __init__(self, db: Database, flush_every: int = 32, flush_after: float = 0.25) -> None:
        self.db = db
        self.flush_every = flush_every
        self.flush_after = flush_after
        self._lock = threading.Lock()
        self._write = threading.Lock()  # one writer at a time per process keeps seq order on disk
        self._next: dict[str, int] = {}
        self._pending: dict[str, list[Event]] = defaultdict(list)
        self._oldest: dict[str, float] = {}
        self._listeners: dict[str, list[Listener]] = defaultdict(list)

    def append(self, run_id: str, type_: str, data: dict[str, Any]) -> Event:
        if type_ not in EVENT_TYPES:
            raise ValueError(f"unknown event type {type_}")
        with self._lock:
            if run_id not in self._next:
                with self.db.transaction() as session:
                    last = session.scalar(select(func.max(RunEvent.seq)).where(RunEvent.run_id == run_id))
                self._next[run_id] = int(last or 0) + 1
            seq = self._next[run_id]
            self._next[run_id] = seq + 1
            event = Event(run_id, seq, type_, data)
            self._pending[run_id].append(event)
            self._oldest.setdefault(run_id, time.monotonic())
            due = (
                type_ not in BATCHED
                or len(self._pending[run_id]) >= self.flush_every
                or time.monotonic() - self._oldest[run_id] >= self.flush_after
            )
            listeners = list(self._listeners.get(run_id, []))
        if due:
            self.flush(run_id)
        for listener in listeners:
            listener(event)
        return event

    def flush(self, run_id: str) -> None:
        """Write a run's pending events. Events stay visible in memory until they are on disk."""
        with self._write:
            with self._lock:
                batch = list(self._pending.get(run_id, ()))
            if not batch:
                return
            with self.db.transaction() as session:
                session.add_all(RunEvent(run_id=e.run_id, seq=e.seq, type=e.type, data=e.data) for e in batch)
            with self._lock:
                pending = self._pending.get(run_id, [])
                del pending[: len(batch)]
                if not pending:
                    self._pending.pop(run_id, None)
                    self._oldest.pop(run_id, None)
                else:
                    self._oldest[run_id] = time.monotonic()

    def forget(self, run_id: str) -> None:
        """Drop a finished run's counters (its events are all on disk by then)."""
        self.flush(run_id)
        with self._lock:
            self._next.pop(run_id, None)

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
