"""Incremental ingestion: counts of embedded chunks prove that unchanged chunks are never
re-embedded, and a crash mid-way leaves nothing a re-run does not repair."""

from dataclasses import replace
from pathlib import Path

import pytest

from ingestion.loaders import load_markdown
from ingestion.pipeline import Ingestor
from ingestion.sources import Source
from rag.index import SearchFilter
from tests.retrieval_fixtures import CountingEmbedder, make_runtime

PARAS = [f"Section {i} talks about topic {i}: " + f"detail {i} " * 40 for i in range(6)]


def lesson(source_id: str, paragraphs: list[str], title: str = "Lesson") -> Source:
    body = "\n\n".join(f"## Part {i}\n{p}" for i, p in enumerate(paragraphs))
    return Source(
        source_id=source_id,
        kind="lesson",
        store_id="sto_a",
        course_id="crs_a",
        course_slug="course-a",
        module_id="mod_a",
        lesson_id=source_id,
        lesson_title=title,
        is_preview=False,
        drip_days=0,
        document=load_markdown(body, title),
    )


@pytest.fixture
def counting(tmp_path: Path):
    embedder = CountingEmbedder()
    rt = make_runtime(tmp_path / "index", embedder)
    yield rt, embedder
    rt.close()


def test_first_sync_embeds_every_chunk(counting) -> None:
    rt, embedder = counting
    stats = Ingestor(rt).sync_source(lesson("lsn_1", PARAS))
    assert stats.embedded == stats.chunks == embedder.embedded > 0
    assert rt.index.count("sto_a") == stats.chunks


def test_unchanged_source_is_not_re_embedded(counting) -> None:
    rt, embedder = counting
    ingestor = Ingestor(rt)
    ingestor.sync_source(lesson("lsn_1", PARAS))
    before = embedder.embedded
    stats = ingestor.sync_source(lesson("lsn_1", PARAS))
    assert (stats.embedded, stats.deleted, embedder.embedded) == (0, 0, before)
    assert stats.reused == stats.chunks


def test_edit_re_embeds_only_the_changed_chunk(counting) -> None:
    rt, embedder = counting
    ingestor = Ingestor(rt)
    first = ingestor.sync_source(lesson("lsn_1", PARAS))
    edited = [*PARAS]
    edited[3] = "A completely rewritten third part about sidechain compression."
    before = embedder.embedded
    stats = ingestor.sync_source(lesson("lsn_1", edited))
    assert stats.embedded == embedder.embedded - before == 1
    assert stats.deleted >= 1
    assert rt.index.count("sto_a") == stats.chunks
    assert stats.chunks <= first.chunks


def test_title_change_updates_text_and_payload(counting) -> None:
    rt, _ = counting
    ingestor = Ingestor(rt)
    ingestor.sync_source(lesson("lsn_1", PARAS[:1], title="Old"))
    ingestor.sync_source(lesson("lsn_1", PARAS[:1], title="New"))
    titles = {p["lesson_id"] for p in rt.index.source_state("sto_a", "lsn_1").values()}
    assert titles == {"lsn_1"}
    hits = rt.index.search(_flt(), 5, "sparse", sparse=rt.encoder.query("detail"))
    assert {h.payload["lesson_title"] for h in hits} == {"New"}


def test_moving_a_lesson_updates_payload_without_re_embedding(counting) -> None:
    rt, embedder = counting
    ingestor = Ingestor(rt)
    ingestor.sync_source(lesson("lsn_1", PARAS[:2]))
    before = embedder.embedded
    moved = replace(lesson("lsn_1", PARAS[:2]), module_id="mod_b", is_preview=True)
    stats = ingestor.sync_source(moved)
    assert stats.embedded == 0 and embedder.embedded == before
    hits = rt.index.search(_flt(), 10, "sparse", sparse=rt.encoder.query("topic"))
    assert {(h.payload["module_id"], h.payload["access"]) for h in hits} == {("mod_b", "preview")}


def test_removed_source_leaves_the_index(counting) -> None:
    rt, _ = counting
    ingestor = Ingestor(rt)
    ingestor.sync_course("sto_a", "crs_a", [lesson("lsn_1", PARAS[:2]), lesson("lsn_2", PARAS[2:4])], complete=True)
    stats = ingestor.sync_course("sto_a", "crs_a", [lesson("lsn_1", PARAS[:2])], complete=True)
    assert stats.deleted > 0
    assert rt.index.source_ids("sto_a", "crs_a") == {"lsn_1"}


def test_crash_mid_ingestion_is_repaired_by_a_re_run(tmp_path: Path) -> None:
    sources = [lesson(f"lsn_{i}", PARAS) for i in range(3)]
    crashing = CountingEmbedder(fail_after=8)
    rt = make_runtime(tmp_path / "index", crashing)
    with pytest.raises(RuntimeError, match="simulated crash"):
        Ingestor(rt).sync_course("sto_a", "crs_a", sources, complete=True)
    partial = rt.index.count("sto_a")
    rt.close()

    healthy = CountingEmbedder()
    rt = make_runtime(tmp_path / "index", healthy)  # a new process on the same shard
    stats = Ingestor(rt).sync_course("sto_a", "crs_a", sources, complete=True)
    assert stats.reused == partial and stats.embedded == stats.chunks - partial
    assert rt.index.count("sto_a") == stats.chunks
    again = Ingestor(rt).sync_course("sto_a", "crs_a", sources, complete=True)
    assert again.embedded == 0
    rt.close()


def test_a_second_process_cannot_open_the_same_shard(tmp_path: Path) -> None:
    from rag.index import IndexLocked

    rt = make_runtime(tmp_path / "index")
    with pytest.raises(IndexLocked, match="open in another process"):
        make_runtime(tmp_path / "index")
    rt.close()


def _flt() -> SearchFilter:
    return SearchFilter("sto_a")


def test_neighbours_of_an_edit_get_new_sparse_vectors_but_no_new_embedding(counting) -> None:
    rt, embedder = counting
    ingestor = Ingestor(rt)
    ingestor.sync_source(lesson("lsn_1", PARAS))
    before_state = rt.index.source_state("sto_a", "lsn_1")
    edited = [*PARAS]
    edited[3] = "Parallel compression blends a crushed copy under the dry drums."
    embedded_before = embedder.embedded
    ingestor.sync_source(lesson("lsn_1", edited))
    assert embedder.embedded - embedded_before == 1
    after_state = rt.index.source_state("sto_a", "lsn_1")
    kept = set(before_state) & set(after_state)
    changed_sparse = {pid for pid in kept if before_state[pid]["sparse_hash"] != after_state[pid]["sparse_hash"]}
    assert changed_sparse, "the neighbours of the edited chunk carry its words in their BM25 window"
    hits = rt.index.search(_flt(), 10, "sparse", sparse=rt.encoder.query("parallel crushed drums"))
    assert len({h.id for h in hits} & changed_sparse) >= 1
