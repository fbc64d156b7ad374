"""Artifacts agents made (cheat-sheet PDFs, outlines): list, describe, download, with the course's
access rules (`courses/artifacts.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request, Response

from api.deps import DB, Caller, Context
from api.routing import v1_router
from api.schemas import Output
from courses import artifacts
from courses.models import Artifact

router = v1_router(tags=["artifacts"])

Kind = Annotated[str | None, Query(max_length=32, description=f"One of {', '.join(artifacts.KINDS)}.")]
CourseFilter = Annotated[str | None, Query(max_length=40, description="Only this course's artifacts.")]


class ArtifactOut(Output):
    id: str
    course_id: str | None
    lesson_id: str | None
    kind: str
    title: str
    version: int
    content_type: str
    size: int
    content_hash: str
    run_id: str | None
    created_at: datetime
    url: str


def artifact_out(a: Artifact) -> ArtifactOut:
    return ArtifactOut(
        id=a.id,
        course_id=a.course_id,
        lesson_id=a.lesson_id,
        kind=a.kind,
        title=a.title,
        version=a.version,
        content_type=a.content_type,
        size=a.size,
        content_hash=a.content_hash,
        run_id=a.run_id,
        created_at=a.created_at,
        url=artifacts.file_url(a.id),
    )


class ArtifactList(Output):
    data: list[ArtifactOut]


@router.get(
    "/artifacts",
    response_model=ArtifactList,
    summary="List artifacts",
    description="Newest first. Creators see every version; learners the latest study guides and lesson media, for "
    "courses they are enrolled in (never the creator's outlines or social posts).",
)
def list_artifacts(caller: Caller, session: DB, course_id: CourseFilter = None, kind: Kind = None) -> ArtifactList:
    return ArtifactList(data=[artifact_out(a) for a in artifacts.list_artifacts(session, caller, course_id, kind)])


@router.get("/artifacts/{artifact_id}", response_model=ArtifactOut, summary="Describe one artifact")
def get_artifact(artifact_id: str, caller: Caller, session: DB) -> ArtifactOut:
    return artifact_out(artifacts.get_artifact(session, caller, artifact_id))


@router.get(
    "/artifacts/{artifact_id}/file",
    summary="Download an artifact",
    description="The file itself (a PDF opens in the browser). `ETag` is its sha256; `If-None-Match` answers 304.",
    response_class=Response,
    responses={200: {"content": {c: {} for c in artifacts.CONTENT_TYPES}}, 304: {"description": "Not modified"}},
)
def download(artifact_id: str, caller: Caller, session: DB, context: Context, request: Request) -> Response:
    artifact = artifacts.get_artifact(session, caller, artifact_id)
    etag = f'"{artifact.content_hash}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=0, must-revalidate"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    file = artifacts.read_artifact(session, caller, context.objects, artifact_id)
    headers["Content-Disposition"] = f'inline; filename="{file.filename}"'
    return Response(file.data, media_type=artifact.content_type, headers=headers)
