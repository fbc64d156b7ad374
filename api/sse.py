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
from collections.abc import AsyncIterator

from fastapi import Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from agents.events import Event
from agents.runs import RunManager
from core.errors import BadRequest

POLL_SECONDS = 1.0
RETRY_MS = 1000
HEADERS = {"X-Accel-Buffering": "no", "Cache-Control": "no-cache"}


def parse_position(last_event_id: str | None, after: int | None) -> int:
    """The last event id the client has seen; a malformed one is a 400, not a silent restart."""
    if last_event_id is None or not last_event_id.strip():
        return after or 0
    value = last_event_id.strip()
    if not value.isdigit() or len(value) > 12:
        raise BadRequest(
            f"Last-Event-ID must be the id of an event of this run (a whole number), not {value[:40]!r}",
            extra={"field": "Last-Event-ID"},
        )
    return int(value)


def to_sse(event: Event) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(event.data, separators=(",", ":")), event=event.type, id=str(event.seq))


async def follow_events(
    manager: RunManager, run_id: str, after: int, request: Request | None = None
) -> AsyncIterator[Event]:
    """The run's events after `after`, in order, without gaps, ending after `run.completed`."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Event] = asyncio.Queue()

    def on_event(event: Event) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, event)

    unsubscribe = manager.events.subscribe(run_id, on_event)
    try:
        last = after
        backlog = await run_in_threadpool(manager.events.replay, run_id, after)
        for event in backlog:
            yield event
            last = event.seq
        if backlog and _ends(backlog[-1]) and not manager.is_running(run_id):
            return
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=POLL_SECONDS)
                fresh = [event]
            except TimeoutError:
                if manager.is_running(run_id):
                    continue  # live events will come through the queue
                fresh = await run_in_threadpool(manager.events.replay, run_id, last)
            for item in fresh:
                if item.seq <= last:
                    continue
                if item.seq > last + 1:  # written by another process: read the gap from the log
                    for missed in await run_in_threadpool(manager.events.replay, run_id, last):
                        if missed.seq < item.seq:
                            yield missed
                yield item
                last = item.seq
                if _ends(item):
                    return
            if request is not None and await request.is_disconnected():
                return
    finally:
        unsubscribe()


async def follow(
    manager: RunManager, run_id: str, after: int, request: Request | None = None
) -> AsyncIterator[ServerSentEvent]:
    yield ServerSentEvent(comment="stream open", retry=RETRY_MS)
    async for event in follow_events(manager, run_id, after, request):
        yield to_sse(event)


def _ends(event: Event) -> bool:
    return event.type == "run.completed"


def event_stream(
    manager: RunManager, run_id: str, after: int, request: Request | None, ping_seconds: float
) -> EventSourceResponse:
    return EventSourceResponse(
        follow(manager, run_id, after, request),
        ping=ping_seconds,
        headers=HEADERS,
        send_timeout=30,
    )
