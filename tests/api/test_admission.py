"""Admission control: a burst is answered fast (served or refused with 503 and Retry-After), probes
never wait for a turn, and a stream stops counting once it has started."""

import asyncio
import contextlib
from typing import Any

from api.admission import Admission


class Gate:
    """An ASGI app whose requests wait until the test opens the gate; /stream starts at once, then waits."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.started = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.started += 1
        if scope["path"] == "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await self.open.wait()
            await send({"type": "http.response.body", "body": b"done"})
            return
        await self.open.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def request(app: Any, path: str = "/work") -> dict[str, Any]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)
    start = sent[0]
    return {"status": start["status"], "headers": dict(start["headers"])}


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_requests_over_the_queue_are_refused_at_once_with_retry_after() -> None:
    async def scenario() -> None:
        gate = Gate()
        app = Admission(gate, max_active=2, max_queued=3, queue_timeout=30)
        pending = [asyncio.create_task(request(app)) for _ in range(5)]
        await asyncio.sleep(0.05)
        refused = await asyncio.wait_for(request(app), 1.0)  # answered while the others still wait
        assert refused["status"] == 503 and refused["headers"][b"retry-after"] == b"1"
        assert gate.started == 2 and app.waiting == 3
        gate.open.set()
        assert [r["status"] for r in await asyncio.gather(*pending)] == [200] * 5

    run(scenario())


def test_a_request_that_waits_too_long_gets_503() -> None:
    async def scenario() -> None:
        gate = Gate()
        app = Admission(gate, max_active=1, max_queued=10, queue_timeout=0.1)
        first = asyncio.create_task(request(app))
        await asyncio.sleep(0.01)
        assert (await request(app))["status"] == 503
        gate.open.set()
        assert (await first)["status"] == 200

    run(scenario())


def test_health_probes_never_wait_for_a_turn() -> None:
    async def scenario() -> None:
        gate = Gate()
        app = Admission(gate, max_active=1, max_queued=0, queue_timeout=30)
        busy = asyncio.create_task(request(app))
        await asyncio.sleep(0.01)
        probe = asyncio.create_task(request(app, "/healthz"))
        await asyncio.sleep(0.01)
        assert gate.started == 2  # the probe reached the app although every turn is taken
        gate.open.set()
        await asyncio.gather(busy, probe)

    run(scenario())


def test_a_started_stream_gives_its_turn_back() -> None:
    async def scenario() -> None:
        gate = Gate()
        app = Admission(gate, max_active=1, max_queued=0, queue_timeout=30)
        stream = asyncio.create_task(request(app, "/stream"))
        await asyncio.sleep(0.01)
        assert app.active == 0
        after = asyncio.create_task(request(app))
        await asyncio.sleep(0.01)
        assert gate.started == 2
        gate.open.set()
        assert [r["status"] for r in await asyncio.gather(stream, after)] == [200, 200]

    run(scenario())


def test_a_failing_request_gives_its_turn_back() -> None:
    async def boom(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    async def scenario() -> None:
        app = Admission(boom, max_active=1, max_queued=0, queue_timeout=30)
        for _ in range(3):
            with contextlib.suppress(RuntimeError):
                await request(app)
        assert app.active == 0

    run(scenario())


def test_a_queue_too_slow_to_get_through_in_time_is_refused_at_once() -> None:
    async def scenario() -> None:
        gate = Gate()
        app = Admission(gate, max_active=1, max_queued=100, queue_timeout=1.0)
        app.turn_seconds = 0.6  # recent turns took 0.6 s each
        first = asyncio.create_task(request(app))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(request(app))  # expected wait 0.6 s: it may queue
        await asyncio.sleep(0.01)
        started = asyncio.get_running_loop().time()
        third = await request(app)  # expected wait 1.2 s, over the 1 s allowed
        assert third["status"] == 503 and asyncio.get_running_loop().time() - started < 0.1
        gate.open.set()
        assert [r["status"] for r in await asyncio.gather(first, second)] == [200, 200]

    run(scenario())
