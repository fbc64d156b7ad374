"""The PDF is real: parsed back with pypdf for its pages, headings and citations."""

from io import BytesIO

from pypdf import PdfReader

from media.documents.model import Point
from media.documents.render import render_html, render_pdf
from tests.media.documents.factories import document, section


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(pdf))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_cheat_sheet_pdf_holds_its_headings_citations_and_sources() -> None:
    pages, text = _text(render_pdf(document()))
    assert pages == 1
    for expected in ("Music theory: cheat sheet", "Cadences", "Authentic cadence", "[1]", "[2]", "Sources", "Lesson 2"):
        assert expected in text


def test_reference_guide_starts_each_section_on_a_page() -> None:
    doc = document("reference_guide", sections=[section("Cadences"), section("Phrases"), section("Meter")])
    pages, text = _text(render_pdf(doc))
    assert pages == 3 and "page 3 of 3" in text


def test_model_text_is_escaped_not_markup() -> None:
    doc = document(sections=[section(blocks=[Point(text='<img src="http://evil.example/x.png"> & more', cites=[1])])])
    html = render_html(doc)
    assert "<img" not in html and "&lt;img" in html
    assert "& more" in _text(render_pdf(doc))[1]


def test_sources_keep_their_numbers() -> None:
    html = render_html(document())
    assert '<li value="1"><a href="http://127.0.0.1:8000/l/1">Lesson 1</a></li>' in html
