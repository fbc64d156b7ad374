"""Concurrent SSE streams held by one server process.

The server (a separate process: uvicorn, one worker; the embedded stack, or PostgreSQL with `--stacks`)
runs the course assistant on a chat model that writes a fixed answer at a fixed rate. The client opens
N streams at once (`POST /v1/threads/{id}/runs` with `stream: true`) and checks that every stream gets
every event, in order, with the whole answer. Reported: time to first event (p50/p95), stream
duration, events, failures, and the server's CPU and peak memory.

Run: `python -m benchmarks.streams [--streams 500 1000] [--stacks sqlite postgres] [--workers 64]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from benchmarks.common import machine, now, percentile, write

WORD = "token "


class FixedRateModel(BaseChatModel):
    """Decides to answer at once (no tool), then streams `deltas` pieces, one every `interval` s."""

    deltas: int = 40
    interval: float = 0.05

    @property
    def _llm_type(self) -> str:
        return "fixed-rate"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self.bind(tools=[getattr(t, "name", str(t)) for t in tools], **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "" if "tools" in kwargs else WORD * self.deltas
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if "tools" in kwargs:
            yield ChatGenerationChunk(message=AIMessageChunk(content=""))
            return
        for _ in range(self.deltas):
            time.sleep(self.interval)
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=WORD))
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop, None, **kwargs)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if "tools" in kwargs:
            yield ChatGenerationChunk(message=AIMessageChunk(content=""))
            return
        for _ in range(self.deltas):
            await asyncio.sleep(self.interval)
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=WORD))
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


# --- the server process ----------------------------------------------------------------------


def serve(folder: Path, port: int, workers: int, deltas: int, interval: float, database_url: str | None) -> None:
    import uvicorn

    from agents.checkpoints import checkpoint_opener
    from agents.events import EventLog
    from agents.installed import installed
    from agents.llm import Capabilities, ChatModel
    from agents.runs import RunDeps, RunManager
    from api.app import create_app
    from core.db import Database
    from core.settings import Settings
    from tools.registry import build_registry

    settings = Settings(
        data_dir=folder, database_url=database_url, demo=False, runs_workers=workers, secret_key="bench-" + "x" * 40
    )
    db = Database(settings.resolved_database_url)
    model = FixedRateModel(deltas=deltas, interval=interval)
    deps = RunDeps(
        db=db,
        settings=settings,
        registry=build_registry(),
        chat=lambda: ChatModel(model, Capabilities("fixed-rate", True, 4096, False)),
        retrieval=lambda: None,
        checkpointer=checkpoint_opener(settings),
        agents=installed(),
    )
    runs = RunManager(deps, EventLog(db), workers=workers)
    app = create_app(settings, db=db, run_jobs=False, runs=runs)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", backlog=4096, timeout_keep_alive=60)


def prepare(folder: Path, database_url: str | None) -> None:
    from core import identity, migrate
    from core.db import Database
    from core.settings import Settings

    settings = Settings(data_dir=folder, database_url=database_url, demo=False)
    migrate.upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    with db.transaction() as s:
        owner = identity.create_user(s, "owner@example.com", "password-123")
        learner = identity.create_user(s, "learner@example.com", "password-123")
        store = identity.create_store(s, owner, "bench", "Bench")
        identity.join_store_as_learner(s, learner, store)


def _proc(pid: int) -> tuple[float, float]:
    """CPU seconds used and peak resident MB of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    peak = next(
        int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmHWM")
    )
    return cpu, peak


# --- the client ------------------------------------------------------------------------------


async def one_stream(client: httpx.AsyncClient, thread_id: str, deltas: int) -> dict[str, Any]:
    sent = time.perf_counter()
    for _ in range(60):  # a burst beyond the server's queue is refused with Retry-After: wait and retry
        async with client.stream(
            "POST", f"/v1/threads/{thread_id}/runs", json={"message": "hello", "stream": True}
        ) as response:
            if response.status_code == 503 and "retry-after" in response.headers:
                await asyncio.sleep(float(response.headers["retry-after"]))
                continue
            return await _read_stream(response, sent, deltas)
    return {"ok": False, "error": "refused 60 times"}


