"""How long a learner waits for the course assistant, on the courses learners meet.

The demo course (Open Music Theory, as `academy serve` loads it) and ml-for-beginners are imported
and fully indexed; then a learner asks each question of `benchmarks/data/assistant-questions.json`
on a new thread (13 per course, one outside the course). Time to first answer token counts from the
start of the run (what the HTTP request does), so it includes retrieval and every model call before
the answer; the prompt tokens of each model call are recorded.

Target (issue 11): p50 <= 10 s and p95 <= 15 s on an idle 2-core machine with the local model.

Run: `python -m benchmarks.assistant [--limit N]`
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from agents.checkpoints import sqlite_opener
from agents.events import EventLog
from agents.installed import installed
from agents.llm import ChatModel, make_chat_model
from agents.runs import RunDeps, RunManager
from benchmarks.common import machine, now, percentile, write
from core import identity, migrate
from core.db import Database
from core.principal import Principal
from core.settings import Settings
from courses import enrollments
from courses.importer import import_course, read_source
from ingestion.pipeline import Ingestor
from ingestion.sources import course_sources
from rag.runtime import open_runtime
from tools.registry import build_registry

DATASETS = Path(__file__).resolve().parents[1] / "datasets"  # shipped with the repository
QUESTIONS = Path(__file__).resolve().parent / "data" / "assistant-questions.json"
TARGET_P50_S, TARGET_P95_S = 10.0, 15.0


class CallRecorder(BaseCallbackHandler):
    """The prompt tokens of every model call, in order."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self._lock = threading.Lock()

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
                if usage:
                    with self._lock:
                        self.calls.append(int(usage.get("input_tokens", 0)))


def _setup(folder: Path) -> tuple[Settings, Database, Principal, dict[str, str]]:
    settings = Settings(data_dir=folder, demo=False)
    migrate.upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    courses: dict[str, str] = {}
    with db.transaction() as s:
        owner = identity.create_user(s, "owner@example.com", "password-123")
        learner = identity.create_user(s, "learner@example.com", "password-123")
        store = identity.create_store(s, owner, "bench", "Bench")
        identity.join_store_as_learner(s, learner, store)
        system = Principal.system(store.id, owner.id)
        for name in ("open-music-theory", "ml-for-beginners"):
            course = import_course(s, system, read_source(DATASETS / name), publish=True)
            enrollments.grant_enrollment(s, system, course.id, learner.email)
            courses[name] = course.id
        principal = identity.principal_for_user(s, learner, store.id)
    return settings, db, principal, courses


def _turn(manager: RunManager, principal: Principal, course_id: str, question: str) -> dict[str, Any]:
    thread = manager.create_thread(principal, "course_assistant", course_id)
    first: dict[str, float] = {}
    started = time.perf_counter()
    run = manager.start(principal, thread.id, question)

    def watch(event: Any) -> None:
        if event.type == "message.delta" and "t" not in first:
            first["t"] = time.perf_counter()

    unsubscribe = manager.events.subscribe(run.id, watch)
    for event in manager.events.replay(run.id):
        watch(event)
    manager.wait(run.id, timeout=600)
    finished = time.perf_counter()
    unsubscribe()
    events = manager.events.replay(run.id)
    answer = next((e.data.get("text", "") for e in events if e.type == "message.completed"), "")
    return {
        "question": question,
        "first_token_s": round(first.get("t", finished) - started, 2),
        "turn_s": round(finished - started, 2),
        "tools": [e.data["name"] for e in events if e.type == "tool.call"],
        "citations": sum(e.type == "citation" for e in events),
        "answer": str(answer)[:400],
    }


