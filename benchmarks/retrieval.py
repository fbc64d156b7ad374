"""Retrieval speed on the embedded stack.

1. Ingestion throughput: the full pipeline (chunk, embed, BM25, upsert into Qdrant Edge) next to the
   embedding model alone on the same chunks, in the same run. Target: pipeline >= 0.8 x model.
2. Query latency end to end (embed the query, hybrid search with store + course + lesson filters,
   passage merge) at 10k and 100k chunks. Target: p95 <= 30 ms at 100k. Peak memory.

The large indexes reuse real chunks (text, BM25 vectors, MiniLM vectors) of the two shared courses,
spread over 20 stores, 400 courses and 4,000 lessons; copies get their dense vector perturbed
(gaussian, sigma 0.02, renormalised) so no two points are identical.

Run: `python -m benchmarks.retrieval [--sizes 10000 100000] [--queries 300]`
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

from benchmarks.common import machine, now, peak_rss_mb, percentile, write
from ingestion.chunking import chunk_document
from ingestion.loaders import load_markdown
from ingestion.pipeline import Ingestor
from ingestion.sources import Source
from rag.edge_index import EdgeIndex
from rag.embeddings import OnnxMiniLM
from rag.index import IndexPoint, SearchFilter
from rag.retriever import Retriever
from rag.runtime import RetrievalRuntime
from rag.sparse import Bm25Encoder

SHARED = Path(__file__).resolve().parents[1] / "datasets"  # the two courses ship with the repository
COURSES = ("ml-for-beginners", "open-music-theory")
STORES, COURSES_PER_STORE, LESSONS_PER_COURSE = 20, 20, 10


def sources() -> list[Source]:
    out = []
    for course in COURSES:
        for line in (SHARED / course / "lessons.jsonl").read_text().splitlines():
            row = json.loads(line)
            out.append(
                Source(
                    str(row["id"]),
                    "lesson",
                    "bench",
                    course,
                    course,
                    "m",
                    str(row["id"]),
                    row["title"],
                    True,
                    0,
                    load_markdown(row["markdown"], row["title"]),
                )
            )
    return out


def ingestion(model: OnnxMiniLM, chunk_tokens: int) -> dict[str, Any]:
    items = sources()
    texts = [c.embed_text for s in items for c in chunk_document(s.document, model.count_tokens, chunk_tokens)]
    model.embed(texts[:16])  # warm up
    started = time.perf_counter()
    for i in range(0, len(texts), 64):
        model.embed(texts[i : i + 64])
    raw_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        runtime = RetrievalRuntime(model, Bm25Encoder(), EdgeIndex(Path(folder), model.dimensions), chunk_tokens)
        started = time.perf_counter()
        chunks = sum(Ingestor(runtime).sync_source(s).chunks for s in items)
        runtime.index.flush()
        pipeline_seconds = time.perf_counter() - started
        runtime.close()
    raw = len(texts) / raw_seconds
    pipeline = chunks / pipeline_seconds
    return {
        "chunks": chunks,
        "model_only_chunks_per_s": round(raw, 1),
        "pipeline_chunks_per_s": round(pipeline, 1),
        "ratio": round(pipeline / raw, 3),
        "target_ratio": 0.8,
    }


def base_points(model: OnnxMiniLM, chunk_tokens: int) -> list[tuple[str, np.ndarray, Any]]:
    encoder = Bm25Encoder()
    texts = [c.embed_text for s in sources() for c in chunk_document(s.document, model.count_tokens, chunk_tokens)]
    vectors = model.embed(texts)
    return [(t, vectors[i], encoder.document(t)) for i, t in enumerate(texts)]


def build(index: EdgeIndex, base: list[tuple[str, np.ndarray, Any]], size: int, seed: int = 7) -> float:
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    batch: list[IndexPoint] = []
    for n in range(size):
        text, vector, sparse = base[n % len(base)]
        if n >= len(base):
            vector = vector + rng.normal(0, 0.02, vector.shape).astype(np.float32)
            vector = vector / np.linalg.norm(vector)
        store = n % STORES
        course = (n // STORES) % COURSES_PER_STORE
        lesson = (n // (STORES * COURSES_PER_STORE)) % LESSONS_PER_COURSE
        payload = {
            "store_id": f"sto_{store}",
            "course_id": f"crs_{store}_{course}",
            "lesson_id": f"lsn_{store}_{course}_{lesson}",
            "source_id": f"lsn_{store}_{course}_{lesson}",
            "course_slug": f"c{course}",
            "lesson_title": "Lesson",
            "heading_path": ["Lesson"],
            "position": n // (STORES * COURSES_PER_STORE * LESSONS_PER_COURSE),
            "content_hash": uuid.uuid4().hex,
            "text": text,
        }
        batch.append(IndexPoint(str(uuid.uuid4()), vector, sparse, payload))
        if len(batch) == 1000:
            index.upsert(batch)
            batch = []
    index.upsert(batch)
    index.flush()
    index.optimize()
    return time.perf_counter() - started


def queries(count: int) -> list[str]:
    rows = [json.loads(line) for line in (SHARED / "ml-for-beginners" / "qa.jsonl").read_text().splitlines()]
    return [str(r["question"]) for r in rows][:count]


def latency(model: OnnxMiniLM, base: list[tuple[str, np.ndarray, Any]], size: int, count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        index = EdgeIndex(Path(folder), model.dimensions)
        build_seconds = build(index, base, size)
        retriever = Retriever(RetrievalRuntime(model, Bm25Encoder(), index, 200))
        rng = random.Random(11)
        asked = queries(count)
        for q in asked[:10]:  # warm up
            retriever.search_filtered(q, SearchFilter("sto_0"), 5)
        results: dict[str, Any] = {"chunks": index.count(), "build_seconds": round(build_seconds, 1)}
        for name in ("learner", "creator"):
            timings = []
            for q in asked:
                store, course = rng.randrange(STORES), rng.randrange(COURSES_PER_STORE)
                if name == "learner":
                    lessons = [f"lsn_{store}_{course}_{i}" for i in range(LESSONS_PER_COURSE)]
                    flt = SearchFilter(f"sto_{store}", [f"crs_{store}_{course}"], lessons)
                else:
                    flt = SearchFilter(f"sto_{store}")
                started = time.perf_counter()
                retriever.search_filtered(q, flt, 5)
                timings.append((time.perf_counter() - started) * 1000)
            results[name] = {
                "queries": len(timings),
                "p50_ms": round(percentile(timings, 0.5), 2),
                "p95_ms": round(percentile(timings, 0.95), 2),
                "p99_ms": round(percentile(timings, 0.99), 2),
            }
        started = time.perf_counter()
        for q in asked:
            model.embed([q])
        results["query_embedding_ms_mean"] = round((time.perf_counter() - started) * 1000 / len(asked), 2)
        index.close()
    return results


def markdown(report: dict[str, Any]) -> str:
    m, ing = report["machine"], report["ingestion"]
    lines = [
        "# Retrieval benchmark",
        "",
        f"- date: {report['date']}",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}",
        f"- embedded stack: {report['stack']}",
        "",
        "## Ingestion throughput",
        "",
        "| chunks | model alone (chunks/s) | full pipeline (chunks/s) | ratio | target |",
        "|---|---|---|---|---|",
        f"| {ing['chunks']} | {ing['model_only_chunks_per_s']} | {ing['pipeline_chunks_per_s']} | {ing['ratio']} | >= {ing['target_ratio']} |",
        "",
        "## Query latency (embed + hybrid search + filters + merge)",
        "",
        "| chunks | index build (s) | who | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for row in report["latency"]:
        for who in ("learner", "creator"):
            r = row[who]
            lines.append(
                f"| {row['chunks']} | {row['build_seconds']} | {who} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |"
            )
    lines += [
        "",
        "learner: store + course + 10-lesson allow-list filter; creator: store filter only.",
        f"Query embedding alone: {report['latency'][-1]['query_embedding_ms_mean']} ms mean. Target: p95 <= 30 ms at 100k.",
        f"Peak resident memory of the benchmark process: {report['peak_rss_mb']} MB.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=156)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    model = OnnxMiniLM(threads=args.threads, batch_size=8)
    print("ingestion throughput ...", flush=True)
    ing = ingestion(model, 200)
    print(ing, flush=True)
    base = base_points(model, 200)
    rows = []
    for size in args.sizes:
        print(f"latency at {size} chunks ...", flush=True)
        rows.append(latency(model, base, size, args.queries))
        print(rows[-1], flush=True)
    report = {
        "benchmark": "retrieval",
        "date": now(),
        "machine": machine(),
        "stack": f"Qdrant Edge, {model.model_id} on onnxruntime ({args.threads} threads), BM25 (qdrant_edge.Bm25)",
        "ingestion": ing,
        "latency": rows,
        "peak_rss_mb": peak_rss_mb(),
    }
    path = write("retrieval", report, markdown(report))
    print(markdown(report))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
