"""The web pages: the chat page at `/` (static, plain ES modules, no build step) and the lesson view
that citations link to. Pages answer in HTML, errors included, since a person reads them."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy.orm import Session

from api.deps import DB, current_principal
from api.pages.html import page, render_markdown
from core.errors import AppError, NotFound
from core.principal import Principal
from courses import artifacts, catalog

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent / "static"


@router.get("/")
def chat_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


@router.get("/invitations/{token}")
def invitation_page(token: str) -> FileResponse:
    """The page an invitation link opens; its script reads the token from the address."""
    return FileResponse(STATIC / "invite.html", headers={"Cache-Control": "no-store"})


@router.get("/courses/{slug}/lessons/{lesson_id}", response_class=HTMLResponse)
def lesson_page(slug: str, lesson_id: str, request: Request, session: DB) -> HTMLResponse:
    next_path = quote(request.url.path)
    try:
        principal = current_principal(request, session)
    except AppError:
        body = f'<h1>Log in to read this lesson</h1><p><a href="/?next={next_path}">Log in</a>, then come back.</p>'
        return HTMLResponse(page("Log in", body), status_code=401)
    try:
        course = catalog.course_by_slug(session, principal, slug)
        lesson = catalog.read_lesson(session, principal, lesson_id)
        if lesson.course_id != course.id:
            raise NotFound(f"lesson '{lesson_id}' not found in course '{slug}'")
    except AppError as exc:
        body = f"<h1>{escape(exc.title)}</h1><p>{escape(exc.detail)}</p>"
        return HTMLResponse(page(exc.title, body), status_code=exc.status)
    titled = lesson.body_md.lstrip().startswith("# ")  # the body brings its own title heading
    header = f'<p class="crumbs">{escape(course.title)}</p>' + ("" if titled else f"<h1>{escape(lesson.title)}</h1>")
    footer = f'<footer class="attribution">{escape(course.attribution)}</footer>' if course.attribution else ""
    article = f'<article aria-label="{escape(lesson.title)}">{render_markdown(lesson.body_md)}</article>'
    narration = artifacts.latest_for_lesson(session, principal, lesson.id, "audio")
    player = (
        f'<figure class="narration"><figcaption>Listen to this lesson</figcaption>'
        f'<audio controls preload="none" src="{artifacts.file_url(narration.id)}"></audio></figure>'
        if narration
        else ""
    )
    video = video_of(session, principal, lesson.id)
    return HTMLResponse(page(f"{lesson.title} · {course.title}", header + video + player + article + footer))


def video_of(session: Session, principal: Principal, lesson_id: str) -> str:
    """The lesson's newest video, with its captions as a track (the same file the index reads)."""
    video = artifacts.latest_for_lesson(session, principal, lesson_id, "video")
    if video is None:
        return ""
    captions = artifacts.latest_for_lesson(session, principal, lesson_id, "captions")
    track = (f'<track kind="captions" srclang="en" label="English" default src="{artifacts.file_url(captions.id)}">'
             if captions else "")  # fmt: skip
    return (f'<figure class="lesson-video"><video controls preload="metadata" src="{artifacts.file_url(video.id)}">'
            f"{track}</video><figcaption>{escape(video.title)}</figcaption></figure>")  # fmt: skip
