"""Media tools: a lesson (or every lesson of a course) narrated to audio and attached to the lesson
as an artifact, for creators and for outside agents over MCP.

Narration is slow work (a second or two a lesson on espeak-ng, longer on ElevenLabs), so these tools
are `slow`: they read in one short transaction, make the audio with no transaction open, and save in
another; saving is idempotent by content, so a retried call finds the same version. A narration
knows what it was made from (the lesson's title, body, engine and voice): `current` says whether
the lesson changed since, and `refresh_narrations` brings changed lessons' audio up to date."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import select

from core.principal import COURSES_READ, COURSES_WRITE
from core.storage.factory import make_storage_provider
from courses import artifacts, catalog
from courses.models import Artifact, Lesson, Module
from media.audio import to_mp3
from media.cache import MediaCache
from media.progress import MediaError, Progress
from media.speech.base import sentences
from media.speech.factory import make_speech_provider, narrate
from media.speech.markdown import spoken
from tools.base import ToolContext, ToolInput
from tools.declare import ActionInput, ToolSet
from tools.documents import ArtifactRef, artifact_ref

__all__ = ["TOOLS", "MediaError", "Progress", "narrate_one", "script", "spoken"]  # agents' door to media
TOOLS = ToolSet("media")
MP3 = "audio/mpeg"
WORDS_PER_SECOND = 2.6  # for the preview's estimate (espeak-ng at 165 words a minute is 2.75)


def script(lesson: Lesson) -> str:
    """What a lesson's narration says: its title, then its prose."""
    return f"{lesson.title}.\n\n{spoken(lesson.body_md)}"


class NarrateLessonIn(ActionInput):
    lesson_id: str
    voice: str | None = Field(default=None, description="The engine's voice; default: the platform's.")


class NarrationPreview(BaseModel):
    lesson_id: str
    title: str
    characters: int
    estimated_seconds: float
    already_current: bool = Field(description="The lesson's narration is up to date: nothing would be made.")


class Narration(BaseModel):
    lesson_id: str
    artifact: ArtifactRef
    seconds: float | None = Field(description="How long it plays (None when it was already current).")
    made: bool = Field(description="False when the narration was already current.")


def _lesson(ctx: ToolContext, lesson_id: str) -> tuple[Lesson, str]:
    """The lesson (a creator's own) and its course id, read in a short transaction of its own."""
    with ctx.db.transaction() as session:
        lesson = catalog._lesson_in_store(session, ctx.principal, lesson_id)
        module = session.get(Module, lesson.module_id)
        assert module is not None
        session.expunge(lesson)
        return lesson, module.course_id


def _fingerprint(ctx: ToolContext, lesson: Lesson, voice: str | None) -> tuple[str, str]:
    engine = make_speech_provider(ctx.settings)
    chosen = voice or engine.default_voice
    return chosen, artifacts.lesson_fingerprint(lesson, engine.name, chosen)


def _current(ctx: ToolContext, lesson_id: str, fingerprint: str) -> Artifact | None:
    with ctx.db.transaction() as session:
        found = artifacts.latest_for_lesson(session, ctx.principal, lesson_id, "audio")
        if found is None or found.source_fingerprint != fingerprint:
            return None
        session.expunge(found)
        return found


def _preview(ctx: ToolContext, args: NarrateLessonIn) -> NarrationPreview:
    lesson, _ = _lesson(ctx, args.lesson_id)
    text = script(lesson)
    said = sentences(text, "lesson_id")
    _, fingerprint = _fingerprint(ctx, lesson, args.voice)
    words = sum(len(s.split()) for s in said)
    return NarrationPreview(
        lesson_id=lesson.id, title=lesson.title, characters=len(text),
        estimated_seconds=round(words / WORDS_PER_SECOND, 1),
        already_current=_current(ctx, lesson.id, fingerprint) is not None,
    )  # fmt: skip


