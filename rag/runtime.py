"""The process's retrieval stack (embedder, BM25 encoder, index), built once from settings.

In embedded mode only one process may open the Qdrant Edge shard, so the stack is opened lazily by
whoever needs it first in that process (the API, a job thread, or a CLI command) and closed on exit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from core.settings import Settings
from rag.edge_index import EdgeIndex
from rag.embeddings import Embedder, OnnxMiniLM, OpenAIEmbeddings
from rag.index import VectorIndex
from rag.rerank import HttpReranker, Reranker
from rag.server_index import ServerIndex
from rag.sparse import Bm25Encoder


@dataclass
class RetrievalRuntime:
    embedder: Embedder
    encoder: Bm25Encoder
    index: VectorIndex
    chunk_tokens: int
    reranker: Reranker | None = None

    def close(self) -> None:
        self.index.close()


def make_embedder(settings: Settings) -> Embedder:
    if settings.embeddings_provider == "openai":
        if not settings.embeddings_base_url:
            from core.errors import ConfigurationError

            raise ConfigurationError("ACADEMY_EMBEDDINGS_BASE_URL is required with ACADEMY_EMBEDDINGS_PROVIDER=openai")
        key = settings.embeddings_api_key.get_secret_value() if settings.embeddings_api_key else None
        return OpenAIEmbeddings(
            settings.embeddings_base_url,
            settings.embeddings_model,
            settings.embeddings_dimensions,
            api_key=key,
        )
    return OnnxMiniLM(threads=settings.embedding_threads, batch_size=8)


def open_runtime(settings: Settings, embedder: Embedder | None = None) -> RetrievalRuntime:
    embedder = embedder or make_embedder(settings)
    index: VectorIndex
    if settings.qdrant_url:
        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        index = ServerIndex.connect(settings.qdrant_url, settings.qdrant_collection, embedder.dimensions, key)
    else:
        index = EdgeIndex(settings.index_path, embedder.dimensions)
    reranker = None
    if settings.rerank_url:
        key = settings.rerank_api_key.get_secret_value() if settings.rerank_api_key else None
        reranker = HttpReranker(settings.rerank_url, settings.rerank_model, key)
    return RetrievalRuntime(
        embedder=embedder, encoder=Bm25Encoder(), index=index, chunk_tokens=settings.chunk_tokens, reranker=reranker
    )


_lock = threading.Lock()
_current: RetrievalRuntime | None = None


def get_runtime(settings: Settings) -> RetrievalRuntime:
    global _current
    with _lock:
        if _current is None:
            _current = open_runtime(settings)
        return _current


def set_runtime(runtime: RetrievalRuntime | None) -> None:
    """Install a runtime (tests, the eval runner) or forget the current one."""
    global _current
    with _lock:
        _current = runtime


def close_runtime() -> None:
    global _current
    with _lock:
        if _current is not None:
            _current.close()
            _current = None
