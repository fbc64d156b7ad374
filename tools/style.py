"""Style tools: the creator's style notes, which the creator agents read before drafting and add
to when a creator edits a draft they accept."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.principal import COURSES_WRITE
from courses import style
from tools.base import ToolContext, ToolInput
from tools.declare import ActionInput, ToolSet

TOOLS = ToolSet("courses")


class StyleIn(ToolInput):
    kind: str = Field(description="outline, lesson or study_document")


class StyleOut(BaseModel):
    kind: str
    notes: list[str]


@TOOLS.tool(scopes=(COURSES_WRITE,))
def get_style_notes(ctx: ToolContext, args: StyleIn) -> StyleOut:
    """Your style notes for a kind of draft, newest first."""
    with ctx.transaction() as session:
        return StyleOut(kind=args.kind, notes=style.notes(session, ctx.principal, args.kind))


class AddStyleIn(ActionInput):
    kind: str = Field(description="outline, lesson or study_document")
    notes: list[str] = Field(min_length=1, max_length=8)


@TOOLS.tool(scopes=(COURSES_WRITE,), side_effect="write")
def add_style_notes(ctx: ToolContext, args: AddStyleIn) -> StyleOut:
    """Remember style notes for a kind of draft (a note said again is refreshed, not repeated)."""
    with ctx.transaction() as session:
        return StyleOut(kind=args.kind, notes=style.remember(session, ctx.principal, args.kind, args.notes))
