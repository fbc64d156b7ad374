"""`academy eval assistant`: the course assistant's answer quality on a course with quiz questions.

For each quiz question (with its options) the model answers twice: closed book, and from the
passages the assistant's own retriever returns (numbered, cited as in chat). The passages are
fitted (`context.py`) to what the model is asked, the question with its options, as chat fits them
to the learner's whole message; retrieval reads the question alone. Reported: accuracy
with and without retrieval, citation validity (every cited number points at a retrieved passage;
share of answers citing the question's own lesson), and refusals on questions the course does not
cover (`evals/data/out_of_course.jsonl`).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from agents.course_assistant.citations import CitationBook
from agents.course_assistant.configuration import Configuration
from agents.course_assistant.graph import passage_blocks
from agents.course_assistant.prompts import ANSWER_RULES, ANSWER_SYSTEM
from evals.datasets import load_retrieval_set
from evals.retrieval import EVAL_STORE, build_index, machine
from rag.embeddings import Embedder
from rag.index import SearchFilter
from rag.retriever import Retriever

OUT_OF_COURSE = Path(__file__).resolve().parent / "data" / "out_of_course.jsonl"
REFUSAL = "does not cover"
Progress = Callable[[str, int, int], None]

CHOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "answer": {"type": "integer", "minimum": 0, "maximum": 9},
        "citations": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 9}, "maxItems": 4},
    },
    "required": ["answer", "citations"],
    "additionalProperties": False,
}


def _choose(chat: BaseChatModel, prompt: str) -> dict[str, Any]:
    response_format = {"type": "json_schema", "json_schema": {"name": "choice", "schema": CHOICE_SCHEMA}}
    try:
        reply = chat.bind(response_format=response_format).invoke([SystemMessage(ANSWER_SYSTEM), HumanMessage(prompt)])
        value = json.loads(str(reply.content))
    except (json.JSONDecodeError, openai.LengthFinishReasonError):
        return {}  # scored as a wrong answer without citations
    return value if isinstance(value, dict) else {}


def _shown(passage: Any) -> dict[str, Any]:
    """A retrieved passage as the search tool hands it to the assistant."""
    c = passage.citation
    return {"lesson_id": c.lesson_id, "lesson_title": c.lesson_title, "heading": c.heading, "text": passage.text}


def _options(options: list[str]) -> str:
    return "\n".join(f"{i}. {option}" for i, option in enumerate(options))


def run_assistant_eval(
    dataset: Path, chat: BaseChatModel, embedder: Embedder, out: Path, every: int = 1, progress: Progress | None = None
) -> dict[str, Any]:
    config = Configuration()  # the shipped retrieval depth and passage budget
    data = load_retrieval_set(dataset)
    rows = [json.loads(line) for line in (dataset / "qa.jsonl").read_text().splitlines() if line.strip()]
    rows = rows[::every]
    outside = [json.loads(line) for line in OUT_OF_COURSE.read_text().splitlines() if line.strip()]
    results: list[dict[str, Any]] = []
    refusals: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="academy-eval-") as folder:
        built = build_index(data, embedder, Path(folder) / "index", 200, progress)
        retriever = Retriever(built.runtime)
        try:
            for number, row in enumerate(rows, start=1):
                options = _options(row["options"])
                closed = _choose(
                    chat,
                    f"Question: {row['question']}\nOptions:\n{options}\n\nReply with the number of the correct option.",
                )
                book = CitationBook()
                found = retriever.search_filtered(row["question"], SearchFilter(EVAL_STORE), config.search_limit)
                asked = row["question"] + "\n" + "\n".join(row["options"])
                blocks = passage_blocks(book, [_shown(p) for p in found], asked, config.passage_budget_chars)
                grounded = _choose(
                    chat,
                    "Course passages:\n" + blocks + f"\n\nQuestion: {row['question']}\nOptions:\n{options}\n\n"
                    "Reply with the number of the correct option and the numbers of the passages that support it.",
                )
                cited = [c for c in grounded.get("citations", []) if isinstance(c, int)]
                valid = [c for c in cited if 1 <= c <= len(book.passages)]
                results.append(
                    {
                        "id": row["id"],
                        "kind": row.get("kind", "all"),
                        "closed_book_correct": closed.get("answer") == row["answer_index"],
                        "retrieval_correct": grounded.get("answer") == row["answer_index"],
                        "citations": len(cited),
                        "valid_citations": len(valid),
                        "cites_own_lesson": any(book.passages[c - 1]["lesson_id"] == row["lesson_id"] for c in valid),
                    }
                )
                if progress:
                    progress("questions", number, len(rows))
            for number, row in enumerate(outside, start=1):
                found = retriever.search_filtered(row["question"], SearchFilter(EVAL_STORE), config.search_limit)
                context = passage_blocks(
                    CitationBook(), [_shown(p) for p in found], row["question"], config.passage_budget_chars
                )
                reply = chat.invoke(
                    [
                        SystemMessage(ANSWER_SYSTEM),
                        HumanMessage(f"Course passages:\n{context}\n\nQuestion: {row['question']}\n\n{ANSWER_RULES}"),
                    ]
                )
                text = str(reply.content)
                refusals.append({"id": row["id"], "refused": REFUSAL in text.lower(), "answer": text[:300]})
                if progress:
                    progress("out-of-course", number, len(outside))
        finally:
            built.runtime.close()
    n = max(1, len(results))
    cited_answers = [r for r in results if r["citations"]]
    report = {
        "suite": "assistant",
        "dataset": dataset.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "questions": len(results),
        "sampling": f"every {every} question(s) of qa.jsonl" if every > 1 else "all questions",
        "closed_book_accuracy": round(sum(r["closed_book_correct"] for r in results) / n, 4),
        "retrieval_accuracy": round(sum(r["retrieval_correct"] for r in results) / n, 4),
        "answers_with_citations": round(len(cited_answers) / n, 4),
        "citation_validity": round(
            sum(r["valid_citations"] for r in results) / max(1, sum(r["citations"] for r in results)), 4
        ),
        "cites_own_lesson": round(sum(r["cites_own_lesson"] for r in results) / n, 4),
        "out_of_course_questions": len(refusals),
        "refusal_rate": round(sum(r["refused"] for r in refusals) / max(1, len(refusals)), 4),
        "seconds": round(time.perf_counter() - started, 1),
        "per_question": results,
        "out_of_course": refusals,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"assistant-{dataset.name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"assistant-{dataset.name}.md").write_text(markdown_report(report))
    return report


def markdown_report(r: dict[str, Any]) -> str:
    m = r["machine"]
    return "\n".join(
        [
            f"# Assistant eval: {r['dataset']}",
            "",
            f"- date: {r['date']}; machine: {m['platform']}, {m['cpus']} CPUs",
            f"- questions: {r['questions']} ({r['sampling']}); {r['out_of_course_questions']} out-of-course questions",
            f"- run time: {r['seconds']} s",
            "",
            "| measure | value |",
            "|---|---|",
            f"| accuracy, closed book | {r['closed_book_accuracy']:.4f} |",
            f"| accuracy, with retrieval | {r['retrieval_accuracy']:.4f} |",
            f"| answers that cite a passage | {r['answers_with_citations']:.4f} |",
            f"| citation validity (cited numbers that point at a retrieved passage) | {r['citation_validity']:.4f} |",
            f"| answers citing the question's own lesson | {r['cites_own_lesson']:.4f} |",
            f"| refusals on out-of-course questions | {r['refusal_rate']:.4f} |",
            "",
        ]
    )
