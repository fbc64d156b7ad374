"""`academy eval creator`: what a creator agent makes, measured on a real course.

The study-guide agent runs end to end on a scratch store holding the dataset's course (the same run
manager, tools and model the platform uses), its draft is approved, and the saved PDF is read back.
Reported per artifact: schema validity (the document validates; sections drafted of those planned),
faithfulness per claim, judged twice and independently of the agent's own check (lexically: at
least 0.6 of the claim's content words in the *whole* cited lesson, not the excerpt the agent read;
and by the judge model, on the lesson sentences nearest the claim), citation validity (every cited
number names a lesson of the course), a rule-based rubric, and the time it took.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pypdf import PdfReader
from sqlalchemy import select

from agents.checkpoints import checkpoint_opener
from agents.events import EventLog
from agents.installed import installed
from agents.llm import ChatModel
from agents.runs import RunDeps, RunManager
from agents.study_guides.support import claim_text
from core import identity, migrate
from core.db import Database
from core.principal import Principal
from core.settings import Settings
from core.storage.factory import make_storage_provider
from core.text import stems
from courses import artifacts
from courses.importer import import_course, read_source
from courses.models import Lesson
from evals.retrieval import machine
from ingestion.pipeline import Ingestor
from ingestion.sources import course_sources
from rag.runtime import RetrievalRuntime, open_runtime
from tools.documents import StudyDocument
from tools.registry import build_registry

SUPPORTED = 0.6
WINDOW_CHARS = 500
JUDGE = """Lesson text:
{window}

Claim: {claim}

Does the lesson text state this claim? Answer true or false."""
VERDICT = {
    "type": "object",
    "properties": {"supported": {"type": "boolean"}},
    "required": ["supported"],
    "additionalProperties": False,
}


def _window(claim: str, body: str) -> str:
    """The lesson sentences sharing most words with the claim, in order, up to `WINDOW_CHARS`."""
    asked = stems(claim)
    parts = [s.strip() for s in body.replace("\n", " ").split(". ") if s.strip()]
    ranked = sorted(range(len(parts)), key=lambda i: -len(asked & stems(parts[i])))
    kept: list[int] = []
    spent = 0
    for i in ranked:
        if spent + len(parts[i]) > WINDOW_CHARS:
            continue
        kept.append(i)
        spent += len(parts[i]) + 2
    return ". ".join(parts[i] for i in sorted(kept))


def _judge(chat: BaseChatModel, claim: str, window: str) -> bool | None:
    response_format = {"type": "json_schema", "json_schema": {"name": "verdict", "schema": VERDICT}}
    reply = chat.bind(response_format=response_format).invoke(
        [SystemMessage("You check claims against course text."), HumanMessage(JUDGE.format(window=window, claim=claim))]
    )
    try:
        return bool(json.loads(str(reply.content))["supported"])
    except (json.JSONDecodeError, KeyError, TypeError):
        return None


def scratch_store(settings: Settings, dataset: Path) -> tuple[Database, Principal, str]:
    """A fresh database holding one store, its owner and the dataset's course, published."""
    migrate.upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    with db.transaction() as s:
        owner = identity.create_user(s, "creator@eval.example.com", "password-123")
        store = identity.create_store(s, owner, "eval", "Eval")
        principal = identity.principal_for_user(s, owner, store.id)
        course = import_course(s, principal, read_source(dataset), publish=True)
        return db, principal, course.id


def index_course(settings: Settings, db: Database, store_id: str, course_id: str) -> RetrievalRuntime:
    """The scratch course indexed, as the platform indexes a published course: what the agents search."""
    runtime = open_runtime(settings)
    with db.transaction() as s:
        sources = course_sources(s, store_id, course_id)
    Ingestor(runtime).sync_course(store_id, course_id, sources, complete=True)
    runtime.index.flush()
    return runtime


