"""Marketing tools: the claim check, which every marketing draft passes through before a creator
approves it (and which outside agents may call on their own copy): each promise in the text matched
against the course it sells (`rag.claims`), with the nearest lesson for each."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from core.principal import COURSES_READ
from courses import catalog
from courses.models import Module
from rag.claims import check
from rag.retriever import Retriever
from tools.base import ToolContext, ToolInput, ToolUnavailable
from tools.declare import ToolSet

TOOLS = ToolSet("marketing")


class CheckClaimsIn(ToolInput):
    course_id: str
    text: str = Field(min_length=1, max_length=20_000, description="The marketing copy: an email, a post, a script.")


class ClaimOut(BaseModel):
    text: str
    kind: str = Field(description="topic (what is taught) or count (how much)")
    supported: bool
    reason: str
    lesson_id: str | None = Field(description="The nearest lesson.")
    lesson_title: str | None
    url: str | None
    evidence: str | None = Field(description="The nearest passage, shortened.")


class CheckClaimsOut(BaseModel):
    course_id: str
    claims: list[ClaimOut]
    unsupported: int


@TOOLS.tool(scopes=(COURSES_READ,))
def check_claims(ctx: ToolContext, args: CheckClaimsIn) -> CheckClaimsOut:
    """Check each promise in marketing copy against the course; unsupported ones come with the nearest lesson."""
    if ctx.retrieval is None:
        raise ToolUnavailable("the claim check needs the course index, which this process does not hold")
    retriever, embedder = Retriever(ctx.retrieval), ctx.retrieval.embedder
    with ctx.transaction() as session:
        catalog.course_in_store(session, ctx.principal, args.course_id)
        modules = session.scalar(select(func.count(Module.id)).where(Module.course_id == args.course_id)) or 0
        counts = {"lessons": catalog.lesson_count(session, args.course_id), "modules": modules}
        verdicts = check(
            args.text, lambda q: retriever.search(session, ctx.principal, q, args.course_id, 4), embedder.embed, counts
        )
    claims = [ClaimOut.model_validate(v, from_attributes=True) for v in verdicts]
    return CheckClaimsOut(course_id=args.course_id, claims=claims, unsupported=sum(not c.supported for c in claims))
