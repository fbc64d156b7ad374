import pytest
from pydantic import ValidationError

from media.documents.model import Point, Table
from tests.media.documents.factories import document, section, sources


def test_a_citation_must_name_a_source() -> None:
    with pytest.raises(ValidationError, match=r"cites unknown source\(s\) \[3\]"):
        document(sections=[section(blocks=[Point(text="Made up.", cites=[3])])])


def test_a_claim_without_a_citation_is_refused() -> None:
    with pytest.raises(ValidationError, match="cites"):
        Point(text="Unsupported.", cites=[])


def test_table_rows_must_fit_the_columns() -> None:
    with pytest.raises(ValidationError, match="row 2 has 1 cells for 2 columns"):
        Table(caption="T", columns=["a", "b"], rows=[["1", "2"], ["3"]], cites=[1])


def test_source_numbers_are_unique() -> None:
    with pytest.raises(ValidationError, match="unique"):
        document(sources=sources(1) + sources(1))


def test_cited_sources_are_those_a_block_names() -> None:
    doc = document(sections=[section(blocks=[Point(text="Only one.", cites=[2])])], sources=sources(3))
    assert [s.n for s in doc.cited_sources()] == [2]
