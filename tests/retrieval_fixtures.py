"""Fixtures for retrieval tests: the real embedding model (loaded once per worker) and a fresh
index per test, in its own folder (a Qdrant Edge shard is one process's at a time)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from rag.edge_index import EdgeIndex
from rag.embeddings import Matrix, OnnxMiniLM
from rag.index import VectorIndex
from rag.runtime import RetrievalRuntime
from rag.server_index import ServerIndex
from rag.sparse import Bm25Encoder

_MODEL: OnnxMiniLM | None = None


def shared_model() -> OnnxMiniLM:
    global _MODEL
    if _MODEL is None:
        _MODEL = OnnxMiniLM(threads=1, batch_size=8)
    return _MODEL


class CountingEmbedder:
    """The real model, counting what it is asked to embed (proves the no-re-embed rule)."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.inner = shared_model()
        self.model_id = self.inner.model_id
        self.dimensions = self.inner.dimensions
        self.embedded = 0
        self.fail_after = fail_after

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts: Sequence[str]) -> Matrix:
        if self.fail_after is not None and self.embedded + len(texts) > self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.embedded += len(texts)
        return self.inner.embed(texts)


def make_runtime(folder: Path, embedder: CountingEmbedder | None = None, backend: str = "edge") -> RetrievalRuntime:
    embedder = embedder or CountingEmbedder()
    index: VectorIndex
    if backend == "edge":
        index = EdgeIndex(folder, embedder.dimensions)
    else:
        index = ServerIndex(QdrantClient(path=str(folder)), "chunks", embedder.dimensions)
    return RetrievalRuntime(embedder, Bm25Encoder(), index, chunk_tokens=120)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[RetrievalRuntime]:
    rt = make_runtime(tmp_path / "index")
    yield rt
    rt.close()
