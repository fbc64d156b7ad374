"""Search over course content, re-indexing, document uploads and ingestion job status."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import File, Form, Request, Response, UploadFile
from pydantic import Field

from api.deps import DB, Caller, app_context
from api.routing import v1_router
from api.schemas import Input, Output
from core.principal import COURSES_WRITE
from courses import catalog
from ingestion import documents, jobs
from ingestion.models import IngestionJob
from rag.retriever import Retriever
from rag.runtime import get_runtime

router = v1_router(tags=["retrieval"])


class SearchIn(Input):
    query: str = Field(min_length=1, max_length=1000)
    course_id: str | None = None
    limit: int = Field(default=5, ge=1, le=20)
    mode: Literal["hybrid", "dense", "sparse"] = "hybrid"

    model_config = {
        "json_schema_extra": {"examples": [{"query": "What is a cadence?", "course_id": "crs_…", "limit": 5}]}
    }


class CitationOut(Output):
    course_id: str
    course_slug: str
    lesson_id: str
    lesson_title: str
    heading: str
    heading_path: list[str]
    anchor: str | None
    url: str
    start_s: float | None
    end_s: float | None
    source_kind: str
    document_title: str | None


class PassageOut(Output):
    text: str
    score: float
    citation: CitationOut


class SearchOut(Output):
    query: str
    passages: list[PassageOut]


class JobOut(Output):
    id: str
    course_id: str
    reason: str
    status: str
    processed: int
    total: int
    chunks: int
    embedded: int
    reused: int
    deleted: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class DocumentOut(Output):
    id: str
    lesson_id: str
    filename: str
    kind: str
    title: str
    size_bytes: int
    created_at: datetime


class UploadOut(Output):
    document: DocumentOut
    job: JobOut | None
    created: bool


@router.post("/search", response_model=SearchOut, summary="Search the course content you may read")
def search(body: SearchIn, caller: Caller, session: DB, request: Request) -> SearchOut:
    runtime = get_runtime(app_context(request).settings)
    passages = Retriever(runtime).search(session, caller, body.query, body.course_id, body.limit, body.mode)
    return SearchOut(
        query=body.query,
        passages=[
            PassageOut(text=p.text, score=p.score, citation=CitationOut.model_validate(p.citation)) for p in passages
        ],
    )


@router.post("/courses/{course_id}/reindex", status_code=202, response_model=JobOut, summary="Re-index a course")
def reindex(course_id: str, caller: Caller, session: DB) -> JobOut:
    caller.require(COURSES_WRITE)
    course = catalog.readable_course(session, caller, course_id)
    return JobOut.model_validate(jobs.request_index(session, course.store_id, course.id, reason="reindex"))


@router.post(
    "/courses/{course_id}/documents",
    status_code=202,
    response_model=UploadOut,
    summary="Attach a file (md, html, pdf, txt, vtt, srt) to a lesson and index it",
)
def upload(
    course_id: str,
    caller: Caller,
    session: DB,
    request: Request,
    response: Response,
    file: Annotated[UploadFile, File(description="The file to attach.")],
    lesson_id: Annotated[str, Form(description="The lesson the file belongs to.")],
) -> UploadOut:
    limit = app_context(request).settings.max_upload_bytes
    data = file.file.read(limit + 1)
    result = documents.add_document(
        session, caller, course_id, lesson_id, file.filename or "upload", data, file.content_type, limit
    )
    if not result.created:
        response.status_code = 200
    return UploadOut(
        document=DocumentOut.model_validate(result.document),
        job=JobOut.model_validate(result.job) if result.job else None,
        created=result.created,
    )


@router.get("/lessons/{lesson_id}/documents", response_model=list[DocumentOut], summary="Files attached to a lesson")
def lesson_documents(lesson_id: str, caller: Caller, session: DB) -> list[DocumentOut]:
    return [DocumentOut.model_validate(d) for d in documents.list_documents(session, caller, lesson_id)]


@router.delete("/documents/{document_id}", response_model=JobOut, status_code=202, summary="Remove a file")
def delete_document(document_id: str, caller: Caller, session: DB) -> JobOut:
    return JobOut.model_validate(documents.delete_document(session, caller, document_id))


@router.get("/ingestion-jobs/{job_id}", response_model=JobOut, summary="Progress of an indexing job")
def job_status(job_id: str, caller: Caller, session: DB) -> JobOut:
    job: IngestionJob = jobs.get_job(session, caller, job_id)
    return JobOut.model_validate(job)
