"""The ordered, persisted event log of a run, with in-process subscribers for live streaming.

Event types follow the brief: run.started, message.delta, message.completed, tool.call, tool.result,
approval.required, citation, artifact, usage, error, run.completed. `seq` starts at 1 and has no gaps,
so a client that reconnects with the last id it saw misses nothing.
"""

from __future__ import annotations

import threading
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


@dataclass(frozen=True)
class Event:
    run_id: str
    seq: int
    type: str
    data: dict[str, Any]


Listener = Callable[[Event], None]


class EventLog:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._next: dict[str, int] = {}
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
            with self.db.transaction() as session:
                session.add(RunEvent(run_id=run_id, seq=seq, type=type_, data=data))
            self._next[run_id] = seq + 1
            event = Event(run_id, seq, type_, data)
            listeners = list(self._listeners.get(run_id, []))
        for listener in listeners:
            listener(event)
        return event

    def replay(self, run_id: str, after: int = 0) -> list[Event]:
        with self.db.transaction() as session:
            rows = session.scalars(
                select(RunEvent).where(RunEvent.run_id == run_id, RunEvent.seq > after).order_by(RunEvent.seq)
            )
            return [Event(r.run_id, r.seq, r.type, dict(r.data)) for r in rows]

    def subscribe(self, run_id: str, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners[run_id].append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners.get(run_id, []):
                    self._listeners[run_id].remove(listener)

        return unsubscribe