def run(limit: int | None) -> dict[str, Any]:
    questions: dict[str, list[str]] = json.loads(QUESTIONS.read_text())
    with tempfile.TemporaryDirectory() as folder:
        settings, db, principal, courses = _setup(Path(folder))
        runtime = open_runtime(settings)
        started = time.perf_counter()
        with db.transaction() as s:
            for course_id in courses.values():
                sources = course_sources(s, principal.require_store(), course_id)
                Ingestor(runtime).sync_course(principal.require_store(), course_id, sources, complete=True)
        runtime.index.optimize()
        indexing_s = round(time.perf_counter() - started, 1)
        recorder = CallRecorder()

        def chat() -> ChatModel:
            model = make_chat_model(settings, temperature=settings.llm_temperature)
            model.chat.callbacks = [recorder]
            return model

        deps = RunDeps(
            db, settings, build_registry(), chat, lambda: runtime, sqlite_opener(Path(folder) / "cp.db"), installed()
        )
        manager = RunManager(deps, EventLog(db), workers=1)
        chat()  # the model server starts outside the measurement
        report: dict[str, Any] = {"indexing_s": indexing_s, "courses": {}}
        for name, course_id in courses.items():
            rows = []
            for question in questions[name][:limit]:
                before = len(recorder.calls)
                row = _turn(manager, principal, course_id, question)
                row["prompt_tokens_per_call"] = recorder.calls[before:]
                rows.append(row)
                print(json.dumps(row), flush=True)
            firsts = [r["first_token_s"] for r in rows]
            report["courses"][name] = {
                "turns": rows,
                "p50_first_token_s": round(percentile(firsts, 0.5), 2),
                "p95_first_token_s": round(percentile(firsts, 0.95), 2),
                "max_first_token_s": max(firsts),
            }
        manager.shutdown()
        runtime.close()
    return report


def markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# Course assistant latency on real courses",
        "",
        f"- date: {report['date']}",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}",
        "- model: Qwen2.5-Coder-1.5B-Instruct Q4_K_M on xllamacpp, 2 threads; both courses fully indexed "
        f"({report['indexing_s']} s)",
        f"- target: time to first answer token p50 <= {TARGET_P50_S:g} s, p95 <= {TARGET_P95_S:g} s",
        "",
        "| course | questions | p50 first token (s) | p95 (s) | max (s) | refused (of the in-course questions) |",
        "|---|---|---|---|---|---|",
    ]
    for name, course in report["courses"].items():
        in_course = course["turns"][:-1]  # the last question of each course is outside it
        refused = sum("does not cover" in t["answer"].lower() for t in in_course)
        lines.append(
            f"| {name} | {len(course['turns'])} | {course['p50_first_token_s']} | "
            f"{course['p95_first_token_s']} | {course['max_first_token_s']} | {refused} of {len(in_course)} |"
        )
    for name, course in report["courses"].items():
        lines += [
            "",
            f"## {name}",
            "",
            "| question | first token (s) | turn (s) | prompt tokens per call | tools | citations |",
        ]
        lines.append("|---|---|---|---|---|---|")
        for t in course["turns"]:
            calls = " + ".join(str(c) for c in t["prompt_tokens_per_call"])
            lines.append(
                f"| {t['question']} | {t['first_token_s']} | {t['turn_s']} | {calls} | "
                f"{', '.join(t['tools']) or '-'} | {t['citations']} |"
            )
    return "\n".join(lines) + "\n"


def rerender(name: str) -> None:
    """Write the markdown of a committed JSON report again (after a change to `markdown`)."""
    from benchmarks.common import RESULTS

    report = json.loads((RESULTS / f"{name}.json").read_text())
    (RESULTS / f"{name}.md").write_text(markdown(report))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="questions per course (default: all)")
    parser.add_argument("--name", default="assistant", help="the results file name")
    parser.add_argument("--render", action="store_true", help="only rewrite the markdown of --name's JSON")
    args = parser.parse_args()
    if args.render:
        rerender(args.name)
        return
    report = {"benchmark": "assistant", "date": now(), "machine": machine(), **run(args.limit)}
    path = write(args.name, report, markdown(report))
    print(markdown(report))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
