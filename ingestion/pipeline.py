"""Incremental indexing. For each source the wanted chunks are compared with what the index holds:
only chunks whose content hash is new are embedded; moved chunks get their payload updated;
chunks no longer wanted are deleted. New points are written before old ones are removed, and the
index itself is the record of what was done, so re-running after a crash repairs any half state."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ingestion.chunking import Chunk, chunk_document
from ingestion.sources import Source
from rag.index import IndexPoint
from rag.runtime import RetrievalRuntime

POINT_NAMESPACE = uuid.UUID("6f1c7c8e-4d0e-4c49-9a57-5b0b7c0d2a11")
EMBED_BATCH = 64
# A chunk's BM25 vector is encoded over the chunk and its neighbours in the same source (its dense
# vector over the chunk alone): measured on ml-for-beginners, BM25 MRR@10 0.797 with one neighbour on
# each side vs 0.775 without. A neighbour's edit then changes only this sparse vector, never the dense.
SPARSE_WINDOW = 1


@dataclass
class IngestStats:
    sources: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    deleted: int = 0

    def add(self, other: IngestStats) -> None:
        for name in ("sources", "chunks", "embedded", "reused", "deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def point_id(source_id: str, content_hash: str, occurrence: int) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, f"{source_id}:{content_hash}:{occurrence}"))


def sparse_windows(chunks: list[Chunk]) -> list[str]:
    return [
        "\n".join(c.embed_text for c in chunks[max(0, i - SPARSE_WINDOW) : i + SPARSE_WINDOW + 1])
        for i in range(len(chunks))
    ]


def _payload(source: Source, chunk: Chunk, content_hash: str, sparse_hash: str) -> dict[str, Any]:
    meta = {
        "store_id": source.store_id,
        "course_id": source.course_id,
        "course_slug": source.course_slug,
        "module_id": source.module_id,
        "lesson_id": source.lesson_id,
        "lesson_title": source.lesson_title,
        "source_id": source.source_id,
        "source_kind": source.kind,
        "document_title": source.document_title,
        "heading_path": list(chunk.heading_path),
        "anchor": chunk.anchor,
        "position": chunk.position,
        "start_s": chunk.start_s,
        "end_s": chunk.end_s,
        "access": "preview" if source.is_preview else "enrolled",
        "drip_days": source.drip_days,
        "content_hash": content_hash,
        "sparse_hash": sparse_hash,
    }
    meta["meta_hash"] = hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:16]
    meta["text"] = chunk.body
    return meta


class Ingestor:
    def __init__(self, runtime: RetrievalRuntime) -> None:
        self.runtime = runtime

    def chunks_of(self, source: Source) -> list[Chunk]:
        return chunk_document(source.document, self.runtime.embedder.count_tokens, self.runtime.chunk_tokens)

    def sync_source(self, source: Source) -> IngestStats:
        index, model = self.runtime.index, self.runtime.embedder.model_id
        wanted: dict[str, tuple[Chunk, dict[str, Any], str]] = {}
        seen: dict[str, int] = {}
        chunks = self.chunks_of(source)
        for chunk, window in zip(chunks, sparse_windows(chunks), strict=True):
            digest = chunk.content_hash(model)
            occurrence = seen.get(digest, 0)
            seen[digest] = occurrence + 1
            sparse_hash = hashlib.sha256(window.encode()).hexdigest()[:16]
            wanted[point_id(source.source_id, digest, occurrence)] = (
                chunk,
                _payload(source, chunk, digest, sparse_hash),
                window,
            )
        present = index.source_state(source.store_id, source.source_id)
        missing = [pid for pid in wanted if pid not in present]
        encoder = self.runtime.encoder
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start : start + EMBED_BATCH]
            vectors = self.runtime.embedder.embed([wanted[pid][0].embed_text for pid in batch])
            index.upsert(
                [
                    IndexPoint(pid, vectors[i], encoder.document(wanted[pid][2]), wanted[pid][1])
                    for i, pid in enumerate(batch)
                ]
            )
        for pid, (_, payload, window) in wanted.items():
            if pid not in present:
                continue
            if present[pid].get("sparse_hash") != payload["sparse_hash"]:
                index.update_sparse(pid, encoder.document(window))
            if present[pid].get("meta_hash") != payload["meta_hash"]:
                index.set_payload(pid, payload)
        stale = [pid for pid in present if pid not in wanted]
        index.delete(stale)
        return IngestStats(1, len(wanted), len(missing), len(wanted) - len(missing), len(stale))

    def sync_course(
        self,
        store_id: str,
        course_id: str,
        sources: Sequence[Source],
        *,
        complete: bool,
        progress: Callable[[int, int, IngestStats], None] | None = None,
    ) -> IngestStats:
        """Bring the given sources up to date; with `complete`, `sources` is the whole course and any
        other source of the course in the index (deleted or unpublished lesson) is removed."""
        total = IngestStats()
        for number, source in enumerate(sources, start=1):
            total.add(self.sync_source(source))
            if progress:
                progress(number, len(sources), total)
        if complete:
            keep = {s.source_id for s in sources}
            for stale in self.runtime.index.source_ids(store_id, course_id) - keep:
                before = len(self.runtime.index.source_state(store_id, stale))
                self.runtime.index.delete_source(store_id, stale)
                total.deleted += before
        return total

    def remove_sources(self, store_id: str, source_ids: Sequence[str]) -> int:
        removed = 0
        for source_id in source_ids:
            removed += len(self.runtime.index.source_state(store_id, source_id))
            self.runtime.index.delete_source(store_id, source_id)
        return removed
