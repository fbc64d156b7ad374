"""A real uvicorn server on a free loopback port, for streams and the browser: the test client
cannot show what a client sees mid-stream, a socket can."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from fastapi import FastAPI


@dataclass
class LiveServer:
    url: str
    server: uvicorn.Server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app: FastAPI, port: int | None = None) -> Iterator[LiveServer]:
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url, server)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class SseEvent:
    id: str | None
    event: str
    data: str
    comment: bool = False


def sse_events(response: httpx.Response) -> Iterator[SseEvent]:
    """Parses a text/event-stream as it arrives (comments come through as comment events)."""
    fields: dict[str, str] = {}
    data: list[str] = []
    for line in response.iter_lines():
        if line == "":
            if data:  # per the spec, a block without data dispatches nothing
                yield SseEvent(fields.get("id"), fields.get("event", "message"), "\n".join(data))
            fields, data = {}, []
            continue
        if line.startswith(":"):
            yield SseEvent(None, "", line[1:].strip(), comment=True)
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        else:
            fields[name] = value