async def _read_stream(response: httpx.Response, sent: float, deltas: int) -> dict[str, Any]:
    first: float | None = None
    first_delta: float | None = None
    ids: list[int] = []
    text: list[str] = []
    status = None
    if response.status_code != 200:
        return {"ok": False, "error": f"HTTP {response.status_code}"}
    event, data, event_id = "", "", ""
    async for line in response.aiter_lines():
        if line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data = line[5:].strip()
        elif line == "" and data:
            first = first or time.perf_counter()
            ids.append(int(event_id))
            payload = json.loads(data)
            if event == "message.delta":
                first_delta = first_delta or time.perf_counter()
                text.append(payload["text"])
            if event == "run.completed":
                status = payload["status"]
            event, data, event_id = "", "", ""
    done = time.perf_counter()
    in_order = ids == list(range(1, len(ids) + 1))
    whole = "".join(text) == WORD * deltas
    return {
        "ok": in_order and whole and status == "completed",
        "ttfe_ms": ((first or done) - sent) * 1000,
        "ttft_ms": ((first_delta or done) - sent) * 1000,
        "duration_s": done - sent,
        "events": len(ids),
        "in_order": in_order,
        "whole": whole,
        "status": status,
    }


async def client_round(url: str, streams: int, deltas: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(300.0)) as client:
        login = await client.post("/v1/auth/login", json={"email": "learner@example.com", "password": "password-123"})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        threads = []
        for _ in range(streams):
            created = await client.post("/v1/threads", json={"agent": "course_assistant"})
            created.raise_for_status()
            threads.append(created.json()["id"])
        started = time.perf_counter()
        results = await asyncio.gather(*(one_stream(client, t, deltas) for t in threads), return_exceptions=True)
        wall = time.perf_counter() - started
    good = [r for r in results if isinstance(r, dict) and r.get("ok")]
    failures = [str(r) if not isinstance(r, dict) else r.get("error") or r for r in results if r not in good]
    ttfe = [r["ttfe_ms"] for r in good]
    return {
        "streams": streams,
        "completed_whole_in_order": len(good),
        "failed": len(failures),
        "failure_examples": [str(f)[:200] for f in failures[:3]],
        "events_per_stream": good[0]["events"] if good else 0,
        "events_total": sum(r["events"] for r in good),
        "ttfe_p50_ms": round(percentile(ttfe, 0.5), 1),
        "ttfe_p95_ms": round(percentile(ttfe, 0.95), 1),
        "ttft_p50_ms": round(percentile([r["ttft_ms"] for r in good], 0.5), 1),
        "ttft_p95_ms": round(percentile([r["ttft_ms"] for r in good], 0.95), 1),
        "duration_p50_s": round(percentile([r["duration_s"] for r in good], 0.5), 2),
        "duration_p95_s": round(percentile([r["duration_s"] for r in good], 0.95), 2),
        "wall_s": round(wall, 2),
    }


def run_level(streams: int, deltas: int, interval: float, workers: int, postgres: str | None) -> dict[str, Any]:
    """One level on a fresh database: a new one on the PostgreSQL server, or SQLite in a temp folder."""
    from core.db import create_database, drop_database

    name = f"academy_bench_{os.getpid()}_{int(time.time() * 1000)}"
    database_url = create_database(postgres, name) if postgres else None
    try:
        return _run_level(streams, deltas, interval, workers, database_url)
    finally:
        if postgres and database_url:
            drop_database(postgres, database_url)