def narrate_one(ctx: ToolContext, lesson_id: str, voice: str | None, progress: Progress | None = None) -> Narration:
    """Narrate one lesson unless its narration is current; the artifact either way."""
    lesson, course_id = _lesson(ctx, lesson_id)
    voice, fingerprint = _fingerprint(ctx, lesson, voice)
    found = _current(ctx, lesson.id, fingerprint)
    if found is not None:
        return Narration(lesson_id=lesson.id, artifact=artifact_ref(found, current=True), seconds=None, made=False)
    objects = make_storage_provider(ctx.settings)
    speech = narrate(make_speech_provider(ctx.settings), script(lesson), voice, MediaCache(objects),
                     progress or ctx.progress, field="lesson_id")  # fmt: skip
    audio = to_mp3(speech.wav)
    with ctx.db.transaction() as session:
        saved = artifacts.save_artifact(
            session, ctx.principal, objects, course_id=course_id, lesson_id=lesson.id, kind="audio",
            title=f"{lesson.title} (narration, voice {voice})", data=audio, content_type=MP3, run_id=ctx.run_id,
            source_fingerprint=fingerprint,
        )  # fmt: skip
        ref = artifact_ref(saved, current=True)
    return Narration(lesson_id=lesson.id, artifact=ref, seconds=round(speech.duration, 2), made=True)


@TOOLS.tool(scopes=(COURSES_WRITE,), side_effect="write", preview=_preview, slow=True)
def narrate_lesson(ctx: ToolContext, args: NarrateLessonIn) -> Narration:
    """Narrate a lesson to audio (MP3) and attach it to the lesson; a current narration is kept as it is."""
    return narrate_one(ctx, args.lesson_id, args.voice)


class NarrateCourseIn(ActionInput):
    course_id: str
    voice: str | None = Field(default=None, description="The engine's voice; default: the platform's.")


class CourseNarration(BaseModel):
    course_id: str
    narrations: list[Narration]
    made: int
    seconds: float = Field(description="The new narrations' length, together.")


class CourseNarrationPreview(BaseModel):
    course_id: str
    lessons: list[NarrationPreview]


def _lesson_ids(ctx: ToolContext, course_id: str) -> list[str]:
    with ctx.db.transaction() as session:
        catalog.course_in_store(session, ctx.principal, course_id)
        query = (
            select(Lesson.id).join(Module, Module.id == Lesson.module_id).where(Module.course_id == course_id)
            .order_by(Module.position, Lesson.position)
        )  # fmt: skip
        return list(session.scalars(query))


def _preview_course(ctx: ToolContext, args: NarrateCourseIn) -> CourseNarrationPreview:
    previews = [_preview(ctx, NarrateLessonIn(lesson_id=i, voice=args.voice)) for i in _lesson_ids(ctx, args.course_id)]
    return CourseNarrationPreview(course_id=args.course_id, lessons=previews)


@TOOLS.tool(scopes=(COURSES_WRITE,), side_effect="write", preview=_preview_course, slow=True)
def narrate_course(ctx: ToolContext, args: NarrateCourseIn) -> CourseNarration:
    """Narrate every lesson of a course, each attached to its lesson (current narrations are kept)."""
    ids = _lesson_ids(ctx, args.course_id)
    outer = ctx.progress or Progress()
    done = [narrate_one(ctx, i, args.voice, outer.part(n / len(ids), (n + 1) / len(ids))) for n, i in enumerate(ids)]
    seconds = sum(d.seconds or 0.0 for d in done)
    return CourseNarration(course_id=args.course_id, narrations=done, made=sum(d.made for d in done), seconds=seconds)


class LessonAudioIn(ToolInput):
    lesson_id: str
    voice: str | None = Field(default=None, description="The voice it should be in; default: the platform's.")


class LessonAudio(BaseModel):
    lesson_id: str
    artifact: ArtifactRef | None = Field(description="The newest narration, or None when there is none.")


@TOOLS.tool(scopes=(COURSES_READ,))
def lesson_audio(ctx: ToolContext, args: LessonAudioIn) -> LessonAudio:
    """A lesson's newest narration, saying whether it is current (made from the lesson as it is now)."""
    lesson, _ = _lesson(ctx, args.lesson_id)
    _, fingerprint = _fingerprint(ctx, lesson, args.voice)
    with ctx.db.transaction() as session:
        found = artifacts.latest_for_lesson(session, ctx.principal, lesson.id, "audio")
        ref = artifact_ref(found, current=found.source_fingerprint == fingerprint) if found else None
    return LessonAudio(lesson_id=lesson.id, artifact=ref)
