"""Server-sent events for runs: replay what the client missed, then follow the run live.

The client's position is the last event id it saw (`Last-Event-ID`, or `?after=` for clients that
cannot set headers). We subscribe before reading the backlog, so no event falls between the two; live
events at or below the position are skipped, and a gap (possible only across processes) is filled from
the log. A run executing in another process has no live feed here, so the stream polls the log then.
The stream ends after `run.completed`: the run is finished or waits for approval.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from agents.events import Event
from agents.runs import RunManager
from core.errors import BadRequest

POLL_SECONDS = 1.0
DB_RETRIES = 30
RETRY_MS = 1000
HEADERS = {"X-Accel-Buffering": "no", "Cache-Control": "no-cache"}


MAX_POSITION_DIGITS = 12


def _position(value: str, field: str) -> int:
    # ASCII digits only: str.isdigit() admits "²" and other digits int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_POSITION_DIGITS:
        raise BadRequest(
            f"{field} must be the id of an event of this run (a whole number), not {value[:40]!r}",
            extra={"field": field},
        )
    return int(value)


def parse_position(last_event_id: str | None, after: str | None) -> int:
    """The last event id the client has seen; a malformed one is a 400, not a silent restart."""
    if last_event_id is not None and last_event_id.strip():
        return _position(last_event_id.strip(), "Last-Event-ID")
    if after is not None and after.strip():
        return _position(after.strip(), "after")
    return 0


def to_sse(event: Event) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(event.data, separators=(",", ":")), event=event.type, id=str(event.seq))


async def follow_events(
    manager: RunManager, run_id: str, after: int, request: Request | None = None, finished: bool = False
) -> AsyncIterator[Event]:
    """The run's events after `after`, in order, without gaps, ending after `run.completed`. A run
    that was already `finished` (its status final when the stream was asked for) and is not running
    here ends with its backlog, even an empty one: a position at or past its end has nothing to wait for."""
    loop = asyncio.get_running_loop()
    arrived: deque[Event] = deque()
    wake = asyncio.Event()
    woken = [False]  # a wake-up is on its way: a burst of events costs the loop one

    def on_event(event: Event) -> None:  # called on the thread that appended the event
        arrived.append(event)
        if not woken[0]:
            woken[0] = True
            loop.call_soon_threadsafe(wake.set)

    unsubscribe = manager.events.subscribe(run_id, on_event)
    try:
        last = after
        backlog = await _replay(manager, run_id, after)
        for event in backlog:
            yield event
            last = event.seq
        if (finished or (backlog and _ends(backlog[-1]))) and not manager.is_running(run_id):
            return
        while True:
            try:
                await wait_for_events(wake)
                wake.clear()
                woken[0] = False
                fresh = [arrived.popleft() for _ in range(len(arrived))]
            except TimeoutError:
                if request is not None and await request.is_disconnected():
                    return
                if manager.is_running(run_id):
                    continue  # live events will come through the queue
                fresh = await _replay(manager, run_id, last)
            for item in fresh:
                if item.seq <= last:
                    continue
                if item.seq > last + 1:  # written by another process: read the gap from the log
                    for missed in await _replay(manager, run_id, last):
                        if missed.seq < item.seq:
                            yield missed
                yield item
                last = item.seq
                if _ends(item):
                    return
    finally:
        unsubscribe()


async def wait_for_events(wake: asyncio.Event) -> None:
    """Waits for live events, at most one poll period (TimeoutError then). A stream that can end at once
    (a finished run read from its end) never gets here."""
    await asyncio.wait_for(wake.wait(), timeout=POLL_SECONDS)


async def _replay(manager: RunManager, run_id: str, after: int) -> list[Event]:
    """From memory when this process runs the run; else from the log, waiting out a busy database
    (the response has started, so a 503 is no longer possible; a client would reconnect anyway)."""
    live = manager.events.replay_live(run_id, after)
    if live is not None:
        return live
    for _ in range(DB_RETRIES):
        try:
            return await run_in_threadpool(manager.events.replay, run_id, after)
        except (OperationalError, PoolTimeout):
            await asyncio.sleep(POLL_SECONDS)
    return await run_in_threadpool(manager.events.replay, run_id, after)


async def follow(
    manager: RunManager, run_id: str, after: int, request: Request | None = None, finished: bool = False
) -> AsyncIterator[ServerSentEvent]:
    yield ServerSentEvent(comment="stream open", retry=RETRY_MS)
    async for event in follow_events(manager, run_id, after, request, finished):
        yield to_sse(event)


def _ends(event: Event) -> bool:
    return event.type == "run.completed"


def event_stream(
    manager: RunManager, run_id: str, after: int, request: Request | None, ping_seconds: float, finished: bool = False
) -> EventSourceResponse:
    return EventSourceResponse(
        follow(manager, run_id, after, request, finished),
        ping=ping_seconds,
        headers=HEADERS,
        send_timeout=30,
    )