def _run_level(streams: int, deltas: int, interval: float, workers: int, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        prepare(Path(folder), database_url)
        port = 18000 + streams % 1000
        server = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
            [sys.executable, "-m", "benchmarks.streams", "--serve", folder, "--port", str(port),
             "--workers", str(workers), "--deltas", str(deltas), "--interval", str(interval),
             *(["--database-url", database_url] if database_url else [])],
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    if httpx.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            cpu_before, _ = _proc(server.pid)
            started = time.perf_counter()
            result = asyncio.run(client_round(url, streams, deltas))
            cpu_after, peak_mb = _proc(server.pid)
            elapsed = time.perf_counter() - started
            result["server_cpu_s"] = round(cpu_after - cpu_before, 1)
            result["server_cpu_percent_of_one_core"] = round(100 * (cpu_after - cpu_before) / elapsed, 1)
            result["server_peak_rss_mb"] = round(peak_mb, 1)
            return result
        finally:
            server.terminate()
            server.wait(timeout=60)


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# Concurrent SSE streams on one server process",
        "",
        f"- date: {report['date']}; machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; Python {m['python']}",
        f"- model: fixed rate, {report['deltas']} deltas every {report['interval_s']} s "
        f"(an answer takes {report['deltas'] * report['interval_s']:.1f} s)",
        "- stack: SQLite = the embedded default (SQLite database and checkpoints); PostgreSQL = database and",
        "  checkpoints on the local PostgreSQL server; one uvicorn process either way",
        "- each stream: `POST /v1/threads/{id}/runs` with `stream: true`, read to `run.completed`; a stream counts",
        "  only if every event arrived, ids 1..n in order, and the answer text is whole",
        "- all streams are opened at once; the client runs in its own process on the same 2 cores (it competes",
        "  with the server for CPU)",
        f"- runs executing at once: {report['levels'][0].get('run_workers')} (`ACADEMY_RUNS_WORKERS`), as tasks on one",
        "  event loop; the other streams stay open while their runs wait for a slot, so the time to the first",
        "  event (`run.started`) and the first token include that wait",
        "",
        "| stack | streams | complete, whole, in order | failed | first event p50 / p95 | first token p50 / p95 "
        "| stream p50 / p95 | all done in | server CPU | server peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["levels"]:
        lines.append(
            f"| {r.get('stack', 'SQLite')} | {r['streams']} | {r['completed_whole_in_order']} | {r['failed']} | "
            f"{r['ttfe_p50_ms'] / 1000:.2f} / {r['ttfe_p95_ms'] / 1000:.2f} s | "
            f"{r['ttft_p50_ms'] / 1000:.2f} / {r['ttft_p95_ms'] / 1000:.2f} s | "
            f"{r['duration_p50_s']} / {r['duration_p95_s']} s | "
            f"{r['wall_s']} s ({r['streams'] / r['wall_s']:.1f} answers/s) | {r['server_cpu_s']} s ({r['server_cpu_percent_of_one_core']}% of a core) | {r['server_peak_rss_mb']} MB |"
        )
    slots = report["levels"][0].get("run_workers")
    lines += [
        "",
        f"With {slots} slots and {report['deltas'] * report['interval_s']:.1f} s answers the process cannot finish more",
        f"than {slots / (report['deltas'] * report['interval_s']):.0f} answers a second; what separates the figures",
        "above from that bound is CPU (the server near one core under the GIL, the client on the other).",
        "",
        "Run: `python -m benchmarks.streams --stacks sqlite postgres` (defaults: 500 and 1,000 streams)",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, nargs="+", default=[500, 1000])
    parser.add_argument("--deltas", type=int, default=40)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=18000, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=64, help="Runs executing at once (the rest queue).")
    parser.add_argument("--stacks", nargs="+", choices=["sqlite", "postgres"], default=["sqlite"])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ACADEMY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="An admin URL of the PostgreSQL server (a fresh database is made for each level).",
    )
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.port, args.workers, args.deltas, args.interval, args.database_url)
        return
    levels = []
    for stack in args.stacks:
        for streams in args.streams:
            print(f"==> {streams} concurrent streams on {stack}", flush=True)
            postgres = args.postgres_url if stack == "postgres" else None
            level = run_level(streams, args.deltas, args.interval, args.workers, postgres)
            level["run_workers"] = args.workers
            level["stack"] = "PostgreSQL" if postgres else "SQLite"
            print(json.dumps(level), flush=True)
            levels.append(level)
    report = {"date": now(), "machine": machine(), "deltas": args.deltas, "interval_s": args.interval, "levels": levels}
    print(write("streams", report, markdown(report)))


if __name__ == "__main__":
    main()
