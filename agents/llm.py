"""The chat model every agent uses: one factory returning a `langchain-openai` `ChatOpenAI`.

Provider `local` (default) runs Qwen2.5-Coder-1.5B-Instruct in this process with xllamacpp's
OpenAI-compatible server, started once and health-checked; provider `openai` talks to any compatible
endpoint. A model's capabilities (native tool calls, context size) are declared here, never guessed.
Requests to the model go through a bounded gate: when more than `llm_max_queue` are already waiting,
the next one fails at once with a clear "busy" error instead of queueing without end.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before xllamacpp is imported

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from agents import model_files
from core.errors import AppError, ConfigurationError
from core.settings import Settings

LOCAL_MODEL_NAME = "qwen2.5-coder-1.5b-instruct"


class ModelBusy(AppError):
    status, code, title = 503, "model-busy", "The model is busy"


@dataclass(frozen=True)
class Capabilities:
    """What a model can do, as declared by configuration."""

    name: str
    native_tool_calls: bool
    context_tokens: int
    local: bool


@dataclass
class ChatModel:
    chat: BaseChatModel
    capabilities: Capabilities


class _Gate:
    """At most one request runs on the local model (it has one slot); a bounded number wait."""

    def __init__(self, running: int, waiting: int) -> None:
        self._slots = threading.BoundedSemaphore(running)
        self._lock = threading.Lock()
        self._waiting = 0
        self._max_waiting = waiting

    def enter(self, timeout: float) -> None:
        with self._queued():
            if not self._slots.acquire(timeout=timeout):
                raise ModelBusy("timed out waiting for the model")

    async def aenter(self, timeout: float) -> None:
        """`enter` for a run on an event loop: it polls for the slot instead of parking a thread
        (the model answers in seconds; a poll every 20 ms costs nothing beside that)."""
        with self._queued():
            deadline = time.monotonic() + timeout
            while not self._slots.acquire(blocking=False):
                if time.monotonic() > deadline:
                    raise ModelBusy("timed out waiting for the model")
                await asyncio.sleep(0.02)

    @contextmanager
    def _queued(self) -> Iterator[None]:
        with self._lock:
            if self._waiting >= self._max_waiting:
                raise ModelBusy(f"{self._waiting} requests are already waiting for the model; try again shortly")
            self._waiting += 1
        try:
            yield
        finally:
            with self._lock:
                self._waiting -= 1

    def leave(self) -> None:
        self._slots.release()


class _ReleasingStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, release: Any) -> None:
        self._inner, self._release, self._done = inner, release, False

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from self._inner

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            if not self._done:
                self._done = True
                self._release()


class GatedTransport(httpx.BaseTransport):
    """Holds a gate slot from the request until its (possibly streamed) response is closed."""

    def __init__(self, gate: _Gate, timeout: float) -> None:
        self._inner = httpx.HTTPTransport()
        self._gate = gate
        self._timeout = timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._gate.enter(self._timeout)
        try:
            response = self._inner.handle_request(request)
        except BaseException:
            self._gate.leave()
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _ReleasingStream(response.stream, self._gate.leave)
        return response


class _AsyncReleasingStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, release: Any) -> None:
        self._inner, self._release, self._done = inner, release, False

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        async for part in self._inner:
            yield part

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            if not self._done:
                self._done = True
                self._release()


class AsyncGatedTransport(httpx.AsyncBaseTransport):
    """The same gate for runs on the event loop: a run waiting for the model neither blocks the
    loop the other runs stream on nor holds one of its worker threads."""

    def __init__(self, gate: _Gate, timeout: float) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._gate = gate
        self._timeout = timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._gate.aenter(self._timeout)
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException:
            self._gate.leave()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _AsyncReleasingStream(response.stream, self._gate.leave)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class LocalModelServer:
    """xllamacpp's server in this process. Started lazily, once; `base_url` waits for /health."""

    _lock = threading.Lock()
    _instance: LocalModelServer | None = None

    def __init__(self, settings: Settings) -> None:
        import xllamacpp as xlc

        path = model_files.locate(settings.local_model_path)
        params = xlc.CommonParams()
        params.model.path = str(path)
        params.model_alias = LOCAL_MODEL_NAME
        params.n_parallel = 1
        params.n_ctx = settings.local_context_tokens
        params.cpuparams.n_threads = settings.local_threads
        params.cpuparams_batch.n_threads = settings.local_threads
        params.verbosity = 1
        self._server = xlc.Server(params)
        self.base_url = str(self._server.listening_address)
        self._wait_healthy()

    def _wait_healthy(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise ConfigurationError(f"the local model server at {self.base_url} did not become healthy")

    @classmethod
    def get(cls, settings: Settings) -> LocalModelServer:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls(settings)
            return cls._instance


_gates: dict[str, _Gate] = {}


def _gate_for(key: str, settings: Settings) -> _Gate:
    if key not in _gates:
        _gates[key] = _Gate(running=1, waiting=settings.llm_max_queue)
    return _gates[key]


def make_chat_model(settings: Settings, *, temperature: float = 0.2, max_tokens: int = 512) -> ChatModel:
    if settings.llm_provider == "openai":
        if not settings.llm_base_url and not settings.llm_api_key:
            raise ConfigurationError("ACADEMY_LLM_PROVIDER=openai needs ACADEMY_LLM_API_KEY or ACADEMY_LLM_BASE_URL")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        chat = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=key,
            temperature=temperature,
            max_tokens=max_tokens,
            timeout=settings.llm_timeout_seconds,
            stream_usage=True,
        )
        caps = Capabilities(settings.llm_model, settings.llm_native_tools, settings.llm_context_tokens, False)
        return ChatModel(chat, caps)
    server = LocalModelServer.get(settings)
    gate = _gate_for(server.base_url, settings)
    client = httpx.Client(
        transport=GatedTransport(gate, settings.llm_timeout_seconds), timeout=settings.llm_timeout_seconds
    )
    async_client = httpx.AsyncClient(
        transport=AsyncGatedTransport(gate, settings.llm_timeout_seconds), timeout=settings.llm_timeout_seconds
    )
    chat = ChatOpenAI(
        model=LOCAL_MODEL_NAME,
        base_url=f"{server.base_url}/v1",
        api_key="local",
        temperature=temperature,
        max_tokens=max_tokens,
        http_client=client,
        http_async_client=async_client,
        stream_usage=True,
    )
    return ChatModel(chat, Capabilities(LOCAL_MODEL_NAME, False, settings.local_context_tokens, True))
