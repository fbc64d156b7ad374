"""The typed shape of a study document. Every claim-bearing block carries the numbers of the
sources (lessons) it comes from, so the renderer can print them and a checker can verify them;
a document is only valid when each cited number names one of its sources."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Text = Annotated[str, Field(min_length=1, max_length=2000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]
Cites = Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=6)]


class Block(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Term(Block):
    type: Literal["term"] = "term"
    term: Short
    definition: Text
    cites: Cites


class Point(Block):
    """A rule, fact or step stated in one sentence."""

    type: Literal["point"] = "point"
    text: Text
    cites: Cites


class Table(Block):
    type: Literal["table"] = "table"
    caption: Short
    columns: Annotated[list[Short], Field(min_length=2, max_length=6)]
    rows: Annotated[list[list[Annotated[str, Field(max_length=300)]]], Field(min_length=1, max_length=40)]
    cites: Cites

    @model_validator(mode="after")
    def _rows_fit_columns(self) -> Table:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"row {number} has {len(row)} cells for {len(self.columns)} columns")
        return self


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: Short
    blocks: Annotated[list[Term | Point | Table], Field(min_length=1, max_length=60)]


class Source(BaseModel):
    """A lesson the document draws on; `n` is what blocks cite."""

    model_config = ConfigDict(extra="forbid")

    n: Annotated[int, Field(ge=1)]
    lesson_id: Short
    title: Short
    url: Annotated[str | None, Field(max_length=500)] = None


class StudyDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["cheat_sheet", "reference_guide"]
    title: Short
    subtitle: Annotated[str, Field(max_length=300)] = ""
    sections: Annotated[list[Section], Field(min_length=1, max_length=40)]
    sources: Annotated[list[Source], Field(min_length=1, max_length=200)]

    @model_validator(mode="after")
    def _cites_name_sources(self) -> StudyDocument:
        known = {s.n for s in self.sources}
        if len(known) != len(self.sources):
            raise ValueError("source numbers must be unique")
        for section in self.sections:
            for block in section.blocks:
                missing = sorted(set(block.cites) - known)
                if missing:
                    raise ValueError(f"section {section.heading!r} cites unknown source(s) {missing}")
        return self

    def cited_sources(self) -> list[Source]:
        used = {n for section in self.sections for block in section.blocks for n in block.cites}
        return [s for s in self.sources if s.n in used]
