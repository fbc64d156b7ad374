"""Admission control: a bounded number of requests are worked on at once, a bounded number wait
briefly for a turn, and the rest are refused at once with 503 and `Retry-After`, so a burst gets
fast answers (served or refused) instead of a minute-long queue that starves everyone.

A request holds its turn until its response starts: a JSON answer is complete by then, and an event
stream (which may stay open for minutes) stops counting as soon as it begins. Health and readiness
probes and static files never wait for a turn.

A request is also refused at once, rather than after a futile wait, when the queue ahead of it would
take longer than the wait allowed: the expected wait is the number waiting times the recent time a turn
is held (a moving average), divided by the number of turns.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.asgi import send_problem

EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})
EXEMPT_PREFIXES = ("/static/",)
RETRY_AFTER = b"1"
SMOOTHING = 0.1  # weight of the newest turn in the moving average of how long a turn is held


class Admission:
    def __init__(self, app: ASGIApp, max_active: int, max_queued: int, queue_timeout: float) -> None:
        self.app = app
        self.max_active = max_active
        self.max_queued = max_queued
        self.queue_timeout = queue_timeout
        self.active = 0
        self.waiting = 0
        self.turn_seconds = 0.0  # moving average of how long a request holds its turn
        self._turns: asyncio.Semaphore | None = None  # made on the serving loop, at the first request

    def _exempt(self, path: str) -> bool:
        return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)

    async def _refuse(self, send: Send, why: str) -> None:
        await send_problem(
            send,
            503,
            "overloaded",
            "Service unavailable",
            f"the server is at capacity ({why}); retry in a moment",
            [(b"retry-after", RETRY_AFTER)],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._exempt(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.max_active)
        turns = self._turns
        if turns.locked():
            if self.waiting >= self.max_queued:
                await self._refuse(send, f"{self.max_active} requests in progress and {self.waiting} waiting")
                return
            expected = (self.waiting + 1) * self.turn_seconds / self.max_active
            if expected > self.queue_timeout:
                await self._refuse(send, f"the wait would be about {expected:.1f} s")
                return
            self.waiting += 1
            try:
                await asyncio.wait_for(turns.acquire(), self.queue_timeout)
            except TimeoutError:
                await self._refuse(send, f"no turn within {self.queue_timeout:g} s")
                return
            finally:
                self.waiting -= 1
        else:
            await turns.acquire()
        self.active += 1
        held = [True]
        began = time.monotonic()

        def release() -> None:
            if held[0]:
                held[0] = False
                self.active -= 1
                held_for = time.monotonic() - began
                self.turn_seconds += SMOOTHING * (held_for - self.turn_seconds)
                turns.release()

        async def send_and_release(message: Message) -> None:
            if message["type"] == "http.response.start":
                release()  # the answer is computed; a stream no longer counts as work in progress
            await send(message)

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            release()
