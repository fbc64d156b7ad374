"""`academy eval retrieval`: build a fresh index of a dataset with the production pipeline, then
score dense-only, sparse-only and hybrid retrieval on its questions."""

from __future__ import annotations

import json
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.datasets import RetrievalSet
from evals.metrics import hit_at, mean, ndcg_at, recall_at, reciprocal_rank
from ingestion.loaders import LoadedDocument, Section, load_markdown
from ingestion.pipeline import Ingestor
from ingestion.sources import Source
from rag.edge_index import EdgeIndex
from rag.embeddings import Embedder
from rag.index import FusionParams, Mode, SearchFilter
from rag.retriever import Retriever
from rag.runtime import RetrievalRuntime
from rag.sparse import Bm25Encoder

MODES: tuple[Mode, ...] = ("dense", "sparse", "hybrid")
EVAL_STORE = "eval"
DEPTH = 100

Progress = Callable[[str, int, int], None]


@dataclass
class BuiltIndex:
    runtime: RetrievalRuntime
    chunks: int
    seconds: float


def _source(doc: Any, kind: str) -> Source:
    document = (
        load_markdown(doc.text, doc.title)
        if doc.markdown
        else LoadedDocument(doc.title, "text", [Section([doc.title] if doc.title else [], doc.text)])
    )
    return Source(
        source_id=doc.id,
        kind="lesson",
        store_id=EVAL_STORE,
        course_id=kind,
        course_slug=kind,
        module_id="-",
        lesson_id=doc.id,
        lesson_title=doc.title,
        is_preview=True,
        drip_days=0,
        document=document,
    )


def build_index(
    data: RetrievalSet, embedder: Embedder, folder: Path, chunk_tokens: int, progress: Progress | None
) -> BuiltIndex:
    runtime = RetrievalRuntime(embedder, Bm25Encoder(), EdgeIndex(folder, embedder.dimensions), chunk_tokens)
    ingestor = Ingestor(runtime)
    started = time.perf_counter()
    chunks = 0
    for number, doc in enumerate(data.docs, start=1):
        chunks += ingestor.sync_source(_source(doc, data.kind)).chunks
        if progress:
            progress("indexing", number, len(data.docs))
    runtime.index.flush()
    return BuiltIndex(runtime, chunks, time.perf_counter() - started)


def ranked_docs(retriever: Retriever, query: str, mode: Mode, depth: int = DEPTH) -> list[str]:
    """Documents in order of their best chunk."""
    seen: dict[str, None] = {}
    for hit in retriever.hits(query, SearchFilter(EVAL_STORE), depth, mode):
        seen.setdefault(str(hit.payload["lesson_id"]), None)
    return list(seen)


def score(data: RetrievalSet, retriever: Retriever, progress: Progress | None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for mode in MODES:
        per_question: list[dict[str, Any]] = []
        started = time.perf_counter()
        for number, question in enumerate(data.questions, start=1):
            ranked = ranked_docs(retriever, question.text, mode)
            relevant = set(question.relevant)
            per_question.append(
                {
                    "kind": question.kind,
                    "hit@1": hit_at(ranked, relevant, 1),
                    "hit@5": hit_at(ranked, relevant, 5),
                    "mrr@10": reciprocal_rank(ranked, relevant, 10),
                    "ndcg@10": ndcg_at(ranked, question.relevant, 10),
                    "recall@100": recall_at(ranked, relevant, 100),
                }
            )
            if progress:
                progress(mode, number, len(data.questions))
        elapsed = time.perf_counter() - started
        metrics = ("hit@1", "hit@5", "mrr@10") if data.kind == "course" else ("ndcg@10", "recall@100")
        summary: dict[str, Any] = {m: round(mean([q[m] for q in per_question]), 4) for m in metrics}
        if data.kind == "course":
            kinds = sorted({q["kind"] for q in per_question})
            summary["by_kind"] = {
                kind: {m: round(mean([q[m] for q in per_question if q["kind"] == kind]), 4) for m in metrics}
                | {"questions": sum(1 for q in per_question if q["kind"] == kind)}
                for kind in kinds
            }
        summary["ms_per_query"] = round(1000 * elapsed / max(1, len(per_question)), 2)
        results[mode] = summary
    return results


def machine() -> dict[str, Any]:
    import os

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def run_retrieval_eval(
    data: RetrievalSet,
    embedder: Embedder,
    out: Path,
    chunk_tokens: int = 200,
    fusion: FusionParams = FusionParams(),
    progress: Progress | None = None,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="academy-eval-") as folder:
        built = build_index(data, embedder, Path(folder) / "index", chunk_tokens, progress)
        try:
            results = score(data, Retriever(built.runtime, fusion), progress)
        finally:
            built.runtime.close()
    report = {
        "suite": "retrieval",
        "dataset": data.name,
        "kind": data.kind,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "embedding_model": embedder.model_id,
        "chunk_tokens": chunk_tokens,
        "fusion": {
            "method": "rrf",
            "k": fusion.rrf_k,
            "weights": [fusion.dense_weight, fusion.sparse_weight],
        },
        "documents": len(data.docs),
        "chunks": built.chunks,
        "index_seconds": round(built.seconds, 1),
        "questions": len(data.questions),
        "results": results,
    }
    out.mkdir(parents=True, exist_ok=True)
    stem = f"retrieval-{data.name}"
    (out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"{stem}.md").write_text(markdown_report(report))
    return report


def markdown_report(report: dict[str, Any]) -> str:
    results = report["results"]
    metrics = [k for k in results["hybrid"] if k not in ("by_kind", "ms_per_query")]
    lines = [
        f"# Retrieval eval: {report['dataset']}",
        "",
        f"- date: {report['date']}",
        "- machine: {platform}, {cpus} CPUs, Python {python}".format(**report["machine"]),
        f"- embedding model: {report['embedding_model']}; chunks of at most {report['chunk_tokens']} tokens",
        f"- fusion: RRF k={report['fusion']['k']}, weights {report['fusion']['weights']}",
        f"- {report['documents']} documents, {report['chunks']} chunks (indexed in {report['index_seconds']} s), "
        f"{report['questions']} questions",
        "",
        "| mode | " + " | ".join(metrics) + " | ms/query |",
        "|---|" + "---|" * (len(metrics) + 1),
    ]
    for mode in MODES:
        row = results[mode]
        lines.append(f"| {mode} | " + " | ".join(f"{row[m]:.4f}" for m in metrics) + f" | {row['ms_per_query']} |")
    if "by_kind" in results["hybrid"]:
        lines += ["", "By question kind:", "", "| mode | kind | questions | " + " | ".join(metrics) + " |"]
        lines.append("|---|---|---|" + "---|" * len(metrics))
        for mode in MODES:
            for kind, row in results[mode]["by_kind"].items():
                values = " | ".join(f"{row[m]:.4f}" for m in metrics)
                lines.append(f"| {mode} | {kind} | {row['questions']} | {values} |")
    return "\n".join(lines) + "\n"
