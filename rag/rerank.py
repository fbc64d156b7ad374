"""Optional reranking of retrieved passages. No reranker ships offline, so it is off by default;
production can point `ACADEMY_RERANK_URL` at any service speaking the common `/rerank` shape
(Cohere, Jina, Hugging Face TEI, vLLM): `{model, query, documents, top_n}` in,
`{results: [{index, relevance_score}]}` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import httpx


class Reranker(Protocol):
    def scores(self, query: str, documents: Sequence[str]) -> list[float]:
        """One relevance score per document, in the documents' order."""
        ...


class HttpReranker:
    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 10.0) -> None:
        self.model = model
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            headers={"Authorization": f"Bearer {api_key}"} if api_key else {},
        )

    def scores(self, query: str, documents: Sequence[str]) -> list[float]:
        if not documents:
            return []
        response = self._client.post(
            "/rerank",
            json={"model": self.model, "query": query, "documents": list(documents), "top_n": len(documents)},
        )
        response.raise_for_status()
        results = response.json()["results"]
        scores = [float("-inf")] * len(documents)
        for item in results:
            scores[int(item["index"])] = float(item.get("relevance_score", item.get("score", 0.0)))
        return scores
