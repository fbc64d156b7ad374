"""Qdrant server backend (qdrant-client): the same collection layout and sparse encoding as Edge.
Also runs against qdrant-client's local mode, which the tests use where no server is reachable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qdrant_client import QdrantClient, models

from rag.index import DENSE, KEYWORD_FIELDS, SPARSE, FusionParams, Hit, IndexPoint, Mode, SearchFilter, effective_mode
from rag.sparse import Sparse


def server_filter(flt: SearchFilter, source_id: str | None = None) -> models.Filter:
    must: list[models.Condition] = [models.FieldCondition(key="store_id", match=models.MatchValue(value=flt.store_id))]
    if flt.course_ids is not None:
        must.append(models.FieldCondition(key="course_id", match=models.MatchAny(any=list(flt.course_ids) or ["-"])))
    if flt.lesson_ids is not None:
        must.append(models.FieldCondition(key="lesson_id", match=models.MatchAny(any=list(flt.lesson_ids) or ["-"])))
    if source_id is not None:
        must.append(models.FieldCondition(key="source_id", match=models.MatchValue(value=source_id)))
    return models.Filter(must=must)


class ServerIndex:
    def __init__(self, client: QdrantClient, collection: str, dimensions: int) -> None:
        self.client = client
        self.collection = collection
        self.dimensions = dimensions
        if not client.collection_exists(collection):
            client.create_collection(
                collection,
                vectors_config={DENSE: models.VectorParams(size=dimensions, distance=models.Distance.COSINE)},
                sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            )
            for name in KEYWORD_FIELDS:
                client.create_payload_index(
                    collection,
                    name,
                    models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=name == "store_id"),
                )

    @classmethod
    def connect(cls, url: str, collection: str, dimensions: int, api_key: str | None = None) -> ServerIndex:
        return cls(QdrantClient(url=url, api_key=api_key, timeout=30), collection, dimensions)

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        if not points:
            return
        self.client.upsert(
            self.collection,
            [
                models.PointStruct(
                    id=p.id,
                    vector={
                        DENSE: [float(x) for x in p.dense],
                        SPARSE: models.SparseVector(indices=p.sparse.indices, values=p.sparse.values),
                    },
                    payload=p.payload,
                )
                for p in points
            ],
            wait=True,
        )

    def set_payload(self, point_id: str, payload: dict[str, Any]) -> None:
        self.client.set_payload(self.collection, payload=payload, points=[point_id], wait=True)

    def update_sparse(self, point_id: str, sparse: Sparse) -> None:
        vector = models.SparseVector(indices=sparse.indices, values=sparse.values)
        self.client.update_vectors(
            self.collection, [models.PointVectors(id=point_id, vector={SPARSE: vector})], wait=True
        )

    def delete(self, point_ids: Sequence[str]) -> None:
        if point_ids:
            self.client.delete(self.collection, models.PointIdsList(points=list(point_ids)), wait=True)

    def delete_source(self, store_id: str, source_id: str) -> None:
        condition = models.Filter(
            must=[models.FieldCondition(key="store_id", match=models.MatchValue(value=store_id))],
            should=[
                models.FieldCondition(key="source_id", match=models.MatchValue(value=source_id)),
                models.FieldCondition(key="lesson_id", match=models.MatchValue(value=source_id)),
            ],
        )
        self.client.delete(self.collection, models.FilterSelector(filter=condition), wait=True)

    def source_state(self, store_id: str, source_id: str) -> dict[str, dict[str, Any]]:
        state: dict[str, dict[str, Any]] = {}
        offset: Any = None
        while True:
            records, offset = self.client.scroll(
                self.collection,
                scroll_filter=server_filter(SearchFilter(store_id), source_id),
                limit=256,
                offset=offset,
                with_payload=["content_hash", "meta_hash", "sparse_hash", "position", "source_id", "lesson_id"],
            )
            for record in records:
                state[str(record.id)] = dict(record.payload or {})
            if offset is None:
                return state

    def source_ids(self, store_id: str, course_id: str) -> set[str]:
        found: set[str] = set()
        offset: Any = None
        condition = server_filter(SearchFilter(store_id, course_ids=[course_id]))
        while True:
            records, offset = self.client.scroll(
                self.collection,
                scroll_filter=condition,
                limit=1024,
                offset=offset,
                with_payload=["source_id"],
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
        condition = server_filter(flt)
        sparse_vector = models.SparseVector(indices=sparse.indices, values=sparse.values) if sparse else None
        dense_vector = [float(x) for x in dense] if dense is not None else None
        chosen = effective_mode(mode, dense_vector is not None, sparse_vector is not None)
        if chosen == "dense":
            response = self.client.query_points(
                self.collection, query=dense_vector, using=DENSE, query_filter=condition, limit=limit
            )
        elif chosen == "sparse":
            response = self.client.query_points(
                self.collection, query=sparse_vector, using=SPARSE, query_filter=condition, limit=limit
            )
        else:
            depth = max(fusion.prefetch, limit)
            response = self.client.query_points(
                self.collection,
                prefetch=[
                    models.Prefetch(query=dense_vector, using=DENSE, limit=depth, filter=condition),
                    models.Prefetch(query=sparse_vector, using=SPARSE, limit=depth, filter=condition),
                ],
                query=models.RrfQuery(
                    rrf=models.Rrf(k=fusion.rrf_k, weights=[fusion.dense_weight, fusion.sparse_weight])
                ),
                query_filter=condition,
                limit=limit,
            )
        return [Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in response.points]

    def count(self, store_id: str | None = None) -> int:
        condition = server_filter(SearchFilter(store_id)) if store_id else None
        return int(self.client.count(self.collection, count_filter=condition, exact=True).count)

    def flush(self) -> None:
        return None

    def optimize(self) -> None:
        return None  # the server optimizes in the background

    def close(self) -> None:
        self.client.close()