@contextmanager
def scratch_runs(
    settings: Settings, dataset: Path, chat: Callable[[], ChatModel], prefix: str
) -> Iterator[tuple[Database, Principal, str, RunManager]]:
    """A scratch store holding the dataset's course, published and indexed, and a run manager on the
    configured model over it (temperature 0): what the marketing and builder evals run agents in."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        update = {"data_dir": Path(folder), "database_url": None, "demo": False, "llm_temperature": 0.0}
        scratch = settings.model_copy(update=update | {"object_store": "folder"})
        db, owner, course_id = scratch_store(scratch, dataset)
        assert owner.store_id is not None
        runtime = index_course(scratch, db, owner.store_id, course_id)
        tools = build_registry()
        deps = RunDeps(db, scratch, tools, chat, lambda: runtime, checkpoint_opener(scratch), installed(tools))
        manager = RunManager(deps, EventLog(db), workers=1)
        try:
            yield db, owner, course_id, manager
        finally:
            manager.shutdown()
            runtime.close()
            db.dispose()


def _claims(chat: BaseChatModel | None, document: StudyDocument, bodies: dict[str, str]) -> list[dict[str, Any]]:
    lesson_of = {s.n: s.lesson_id for s in document.sources}
    rows = []
    for section in document.sections:
        for block in section.blocks:
            text = claim_text(block.model_dump())
            cited = " ".join(bodies.get(lesson_of.get(n, ""), "") for n in block.cites)
            claim = stems(text)
            lexical = len(claim & stems(cited)) / max(1, len(claim))
            valid = all(lesson_of.get(n) in bodies for n in block.cites)
            verdict = _judge(chat, text, _window(text, cited)) if chat is not None else None
            rows.append(
                {
                    "section": section.heading,
                    "claim": text,
                    "cites": block.cites,
                    "citations_valid": valid,
                    "lexical": round(lexical, 3),
                    "judge": verdict,
                }
            )
    return rows


def run_creator_eval(
    dataset: Path,
    settings: Settings,
    chat: Callable[[], ChatModel],
    agent: str,
    kind: str,
    out: Path,
    judge: bool = True,
) -> dict[str, Any]:
    if agent != "study_guides":
        raise ValueError(f"this eval measures study_guides; course_builder has its own ({agent!r} asked)")
    asked = (
        "Make a reference guide of this course" if kind == "reference_guide" else "Make a cheat sheet of this course"
    )
    with tempfile.TemporaryDirectory(prefix="academy-creator-eval-") as folder:
        scratch = settings.model_copy(
            update={
                "data_dir": Path(folder),
                "database_url": None,
                "demo": False,
                "llm_temperature": 0.0,
                "object_store": "folder",
            }
        )
        db, owner, course_id = scratch_store(scratch, dataset)
        tools = build_registry()
        deps = RunDeps(db, scratch, tools, chat, lambda: None, checkpoint_opener(scratch), installed(tools))
        manager = RunManager(deps, EventLog(db), workers=1)
        try:
            started = time.perf_counter()
            thread = manager.create_thread(owner, agent, course_id)
            run = manager.start(owner, thread.id, asked)
            manager.wait(run.id, timeout=7200)
            drafted_s = time.perf_counter() - started
            events = manager.events.replay(run.id)
            review = next((e for e in events if e.type == "approval.required"), None)
            if review is None:
                said = [e.data for e in events if e.type in ("error", "message.completed")]
                raise RuntimeError(f"the agent made no draft: {said}")
            preview = review.data["arguments"]
            manager.resume(owner, run.id, "approve")
            manager.wait(run.id, timeout=600)
            total_s = time.perf_counter() - started
            saved = next(e.data for e in manager.events.replay(run.id) if e.type == "artifact")
            judge_chat = chat().chat if judge else None
            with db.transaction() as s:
                bodies = {
                    lesson.id: lesson.body_md
                    for lesson in s.scalars(select(Lesson).where(Lesson.course_id == course_id))
                }
                pdf = artifacts.read_artifact(s, owner, make_storage_provider(scratch), saved["id"]).data
            document = StudyDocument.model_validate(preview["document"])
            claims = _claims(judge_chat, document, bodies)
        finally:
            manager.shutdown()
            db.dispose()
    pages = len(PdfReader(BytesIO(pdf)).pages)
    n = max(1, len(claims))
    judged = [c for c in claims if c["judge"] is not None]
    sections = [s.heading for s in document.sections]
    report = {
        "suite": "creator",
        "agent": agent,
        "kind": kind,
        "dataset": dataset.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "model": model_label(settings),
        "judge": "the same model, one call per claim" if judge else "none",
        "schema_valid": True,
        "sections_planned": preview["planned_sections"],
        "sections_made": len(sections),
        "claims": len(claims),
        "left_out_by_agent": preview["left_out"],
        "faithfulness_lexical": round(sum(c["lexical"] >= SUPPORTED for c in claims) / n, 4),
        "faithfulness_judge": round(sum(bool(c["judge"]) for c in judged) / max(1, len(judged)), 4) if judged else None,
        "citation_validity": round(sum(c["citations_valid"] for c in claims) / n, 4),
        "rubric": {
            "coverage (sections made / planned)": round(len(sections) / max(1, preview["planned_sections"]), 4),
            "pages": pages,
            "fits two pages (cheat sheet)": pages <= 2 if kind == "cheat_sheet" else None,
            "entries per section": round(len(claims) / max(1, len(sections)), 2),
        },
        "seconds_to_draft": round(drafted_s, 1),
        "seconds_total": round(total_s, 1),
        "per_claim": claims,
    }
    write_report(out, f"creator-{agent}-{kind}-{dataset.name}", report, markdown_report(report))
    return report


def write_report(out: Path, name: str, report: dict[str, Any], markdown: str) -> None:
    """The report beside its markdown reading, as committed under `evals/reports/`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"{name}.md").write_text(markdown)


def model_label(settings: Settings) -> str:
    return settings.llm_model if settings.llm_provider == "openai" else "local Qwen2.5-Coder-1.5B-Instruct Q4_K_M"


def markdown_report(r: dict[str, Any]) -> str:
    m = r["machine"]
    rubric = "; ".join(f"{k}: {v}" for k, v in r["rubric"].items() if v is not None)
    judge = "-" if r["faithfulness_judge"] is None else f"{r['faithfulness_judge']:.4f}"
    lines = [
        f"# Creator eval: {r['agent']} ({r['kind']}) on {r['dataset']}",
        "",
        f"- date: {r['date']}; machine: {m['platform']}, {m['cpus']} CPUs",
        f"- model: {r['model']}; judge: {r['judge']}",
        "",
        "| measure | value |",
        "|---|---|",
        f"| schema valid | {r['schema_valid']} |",
        f"| sections made / planned | {r['sections_made']} / {r['sections_planned']} |",
        f"| claims (left out by the agent's own check) | {r['claims']} ({r['left_out_by_agent']}) |",
        f"| faithfulness, lexical (>= 0.6 of a claim's words in the cited lesson) | {r['faithfulness_lexical']:.4f} |",
        f"| faithfulness, judge | {judge} |",
        f"| citation validity | {r['citation_validity']:.4f} |",
        f"| rubric (rules) | {rubric} |",
        f"| time to draft / total (s) | {r['seconds_to_draft']} / {r['seconds_total']} |",
        "",
        "| section | claim | lexical | judge |",
        "|---|---|---|---|",
    ]
    for c in r["per_claim"]:
        lines.append(f"| {c['section']} | {c['claim'].replace('|', '/')} | {c['lexical']} | {c['judge']} |")
    return "\n".join(lines) + "\n"
