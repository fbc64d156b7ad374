"""The reranker against a local HTTP server speaking the `/rerank` wire format."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from rag.index import Hit, SearchFilter
from rag.rerank import HttpReranker
from rag.retriever import Retriever
from rag.runtime import RetrievalRuntime


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        _Handler.seen.append({"path": self.path, "auth": self.headers.get("authorization"), **body})
        words = set(body["query"].lower().split())
        results = [
            {"index": i, "relevance_score": len(words & set(doc.lower().split())) / 10}
            for i, doc in enumerate(body["documents"])
        ]
        payload = json.dumps({"results": sorted(results, key=lambda r: -r["relevance_score"])}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.seen.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_scores_come_back_in_document_order(server: str) -> None:
    scores = HttpReranker(server, "m", api_key="k").scores("gain staging", ["eq", "gain staging rules", "gain"])
    assert scores == [0.0, 0.2, 0.1]
    assert _Handler.seen[0]["path"] == "/rerank" and _Handler.seen[0]["auth"] == "Bearer k"
    assert _Handler.seen[0]["top_n"] == 3 and _Handler.seen[0]["model"] == "m"


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


def test_retriever_reorders_passages_by_reranker(server: str) -> None:
    from rag.sparse import Bm25Encoder

    runtime = RetrievalRuntime(_Embedder(), Bm25Encoder(), _FixedIndex(), 200, HttpReranker(server, "m"))
    passages = Retriever(runtime).search_filtered("sidechain compression", SearchFilter("a"), 2)
    assert [p.text for p in passages] == ["sidechain compression explained", "unrelated words"]


def test_without_reranker_fusion_order_stands() -> None:
    from rag.sparse import Bm25Encoder

    runtime = RetrievalRuntime(_Embedder(), Bm25Encoder(), _FixedIndex(), 200)
    passages = Retriever(runtime).search_filtered("sidechain compression", SearchFilter("a"), 2)
    assert [p.text for p in passages] == ["unrelated words", "still unrelated"]
