from ingestion.chunking import chunk_document, clean
from ingestion.loaders import load, load_markdown
from tests.files import VTT
from tests.retrieval_fixtures import shared_model

LONG = "\n\n".join(f"Paragraph {i}. " + "Compression shapes the envelope of a sound. " * 12 for i in range(8))


def test_every_chunk_fits_the_token_bound() -> None:
    model = shared_model()
    doc = load_markdown(f"# Dynamics\n## Compression\n{LONG}\n## A very long sentence\n{'word ' * 900}", "Dynamics")
    chunks = chunk_document(doc, model.count_tokens, 120)
    assert len(chunks) > 5
    assert all(model.count_tokens(c.embed_text) <= 120 for c in chunks)


def test_chunks_carry_title_and_heading_path() -> None:
    model = shared_model()
    doc = load_markdown(f"# Dynamics\n## Compression\n{LONG}", "Dynamics")
    chunks = chunk_document(doc, model.count_tokens, 120)
    assert all(c.heading_path == ("Dynamics", "Compression") for c in chunks)
    assert all(c.embed_text.startswith("Dynamics > Compression\n") for c in chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_small_sections_are_packed_and_cited_at_the_first_heading() -> None:
    model = shared_model()
    doc = load_markdown("# L\n## A\nshort a\n## B\nshort b", "L")
    (chunk,) = chunk_document(doc, model.count_tokens, 120)
    assert chunk.anchor == "a" and "short a" in chunk.body and "B" in chunk.body and "short b" in chunk.body


def test_transcript_chunks_keep_time_ranges() -> None:
    model = shared_model()
    chunks = chunk_document(load("s.vtt", VTT), model.count_tokens, 120)
    assert (chunks[0].start_s, chunks[-1].end_s) == (1.0, 75.0)
    assert chunks[0].anchor == "t=1"


def test_clean_drops_link_targets_and_markup() -> None:
    text = "See ![diagram](img/a.png) and [the docs](https://x.io/a) <br> {{ site.url }} https://y.io/b end"
    assert clean(text) == "See diagram and the docs end"


def test_content_hash_changes_with_text_and_model() -> None:
    model = shared_model()
    a = chunk_document(load_markdown("body one", "T"), model.count_tokens)[0]
    b = chunk_document(load_markdown("body two", "T"), model.count_tokens)[0]
    assert a.content_hash("m1") != b.content_hash("m1")
    assert a.content_hash("m1") != a.content_hash("m2")
