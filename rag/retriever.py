"""Hybrid retrieval with the reader's access applied in the index query, adjacent chunks merged
into passages, and citation data on every passage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from core.db import utcnow
from core.principal import Principal
from courses.access import read_scope
from rag.index import FusionParams, Hit, Mode, SearchFilter
from rag.runtime import RetrievalRuntime

CANDIDATES_PER_PASSAGE = 3


@dataclass(frozen=True)
class Citation:
    course_id: str
    course_slug: str
    lesson_id: str
    lesson_title: str
    heading: str
    heading_path: list[str]
    anchor: str | None
    url: str
    start_s: float | None = None
    end_s: float | None = None
    source_kind: str = "lesson"
    document_title: str | None = None


@dataclass
class Passage:
    text: str
    score: float
    citation: Citation
    source_id: str
    positions: list[int] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)


def lesson_url(course_slug: str, lesson_id: str, anchor: str | None) -> str:
    return f"/courses/{course_slug}/lessons/{lesson_id}" + (f"#{anchor}" if anchor else "")


def _citation(payload: dict[str, Any]) -> Citation:
    path = [str(p) for p in payload.get("heading_path") or []]
    anchor = payload.get("anchor")
    return Citation(
        course_id=str(payload["course_id"]),
        course_slug=str(payload.get("course_slug", "")),
        lesson_id=str(payload["lesson_id"]),
        lesson_title=str(payload.get("lesson_title", "")),
        heading=path[-1] if path else str(payload.get("lesson_title", "")),
        heading_path=path,
        anchor=anchor,
        url=lesson_url(str(payload.get("course_slug", "")), str(payload["lesson_id"]), anchor),
        start_s=payload.get("start_s"),
        end_s=payload.get("end_s"),
        source_kind=str(payload.get("source_kind", "lesson")),
        document_title=payload.get("document_title"),
    )


def merge_adjacent(hits: Sequence[Hit]) -> list[Passage]:
    """Hits from one source at consecutive positions become one passage, in reading order, scored
    by its best chunk. The citation points at the best chunk's heading, where the answer is; a
    transcript passage plays from its first cue to its last."""
    by_source: dict[str, list[Hit]] = {}
    for hit in hits:
        by_source.setdefault(str(hit.payload.get("source_id")), []).append(hit)
    passages: list[Passage] = []
    for source_id, group in by_source.items():
        group.sort(key=lambda h: int(h.payload.get("position", 0)))
        run: list[Hit] = []
        for hit in group:
            if run and int(hit.payload.get("position", 0)) != int(run[-1].payload.get("position", 0)) + 1:
                passages.append(_passage(source_id, run))
                run = []
            run.append(hit)
        if run:
            passages.append(_passage(source_id, run))
    passages.sort(key=lambda p: p.score, reverse=True)
    return passages


def _passage(source_id: str, run: list[Hit]) -> Passage:
    first = run[0].payload
    if first.get("start_s") is not None:
        citation = _citation(first)
        if run[-1].payload.get("end_s") is not None:
            citation = Citation(**{**citation.__dict__, "end_s": run[-1].payload.get("end_s")})
    else:
        citation = _citation(max(run, key=lambda h: h.score).payload)
    return Passage(
        text="\n\n".join(str(h.payload.get("text", "")) for h in run),
        score=max(h.score for h in run),
        citation=citation,
        source_id=source_id,
        positions=[int(h.payload.get("position", 0)) for h in run],
        chunk_ids=[h.id for h in run],
    )


class Retriever:
    def __init__(self, runtime: RetrievalRuntime, fusion: FusionParams = FusionParams()) -> None:
        self.runtime = runtime
        self.fusion = fusion

    def search_filtered(self, query: str, flt: SearchFilter, limit: int = 5, mode: Mode = "hybrid") -> list[Passage]:
        hits = self.hits(query, flt, limit * CANDIDATES_PER_PASSAGE, mode)
        passages = merge_adjacent(hits)
        reranker = self.runtime.reranker
        if reranker is not None and passages:
            candidates = passages[: limit * CANDIDATES_PER_PASSAGE]
            scores = reranker.scores(query, [p.text for p in candidates])
            for passage, score in zip(candidates, scores, strict=True):
                passage.score = score
            passages = sorted(candidates, key=lambda p: p.score, reverse=True)
        return passages[:limit]

    def hits(self, query: str, flt: SearchFilter, limit: int, mode: Mode = "hybrid") -> list[Hit]:
        if (flt.course_ids is not None and not flt.course_ids) or (flt.lesson_ids is not None and not flt.lesson_ids):
            return []
        dense = self.runtime.embedder.embed([query])[0] if mode != "sparse" else None
        sparse = self.runtime.encoder.query(query) if mode != "dense" else None
        return self.runtime.index.search(flt, limit, mode, dense=dense, sparse=sparse, fusion=self.fusion)

    def search(
        self,
        session: Session,
        principal: Principal,
        query: str,
        course_id: str | None = None,
        limit: int = 5,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        """Search as `principal`: their store, optionally one course, and only what they may read."""
        scope = read_scope(session, principal, course_id, utcnow())
        flt = SearchFilter(scope.store_id, scope.course_ids, scope.lesson_ids)
        return self.search_filtered(query, flt, limit, mode)
