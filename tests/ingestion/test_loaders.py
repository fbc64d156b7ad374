import pytest

from core.errors import BadRequest
from ingestion.loaders import load, load_markdown, slug_anchor
from tests.conftest import DATASETS
from tests.files import HTML, SRT, VTT, make_pdf


def test_markdown_sections_follow_headings() -> None:
    doc = load_markdown("# Mixing\nintro\n## EQ\ncut first\n### Low end\nhigh-pass\n## Compression\nratio", "Mixing")
    assert [(s.heading_path, s.anchor, s.text) for s in doc.sections] == [
        (["Mixing"], "mixing", "intro"),
        (["Mixing", "EQ"], "eq", "cut first"),
        (["Mixing", "EQ", "Low end"], "low-end", "high-pass"),
        (["Mixing", "Compression"], "compression", "ratio"),
    ]


def test_markdown_ignores_headings_inside_code_fences() -> None:
    doc = load_markdown("## Code\n```\n# not a heading\n```\nafter", "T")
    assert len(doc.sections) == 1 and "# not a heading" in doc.sections[0].text


def test_markdown_setext_headings_and_front_matter() -> None:
    doc = load_markdown("---\ntitle: x\n---\nIntro\n\nPart One\n--------\nbody", "T")
    assert [s.heading_path for s in doc.sections] == [["T"], ["T", "Part One"]]


def test_anchor_matches_github_style() -> None:
    assert slug_anchor("What is ML? (Part 2)") == "what-is-ml-part-2"


def test_real_lesson_from_shared_dataset_loads() -> None:
    text = (DATASETS / "ml-for-beginners/2-Regression/4-Logistic/README.md").read_bytes()
    doc = load("README.md", text)
    assert doc.kind == "markdown"
    assert any("logistic" in " ".join(s.heading_path).lower() for s in doc.sections)
    assert len(doc.sections) > 5


def test_html_keeps_main_text_only() -> None:
    doc = load("page.html", HTML)
    text = " ".join(s.text for s in doc.sections)
    assert doc.title == "Reverb basics"
    assert "Pre-delay separates" in text and "Long halls" in text
    assert "tracking code" not in text and "Login" not in text and "Copyright" not in text
    assert ["Reverb basics", "Pre-delay"] in [s.heading_path for s in doc.sections]


def test_pdf_pages_become_sections() -> None:
    doc = load("handout.pdf", make_pdf(["Gain staging matters", "Leave headroom"], title="Handout"))
    assert doc.title == "Handout"
    assert [(s.anchor, s.text) for s in doc.sections] == [
        ("page-1", "Gain staging matters"),
        ("page-2", "Leave headroom"),
    ]


def test_vtt_keeps_timestamps_and_strips_tags() -> None:
    doc = load("session.vtt", VTT)
    assert [(s.start_s, s.end_s) for s in doc.sections] == [(1.0, 4.5), (4.5, 9.0), (70.25, 75.0)]
    assert doc.sections[1].text == "First we set the gain of every track."


def test_srt_keeps_timestamps() -> None:
    doc = load("talk.srt", SRT)
    assert [(s.start_s, s.text) for s in doc.sections] == [
        (0.0, "Hello and welcome."),
        (2.0, "Today: sidechain compression."),
    ]


def test_plain_text() -> None:
    assert load("notes.txt", b"one\n\ntwo").sections[0].text == "one\n\ntwo"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("song.mp3", b"ID3...", "unsupported file type"),
        ("empty.md", b"   \n", "empty"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF"),
        ("truncated.pdf", make_pdf(["x"])[:60], "not a readable PDF"),
        ("binary.txt", b"\xff\xfe\x00\x00\x80\x81", "UTF-8"),
        ("nocues.vtt", b"WEBVTT\n\nNOTE nothing here\n", "no cues"),
        ("noheader.vtt", b"00:00:01.000 --> 00:00:02.000\nhi\n", "WEBVTT"),
        ("badtime.srt", b"1\n00:00:xx,000 --> 00:00:02,000\nhi\n", "cue timing"),
        ("blank.pdf", make_pdf([" "]), "no readable text"),
    ],
)
def test_bad_files_are_refused_with_a_reason(name: str, data: bytes, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        load(name, data)
