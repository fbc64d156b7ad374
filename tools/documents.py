"""Document tools for creators: save a cheat sheet or reference guide of a course as a PDF artifact
(rendered here from the typed document, so what is stored is what was checked), and list a
course's artifacts. Saving the same document again returns the same version."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import select

from core.errors import invalid
from core.principal import COURSES_READ, COURSES_WRITE
from core.storage.factory import make_storage_provider
from courses import artifacts, catalog
from courses.models import Artifact, Lesson
from media.documents.model import StudyDocument
from media.documents.render import render_pdf
from tools.base import ToolContext, ToolInput
from tools.declare import ActionInput, ToolSet

__all__ = ["TOOLS", "StudyDocument"]  # agents read the document model through this door

TOOLS = ToolSet("documents")
PDF = "application/pdf"


class ArtifactRef(BaseModel):
    artifact_id: str
    course_id: str | None
    lesson_id: str | None = Field(default=None, description="The lesson it belongs to (a narration).")
    kind: str
    title: str
    version: int
    size: int
    url: str = Field(description="Where the file downloads (same access rules as the course).")
    current: bool | None = Field(default=None, description="Made from the course as it is now.")


def artifact_ref(artifact: Artifact, current: bool | None = None) -> ArtifactRef:
    return ArtifactRef(
        artifact_id=artifact.id,
        course_id=artifact.course_id,
        lesson_id=artifact.lesson_id,
        kind=artifact.kind,
        title=artifact.title,
        version=artifact.version,
        size=artifact.size,
        url=artifacts.file_url(artifact.id),
        current=current,
    )


class SaveDocumentIn(ActionInput):
    course_id: str
    document: StudyDocument


class SavePreview(BaseModel):
    course_id: str
    kind: str
    title: str
    sections: int
    sources: int


def _check_sources(ctx: ToolContext, args: SaveDocumentIn) -> None:
    """Every source must be a lesson of this course: a document cannot cite another course's text."""
    wanted = {s.lesson_id for s in args.document.sources}
    with ctx.transaction() as session:
        catalog.readable_course(session, ctx.principal, args.course_id)
        query = select(Lesson.id).where(Lesson.course_id == args.course_id, Lesson.id.in_(wanted))
        found = set(session.scalars(query))
    unknown = sorted(wanted - found)
    if unknown:
        raise invalid("document.sources", f"not lessons of this course: {', '.join(unknown)}")


def _preview_save(ctx: ToolContext, args: SaveDocumentIn) -> SavePreview:
    _check_sources(ctx, args)
    return SavePreview(
        course_id=args.course_id,
        kind=args.document.kind,
        title=args.document.title,
        sections=len(args.document.sections),
        sources=len(args.document.sources),
    )


@TOOLS.tool(scopes=(COURSES_WRITE,), side_effect="write", preview=_preview_save)
def save_study_document(ctx: ToolContext, args: SaveDocumentIn) -> ArtifactRef:
    """Render a cheat sheet or reference guide of a course to PDF and attach it to the course as a new version."""
    _check_sources(ctx, args)
    pdf = render_pdf(args.document)
    with ctx.transaction() as session:
        artifact = artifacts.save_artifact(
            session,
            ctx.principal,
            make_storage_provider(ctx.settings),
            course_id=args.course_id,
            kind=args.document.kind,
            title=args.document.title,
            data=pdf,
            content_type=PDF,
            run_id=ctx.run_id,
            source_fingerprint=artifacts.course_fingerprint(session, ctx.principal, args.course_id),
        )
        return artifact_ref(artifact, current=True)


class ListArtifactsIn(ToolInput):
    course_id: str | None = None
    kind: str | None = Field(default=None, description=f"One of {', '.join(artifacts.KINDS)}.")


class ArtifactList(BaseModel):
    artifacts: list[ArtifactRef]


@TOOLS.tool(scopes=(COURSES_READ,))
def list_artifacts(ctx: ToolContext, args: ListArtifactsIn) -> ArtifactList:
    """The files made for your courses (cheat sheets, guides), newest first, each saying if its course changed since."""
    with ctx.transaction() as session:
        found = artifacts.list_artifacts(session, ctx.principal, args.course_id, args.kind)
        prints: dict[str, str] = {}
        refs = []
        for a in found:
            if a.course_id is not None and a.course_id not in prints:
                prints[a.course_id] = artifacts.course_fingerprint(session, ctx.principal, a.course_id)
            current = (
                None
                if a.course_id is None or a.source_fingerprint is None
                else a.source_fingerprint == prints[a.course_id]
            )
            refs.append(artifact_ref(a, current))
        return ArtifactList(artifacts=refs)
