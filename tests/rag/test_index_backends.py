"""One suite, every backend: Qdrant Edge always, qdrant-client's local engine always (the same
client code as production), and a real Qdrant server when ACADEMY_TEST_QDRANT_URL is set."""

import os
import uuid
from pathlib import Path

import numpy as np
import pytest

from rag.index import IndexPoint, SearchFilter, VectorIndex
from rag.sparse import Bm25Encoder

QDRANT_URL = os.environ.get("ACADEMY_TEST_QDRANT_URL")
BACKENDS = ["edge", "qdrant-local", *(["qdrant-server"] if QDRANT_URL else [])]
ENC = Bm25Encoder()
DIM = 8


@pytest.fixture(params=BACKENDS)
def index(request: pytest.FixtureRequest, tmp_path: Path):
    from qdrant_client import QdrantClient

    from rag.edge_index import EdgeIndex
    from rag.server_index import ServerIndex

    built: VectorIndex
    if request.param == "edge":
        built = EdgeIndex(tmp_path / "edge", DIM)
    elif request.param == "qdrant-local":
        built = ServerIndex(QdrantClient(path=str(tmp_path / "local")), "chunks", DIM)
    else:
        built = ServerIndex.connect(str(QDRANT_URL), f"test_{uuid.uuid4().hex[:8]}", DIM)
    yield built
    if request.param == "qdrant-server":
        built.client.delete_collection(built.collection)
    built.close()


def vec(seed: int) -> list[float]:
    v = np.random.default_rng(seed).random(DIM)
    return list(v / np.linalg.norm(v))


def point(store: str, course: str, lesson: str, position: int, text: str, seed: int, source: str | None = None):
    return IndexPoint(
        str(uuid.uuid4()),
        vec(seed),
        ENC.document(text),
        {
            "store_id": store,
            "course_id": course,
            "lesson_id": lesson,
            "source_id": source or lesson,
            "position": position,
            "content_hash": f"h{seed}",
            "text": text,
        },
    )


@pytest.fixture
def filled(index):
    index.upsert(
        [
            point("a", "c1", "l1", 0, "compression ratio and threshold", 1),
            point("a", "c1", "l1", 1, "attack and release times", 2),
            point("a", "c1", "l2", 0, "equalisation cuts and boosts", 3),
            point("a", "c2", "l3", 0, "compression on the drum bus", 4),
            point("a", "c1", "doc1", 0, "compression handout page", 5, source="doc1"),
            point("b", "c9", "l9", 0, "compression secrets of store b", 6),
        ]
    )
    # the handout belongs to lesson l2
    return index


def texts(hits) -> list[str]:
    return [h.payload["text"] for h in hits]


@pytest.mark.parametrize("mode", ["dense", "sparse", "hybrid"])
def test_search_never_crosses_stores(filled, mode: str) -> None:
    hits = filled.search(SearchFilter("a"), 10, mode, dense=vec(6), sparse=ENC.query("compression"))
    assert hits and all(h.payload["store_id"] == "a" for h in hits)


def test_sparse_finds_the_term(filled) -> None:
    hits = filled.search(SearchFilter("a"), 10, "sparse", sparse=ENC.query("compression"))
    assert set(texts(hits)) == {
        "compression ratio and threshold",
        "compression on the drum bus",
        "compression handout page",
    }


def test_dense_ranks_the_nearest_first(filled) -> None:
    assert texts(filled.search(SearchFilter("a"), 1, "dense", dense=vec(3))) == ["equalisation cuts and boosts"]


def test_hybrid_fuses_both_lists(filled) -> None:
    hits = filled.search(SearchFilter("a"), 10, "hybrid", dense=vec(3), sparse=ENC.query("compression"))
    found = texts(hits)
    assert "equalisation cuts and boosts" in found and "compression ratio and threshold" in found


def test_course_and_lesson_filters(filled) -> None:
    by_course = filled.search(SearchFilter("a", course_ids=["c2"]), 10, "sparse", sparse=ENC.query("compression"))
    assert texts(by_course) == ["compression on the drum bus"]
    by_lesson = filled.search(SearchFilter("a", lesson_ids=["l2"]), 10, "dense", dense=vec(1))
    assert texts(by_lesson) == ["equalisation cuts and boosts"]


def test_empty_allow_list_returns_nothing(filled) -> None:
    assert filled.search(SearchFilter("a", lesson_ids=[]), 10, "dense", dense=vec(1)) == []


def test_source_state_and_source_ids(filled) -> None:
    state = filled.source_state("a", "l1")
    assert sorted(p["position"] for p in state.values()) == [0, 1]
    assert "text" not in next(iter(state.values()))
    assert filled.source_ids("a", "c1") == {"l1", "l2", "doc1"}


def test_set_payload_and_delete(filled) -> None:
    pid = next(iter(filled.source_state("a", "l2")))
    filled.set_payload(pid, {"position": 7})
    assert filled.source_state("a", "l2")[pid]["position"] == 7
    filled.delete([pid])
    assert filled.source_state("a", "l2") == {}


def test_delete_source_by_lesson_removes_its_documents(filled) -> None:
    filled.set_payload(next(iter(filled.source_state("a", "doc1"))), {"lesson_id": "l2"})
    filled.delete_source("a", "l2")
    assert filled.source_ids("a", "c1") == {"l1"}
    assert filled.count("b") == 1


def test_count(filled) -> None:
    assert (filled.count("a"), filled.count("b"), filled.count()) == (5, 1, 6)


def test_update_sparse_keeps_payload_and_dense(filled) -> None:
    pid = next(iter(filled.source_state("a", "l2")))
    filled.update_sparse(pid, ENC.document("sidechain ducking"))
    assert texts(filled.search(SearchFilter("a"), 5, "sparse", sparse=ENC.query("sidechain"))) == [
        "equalisation cuts and boosts"
    ]
    assert texts(filled.search(SearchFilter("a"), 1, "dense", dense=vec(3))) == ["equalisation cuts and boosts"]
