"""Marketing tools: the claim check, which every marketing draft passes through before a creator
approves it (and which outside agents may call on their own copy): each promise in the text matched
against the course it sells (`rag.claims`), with the nearest lesson for each."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from core import export_hooks
from core.models import Store
from core.principal import COURSES_READ, COURSES_WRITE
from core.storage.factory import make_storage_provider
from courses import artifacts, catalog
from courses.models import Module
from rag.claims import check
from rag.retriever import Retriever
from tools.base import ToolContext, ToolInput, ToolUnavailable
from tools.declare import ActionInput, ToolSet
from tools.documents import ArtifactRef, artifact_ref

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


class PostIn(BaseModel):
    platform: Literal["x_thread", "linkedin", "instagram", "tiktok"]
    parts: list[str] = Field(min_length=1, max_length=12, description="A thread's posts; one element otherwise.")
    score: int = Field(ge=0, le=100)
    reasons: list[str] = Field(default_factory=list, max_length=12)


class SavePostsIn(ActionInput):
    course_id: str
    title: str = Field(min_length=1, max_length=200)
    posts: list[PostIn] = Field(min_length=1, max_length=12)


LABELS = {"x_thread": "X thread", "linkedin": "LinkedIn", "instagram": "Instagram caption", "tiktok": "TikTok / Reels"}


def posts_markdown(args: SavePostsIn) -> str:
    """The posts as one Markdown file the creator copies from: each with its score and reasons."""
    out = [f"# {args.title}", ""]
    for post in args.posts:
        out += [f"## {LABELS[post.platform]} (virality {post.score}/100)", ""]
        for n, part in enumerate(post.parts, 1):
            out += [(f"{n}/{len(post.parts)} " if len(post.parts) > 1 else "") + part.strip(), ""]
        out += ["Why this score:", *[f"- {r}" for r in post.reasons], ""]
    return "\n".join(out)


class SavedPosts(ArtifactRef):
    exported: bool = Field(description="Sent to the store's export webhook (queued; retried, with a stable id).")


@TOOLS.tool(scopes=(COURSES_WRITE,), side_effect="write")
def save_social_posts(ctx: ToolContext, args: SavePostsIn) -> SavedPosts:
    """Save social posts for a course (with their scores and reasons) as a Markdown file to copy from;
    with an export webhook set on the store, they are also sent there for a scheduler to publish."""
    with ctx.transaction() as session:
        saved = artifacts.save_artifact(
            session, ctx.principal, make_storage_provider(ctx.settings), course_id=args.course_id, kind="social_posts",
            title=args.title, data=posts_markdown(args).encode(), content_type="text/markdown", run_id=ctx.run_id,
        )  # fmt: skip
        ref = artifact_ref(saved, current=True)
        store = session.get(Store, saved.store_id)
        assert store is not None
        data = {"course_id": args.course_id, "title": args.title, "artifact": ref.model_dump(mode="json"),
                "posts": [p.model_dump() for p in args.posts]}  # fmt: skip
        exported = export_hooks.queue_export(session, store, f"posts_{saved.id}", export_hooks.EXPORT_EVENTS[0], data)
        return SavedPosts(**ref.model_dump(), exported=exported)
