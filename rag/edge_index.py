"""Qdrant Edge backend: an in-process shard on disk under the data directory."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    Fusion,
    KeywordIndexParams,
    MatchAny,
    MatchValue,
    Modifier,
    Point,
    PointVectors,
    Prefetch,
    Query,
    QueryRequest,
    ScrollRequest,
    SparseVector,
    UpdateOperation,
)

from rag.index import (
    DENSE,
    KEYWORD_FIELDS,
    SPARSE,
    FusionParams,
    Hit,
    IndexLocked,
    IndexPoint,
    Mode,
    SearchFilter,
    effective_mode,
)
from rag.sparse import Sparse

LOCK_FILE = ".academy.lock"


def edge_filter(flt: SearchFilter, source_id: str | None = None) -> Filter:
    must: list[Any] = [FieldCondition("store_id", match=MatchValue(flt.store_id))]
    if flt.course_ids is not None:
        must.append(FieldCondition("course_id", match=MatchAny(list(flt.course_ids) or ["-"])))
    if flt.lesson_ids is not None:
        must.append(FieldCondition("lesson_id", match=MatchAny(list(flt.lesson_ids) or ["-"])))
    if source_id is not None:
        must.append(FieldCondition("source_id", match=MatchValue(source_id)))
    return Filter(must=must)


class EdgeIndex:
    """One shard for all stores. A lock file makes a second opener fail fast with a clear error
    instead of corrupting or hanging on the shard."""

    def __init__(self, path: Path, dimensions: int) -> None:
        self.path = path
        self.dimensions = dimensions
        path.mkdir(parents=True, exist_ok=True)
        self._lock_handle = (path / LOCK_FILE).open("a+")
        try:
            fcntl.flock(self._lock_handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._lock_handle.close()
            raise IndexLocked(
                f"the index at {path} is open in another process (is `academy serve` running?); "
                "use the HTTP API, or stop that process first"
            ) from exc
        self._lock_handle.write(str(os.getpid()))
        self._lock_handle.flush()
        config = EdgeConfig(
            vectors={DENSE: EdgeVectorParams(size=dimensions, distance=Distance.Cosine)},
            sparse_vectors={SPARSE: EdgeSparseVectorParams(modifier=Modifier.Idf)},
        )
        has_data = any(p.name != LOCK_FILE for p in path.iterdir())
        self._shard = EdgeShard.load(str(path), config) if has_data else EdgeShard.create(str(path), config)
        for name in KEYWORD_FIELDS:
            self._shard.update(
                UpdateOperation.create_field_index(name, KeywordIndexParams(is_tenant=name == "store_id"))
            )
        self._write = threading.Lock()
        self._closed = False

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        if not points:
            return
        converted = [
            Point(
                p.id,
                {DENSE: [float(x) for x in p.dense], SPARSE: SparseVector(p.sparse.indices, p.sparse.values)},
                p.payload,
            )
            for p in points
        ]
        with self._write:
            self._shard.update(UpdateOperation.upsert_points(converted))

    def set_payload(self, point_id: str, payload: dict[str, Any]) -> None:
        with self._write:
            self._shard.update(UpdateOperation.set_payload([point_id], payload))

    def update_sparse(self, point_id: str, sparse: Sparse) -> None:
        with self._write:
            self._shard.update(
                UpdateOperation.update_vectors(
                    [PointVectors(point_id, {SPARSE: SparseVector(sparse.indices, sparse.values)})]
                )
            )

    def delete(self, point_ids: Sequence[str]) -> None:
        if point_ids:
            with self._write:
                self._shard.update(UpdateOperation.delete_points(list(point_ids)))

    def delete_source(self, store_id: str, source_id: str) -> None:
        with self._write:
            self._shard.update(
                UpdateOperation.delete_points_by_filter(
                    Filter(
                        must=[FieldCondition("store_id", match=MatchValue(store_id))],
                        should=[
                            FieldCondition("source_id", match=MatchValue(source_id)),
                            FieldCondition("lesson_id", match=MatchValue(source_id)),
                        ],
                    )
                )
            )

    def source_state(self, store_id: str, source_id: str) -> dict[str, dict[str, Any]]:
        state: dict[str, dict[str, Any]] = {}
        offset: Any = None
        keep = ["content_hash", "meta_hash", "sparse_hash", "position", "source_id", "lesson_id"]
        while True:
            records, offset = self._shard.scroll(
                ScrollRequest(
                    offset=offset,
                    limit=256,
                    filter=edge_filter(SearchFilter(store_id), source_id),
                    with_payload=keep,
                )
            )
            for record in records:
                state[str(record.id)] = dict(record.payload or {})
            if offset is None:
                return state

    def source_ids(self, store_id: str, course_id: str) -> set[str]:
        found: set[str] = set()
        offset: Any = None
        condition = edge_filter(SearchFilter(store_id, course_ids=[course_id]))
        while True:
            records, offset = self._shard.scroll(
                ScrollRequest(offset=offset, limit=1024, filter=condition, with_payload=["source_id"])
            )
            found.update(str((r.payload or {}).get("source_id")) for r in records)
            if offset is None:
                return found

    def search(
        self,
        flt: SearchFilter,
        limit: int,
        mode: Mode,
        dense: Sequence[float] | None = None,
        sparse: Sparse | None = None,
        fusion: FusionParams = FusionParams(),
    ) -> list[Hit]:
        condition = edge_filter(flt)
        dense_query = Query.Nearest([float(x) for x in dense], using=DENSE) if dense is not None else None
        sparse_query = Query.Nearest(SparseVector(sparse.indices, sparse.values), using=SPARSE) if sparse else None
        chosen = effective_mode(mode, dense_query is not None, sparse_query is not None)
        if chosen == "dense":
            request = QueryRequest(limit=limit, query=dense_query, filter=condition, with_payload=True)
        elif chosen == "sparse":
            request = QueryRequest(limit=limit, query=sparse_query, filter=condition, with_payload=True)
        else:
            depth = max(fusion.prefetch, limit)
            request = QueryRequest(
                limit=limit,
                prefetches=[
                    Prefetch(limit=depth, query=dense_query, filter=condition),
                    Prefetch(limit=depth, query=sparse_query, filter=condition),
                ],
                query=Fusion.Rrf(k=fusion.rrf_k, weights=[fusion.dense_weight, fusion.sparse_weight]),  # type: ignore[arg-type]
                filter=condition,
                with_payload=True,
            )
        return [Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in self._shard.query(request)]

    def count(self, store_id: str | None = None) -> int:
        condition = edge_filter(SearchFilter(store_id)) if store_id else None
        return int(self._shard.count(CountRequest(exact=True, filter=condition)))

    def flush(self) -> None:
        with self._write:
            self._shard.flush()

    def optimize(self) -> None:
        """Merge segments and build the HNSW index; Edge only optimizes when asked."""
        with self._write:
            self._shard.optimize()

    def close(self) -> None:
        with self._write:
            if self._closed:
                return
            self._closed = True
            self._shard.flush()
            self._shard.close()
        fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
        self._lock_handle.close()
