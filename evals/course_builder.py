"""`academy eval creator --agent course_builder`: the course builder measured on a real course.

A scratch store holds the dataset's course, indexed, as the source. For one brief per sampled module
of that course ("a short beginner course on <module>, 2 modules of 2 lessons") the builder drafts an
outline: reported per brief are schema validity (the outline validates and has the asked shape), the
rubric's problems, redrafts and time. The first outline is then approved and built: each lesson is
written from the source course, and every sentence kept with a citation is judged lexically against
the *whole* cited lesson (at least 0.6 of its content words), independently of the agent's own check
on the passage it read. Time per lesson on the model the platform is configured with.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from agents.course_builder.configuration import Configuration
from agents.course_builder.schemas import shape_of
from agents.llm import ChatModel
from agents.runs import RunManager
from core.db import Database
from core.principal import Principal
from core.settings import Settings
from core.text import stems
from courses.models import Course, Lesson, Module
from evals.creator import model_label, scratch_runs, write_report
from evals.retrieval import machine
from tools.course_outlines import CourseOutline

SUPPORTED = 0.6
BRIEFS = 4
CITED = re.compile(r"([^.!?\n]*[.!?]?)\s?\[(\d{1,2})\]")
SOURCE = re.compile(r"^(\d+)\. \[[^\]]*\]\(/courses/[^/]+/lessons/([^)#]+)", re.MULTILINE)


def briefs(db: Database, course_id: str, count: int = BRIEFS) -> list[str]:
    """One brief per module, evenly sampled across the course."""
    with db.transaction() as s:
        titles = list(s.scalars(select(Module.title).where(Module.course_id == course_id).order_by(Module.position)))
    step = max(1, len(titles) // count)
    return [f"A short beginner course on {t.lower()}, 2 modules of 2 lessons" for t in titles[::step][:count]]


def _events(manager: RunManager, run_id: str, kind: str) -> list[dict[str, Any]]:
    return [e.data for e in manager.events.replay(run_id) if e.type == kind]


def _outline_row(manager: RunManager, owner: Principal, course_id: str, brief: str) -> tuple[dict[str, Any], str]:
    started = time.perf_counter()
    thread = manager.create_thread(owner, "course_builder", course_id)
    run = manager.start(owner, thread.id, brief)
    manager.wait(run.id, timeout=1800)
    seconds = time.perf_counter() - started
    cards = _events(manager, run.id, "approval.required")
    row: dict[str, Any] = {"brief": brief, "seconds": round(seconds, 1), "schema_valid": False, "shape_ok": False}
    if cards:
        card = cards[-1]["arguments"]
        outline = CourseOutline.model_validate(card["outline"])
        shape = shape_of(brief, Configuration())
        row |= {
            "schema_valid": True,
            "shape_ok": len(outline.modules) == shape.modules[0]
            and all(len(m.lessons) == shape.lessons[0] for m in outline.modules),
            "title": outline.title,
            "lessons": [lesson.title for m in outline.modules for lesson in m.lessons],
            "problems": card["problems"],
            "model_calls": len([d for d in _events(manager, run.id, "message.delta") if "outline" in d["text"]]),
        }
    return row, run.id


def _cited_sentences(body: str, bodies: dict[str, str]) -> list[dict[str, Any]]:
    sources = {int(n): lesson_id for n, lesson_id in SOURCE.findall(body)}
    rows = []
    for sentence, n in CITED.findall(body.split("\n## Sources")[0]):
        cited = bodies.get(sources.get(int(n), ""), "")
        words = stems(sentence)
        share = len(words & stems(cited)) / max(1, len(words))
        rows.append({"sentence": sentence.strip(), "cites": int(n), "valid": bool(cited), "lexical": round(share, 3)})
    return rows


def _build(manager: RunManager, owner: Principal, db: Database, run_id: str, source_id: str) -> dict[str, Any]:
    started = time.perf_counter()
    manager.resume(owner, run_id, "approve")
    manager.wait(run_id, timeout=3600)
    seconds = time.perf_counter() - started
    card = _events(manager, run_id, "approval.required")[-1]["arguments"]
    manager.resume(owner, run_id, "reject")  # kept as a draft
    manager.wait(run_id, timeout=60)
    with db.transaction() as s:
        bodies = {x.id: x.body_md for x in s.scalars(select(Lesson).where(Lesson.course_id == source_id))}
        built = s.scalars(select(Course).where(Course.id == card["course_id"])).one()
        lessons = [(x.title, x.body_md) for x in s.scalars(select(Lesson).where(Lesson.course_id == built.id))]
    sentences = [dict(r, lesson=title) for title, body in lessons for r in _cited_sentences(body, bodies)]
    return {
        "course": card["title"],
        "lessons": card["lessons"],
        "grounded": card["grounded"],
        "own": card["own"],
        "with_sources": card["with_sources"],
        "citations_kept": card["citations"],
        "citations_attributed": card["attributed"],
        "citations_dropped": card["dropped_citations"],
        "repeated_sentences_dropped": card["repeats_dropped"],
        "distinct_cited_sentences": len({r["sentence"] for r in sentences}),
        "citation_validity": round(sum(r["valid"] for r in sentences) / max(1, len(sentences)), 4),
        "faithfulness_lexical": round(sum(r["lexical"] >= SUPPORTED for r in sentences) / max(1, len(sentences)), 4),
        "words_per_lesson": round(sum(len(b.split()) for _, b in lessons) / max(1, len(lessons))),
        "seconds": round(seconds, 1),
        "seconds_per_lesson": round(seconds / max(1, card["lessons"]), 1),
        "per_sentence": sentences,
    }


def run_builder_eval(dataset: Path, settings: Settings, chat: Callable[[], ChatModel], out: Path) -> dict[str, Any]:
    with scratch_runs(settings, dataset, chat, "academy-builder-eval-") as (db, owner, course_id, manager):
        rows, runs = [], []
        for brief in briefs(db, course_id):
            row, run_id = _outline_row(manager, owner, course_id, brief)
            rows.append(row)
            runs.append(run_id)
        first = next((i for i, r in enumerate(rows) if r["schema_valid"]), None)
        build = _build(manager, owner, db, runs[first], course_id) if first is not None else None
    n = max(1, len(rows))
    report = {
        "suite": "creator",
        "agent": "course_builder",
        "dataset": dataset.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "model": model_label(settings),
        "outlines": len(rows),
        "schema_valid": round(sum(r["schema_valid"] for r in rows) / n, 4),
        "shape_as_asked": round(sum(r["shape_ok"] for r in rows) / n, 4),
        "outlines_with_rubric_problems": sum(bool(r.get("problems")) for r in rows),
        "seconds_per_outline": round(sum(r["seconds"] for r in rows) / n, 1),
        "per_outline": rows,
        "build": build,
    }
    write_report(out, f"creator-course_builder-{dataset.name}", report, markdown_report(report))
    return report


def markdown_report(r: dict[str, Any]) -> str:
    m, b = r["machine"], r["build"] or {}
    lines = [
        f"# Creator eval: course_builder on {r['dataset']}",
        "",
        f"- date: {r['date']}; machine: {m['platform']}, {m['cpus']} CPUs",
        f"- model: {r['model']}; source course: the dataset's, indexed; judge: lexical (no model)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| outlines schema-valid | {r['schema_valid']:.4f} of {r['outlines']} |",
        f"| outlines with the asked shape | {r['shape_as_asked']:.4f} |",
        f"| outlines the rubric still faults | {r['outlines_with_rubric_problems']} |",
        f"| time per outline (s) | {r['seconds_per_outline']} |",
    ]
    if b:
        lines += [
            f"| built: lessons (grounded / own) | {b['lessons']} ({b['grounded']} / {b['own']}) |",
            f"| lessons whose search found source passages | {b['with_sources']} |",
            f"| citations kept (of them attributed by words) / dropped | {b['citations_kept']} "
            f"({b['citations_attributed']}) / {b['citations_dropped']} |",
            f"| repeated sentences the agent removed | {b['repeated_sentences_dropped']} |",
            f"| cited sentences (distinct) | {len(b['per_sentence'])} ({b['distinct_cited_sentences']}) |",
            f"| cited sentences: citation validity | {b['citation_validity']:.4f} |",
            f"| cited sentences: faithfulness, lexical (>= 0.6 in the lesson) | {b['faithfulness_lexical']:.4f} |",
            f"| words per lesson; time per lesson (s) | {b['words_per_lesson']}; {b['seconds_per_lesson']} |",
        ]
    lines += ["", "| brief | valid | shape | problems | s | lessons |", "|---|---|---|---|---|---|"]
    for o in r["per_outline"]:
        lessons, problems = "; ".join(o.get("lessons", [])), "; ".join(o.get("problems", [])) or "-"
        lines.append(
            f"| {o['brief']} | {o['schema_valid']} | {o['shape_ok']} | {problems} | {o['seconds']} | {lessons} |"
        )
    if b:
        lines += ["", "| lesson | cited sentence | lexical |", "|---|---|---|"]
        for s in b["per_sentence"]:
            lines.append(f"| {s['lesson']} | {s['sentence'].replace('|', '/')} [{s['cites']}] | {s['lexical']} |")
    return "\n".join(lines) + "\n"
