"""The vector index interface. One collection holds every store's chunks, tenant by the `store_id`
payload; each point has a dense vector (`dense`) and a BM25 sparse vector (`bm25`, IDF applied by
the index). Two backends implement it: Qdrant Edge (embedded) and a Qdrant server (qdrant-client)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from numpy.typing import NDArray

from rag.sparse import Sparse

Mode = Literal["dense", "sparse", "hybrid"]
DENSE = "dense"
SPARSE = "bm25"
KEYWORD_FIELDS = ("store_id", "course_id", "lesson_id", "source_id", "content_hash")


class IndexLocked(RuntimeError):
    """Another process holds the embedded index (only one process may open a Qdrant Edge shard)."""


@dataclass(frozen=True)
class IndexPoint:
    id: str
    dense: Sequence[float] | NDArray[Any]
    sparse: Sparse
    payload: dict[str, Any]


@dataclass(frozen=True)
class SearchFilter:
    """Which chunks a query may see. `lesson_ids` is the learner's access list; None means no limit."""

    store_id: str
    course_ids: Sequence[str] | None = None
    lesson_ids: Sequence[str] | None = None


@dataclass
class Hit:
    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict)


def effective_mode(mode: Mode, has_dense: bool, has_sparse: bool) -> Mode:
    """The query a backend actually runs: hybrid degrades to whichever vector it was given."""
    if mode == "dense" or (mode == "hybrid" and not has_sparse):
        return "dense"
    if mode == "sparse" or not has_dense:
        return "sparse"
    return "hybrid"


@dataclass(frozen=True)
class FusionParams:
    rrf_k: int = 10
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    prefetch: int = 50


class VectorIndex(Protocol):
    dimensions: int

    def upsert(self, points: Sequence[IndexPoint]) -> None: ...

    def set_payload(self, point_id: str, payload: dict[str, Any]) -> None: ...

    def update_sparse(self, point_id: str, sparse: Sparse) -> None:
        """Replace only the BM25 vector of a point (its dense vector stays)."""
        ...

    def delete(self, point_ids: Sequence[str]) -> None: ...

    def delete_source(self, store_id: str, source_id: str) -> None:
        """Remove a source's chunks; given a lesson id, also the chunks of its documents."""
        ...

    def source_state(self, store_id: str, source_id: str) -> dict[str, dict[str, Any]]:
        """Point id → payload (without text) of every chunk of one source."""
        ...

    def source_ids(self, store_id: str, course_id: str) -> set[str]:
        """Every source (lesson body or document) of a course that has chunks in the index."""
        ...

    def search(
        self,
        flt: SearchFilter,
        limit: int,
        mode: Mode,
        dense: Sequence[float] | None = None,
        sparse: Sparse | None = None,
        fusion: FusionParams = FusionParams(),
    ) -> list[Hit]: ...

    def count(self, store_id: str | None = None) -> int: ...

    def flush(self) -> None: ...

    def optimize(self) -> None: ...

    def close(self) -> None: ...
