"""The reranker against a local HTTP server speaking the `/rerank` wire format."""

from collections.abc import Iterator

import pytest

from rag.index import Hit, SearchFilter
from rag.rerank import HttpReranker
from rag.retriever import Retriever
from rag.runtime import RetrievalRuntime
from tests.http_stub import Stub, json_stub


def _rerank(request: dict) -> tuple[int, dict]:
    """Scores by shared words, sorted best first, as rerank services answer."""
    words = set(request["query"].lower().split())
    results = [
        {"index": i, "relevance_score": len(words & set(doc.lower().split())) / 10}
        for i, doc in enumerate(request["documents"])
    ]
    return 200, {"results": sorted(results, key=lambda r: -r["relevance_score"])}


@pytest.fixture
def server() -> Iterator[Stub]:
    with json_stub(_rerank) as stub:
        yield stub


def test_scores_come_back_in_document_order(server: Stub) -> None:
    scores = HttpReranker(server.url, "m", api_key="k").scores("gain staging", ["eq", "gain staging rules", "gain"])
    assert scores == [0.0, 0.2, 0.1]
    assert server.seen[0]["path"] == "/rerank" and server.seen[0]["auth"] == "Bearer k"
    assert server.seen[0]["top_n"] == 3 and server.seen[0]["model"] == "m"


class _FixedIndex:
    dimensions = 1

    def search(self, *args: object, **kwargs: object) -> list[Hit]:
        def hit(i: int, text: str) -> Hit:
            return Hit(
                str(i),
                1.0 - i / 10,
                {"source_id": f"s{i}", "position": 0, "text": text, "course_id": "c", "lesson_id": f"l{i}"},
            )

        return [hit(0, "unrelated words"), hit(1, "still unrelated"), hit(2, "sidechain compression explained")]


class _Embedder:
    model_id, dimensions = "x", 1

    def embed(self, texts):
        import numpy as np

        return np.ones((len(texts), 1), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_retriever_reorders_passages_by_reranker(server: Stub) -> None:
    from rag.sparse import Bm25Encoder

    runtime = RetrievalRuntime(_Embedder(), Bm25Encoder(), _FixedIndex(), 200, HttpReranker(server.url, "m"))
    passages = Retriever(runtime).search_filtered("sidechain compression", SearchFilter("a"), 2)
    assert [p.text for p in passages] == ["sidechain compression explained", "unrelated words"]


def test_without_reranker_fusion_order_stands() -> None:
    from rag.sparse import Bm25Encoder

    runtime = RetrievalRuntime(_Embedder(), Bm25Encoder(), _FixedIndex(), 200)
    passages = Retriever(runtime).search_filtered("sidechain compression", SearchFilter("a"), 2)
    assert [p.text for p in passages] == ["unrelated words", "still unrelated"]
