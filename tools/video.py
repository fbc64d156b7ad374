"""The video tool: a script (scenes of narration, on-screen words and a picture to show) becomes a
rendered video of the course, with its poster and captions, saved as the course's artifacts.

It runs the pipeline of the seeds as stages, each reported as progress and each cached by what it
is made of: voice (every scene narrated), pictures (every scene's backdrop drawn or generated, the
words laid over it in the store's colours), video (the scenes rendered and joined), library (the
MP4, its poster and its WebVTT saved). A call that is retried after a failure or a restart finds the
stages it finished in the cache and goes on from the first it did not."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.branding import brand_of
from core.errors import invalid
from core.models import Store
from core.principal import COURSES_WRITE
from core.storage.factory import make_storage_provider
from courses import artifacts, catalog, changes
from media.cache import MediaCache
from media.images import slides
from media.images.base import HEIGHT, WIDTH
from media.images.factory import make_image_provider, picture
from media.progress import Progress
from media.speech.factory import make_speech_provider, narrate
from media.video.assemble import Scene, render
from tools.base import ToolContext
from tools.declare import ActionInput, ToolSet
from tools.documents import ArtifactRef, artifact_ref

TOOLS = ToolSet("media")
PAUSE = 0.6  # seconds of picture after a scene's narration
WORDS_PER_SECOND = 2.6


class SceneIn(BaseModel):
    narration: str = Field(min_length=1, max_length=600, description="What the voice says.")
    on_screen: str = Field(min_length=1, max_length=120, description="The scene's heading on screen.")
    points: list[str] = Field(default_factory=list, max_length=4, description="Up to four short lines under it.")
    visual: str = Field(default="", max_length=300, description="The picture behind it (a prompt).")
    seconds: float = Field(default=5.0, ge=2, le=60, description="How long it stays; longer if the narration needs.")


class RenderVideoIn(ActionInput):
    course_id: str
    title: str = Field(min_length=1, max_length=120)
    scenes: list[SceneIn] = Field(min_length=1, max_length=30)
    captions: Literal["burned", "soft", "both"] = "both"
    voice: str | None = Field(default=None, description="The speech engine's voice; default: the platform's.")
    lesson_id: str | None = Field(
        default=None,
        description="The lesson this video explains: saved with the lesson, and its captions indexed as the "
        "lesson's, so answers can cite the moment of the video.",
    )


class VideoPreview(BaseModel):
    course_id: str
    title: str
    scenes: int
    estimated_seconds: float


class VideoOut(BaseModel):
    video: ArtifactRef
    poster: ArtifactRef
    captions: ArtifactRef
    seconds: float
    scenes: int


def estimate(scene: SceneIn) -> float:
    return max(scene.seconds, len(scene.narration.split()) / WORDS_PER_SECOND + PAUSE)


def _lesson_of(session: Session, ctx: ToolContext, course_id: str, lesson_id: str | None) -> None:
    """The course is the store's, and the lesson (when one is named) is the course's: else a 404/422."""
    catalog.course_in_store(session, ctx.principal, course_id)
    if lesson_id is not None and catalog._lesson_in_store(session, ctx.principal, lesson_id).course_id != course_id:
        raise invalid("lesson_id", f"lesson '{lesson_id}' is not a lesson of course '{course_id}'")


def _preview(ctx: ToolContext, args: RenderVideoIn) -> VideoPreview:
    with ctx.db.transaction() as session:
        _lesson_of(session, ctx, args.course_id, args.lesson_id)
    seconds = round(sum(estimate(s) for s in args.scenes), 1)
    return VideoPreview(course_id=args.course_id, title=args.title, scenes=len(args.scenes), estimated_seconds=seconds)


@TOOLS.tool(scopes=(COURSES_WRITE,), side_effect="write", preview=_preview, slow=True)
def render_video(ctx: ToolContext, args: RenderVideoIn) -> VideoOut:
    """Render a scene-by-scene script to a narrated, captioned 720p video of the course (with its poster)."""
    progress = ctx.progress or Progress()
    with ctx.db.transaction() as session:
        _lesson_of(session, ctx, args.course_id, args.lesson_id)
        store = session.get(Store, ctx.principal.require_store())
        brand = brand_of(store.brand if store else None)
    objects = make_storage_provider(ctx.settings)
    cache, speech_engine, picture_engine = (
        MediaCache(objects),
        make_speech_provider(ctx.settings),
        make_image_provider(ctx.settings),
    )
    voice = progress.part(0.0, 0.3)
    said = []
    for n, scene in enumerate(args.scenes):
        part = voice.part(n / len(args.scenes), (n + 1) / len(args.scenes))
        said.append(narrate(speech_engine, scene.narration, args.voice, cache, part, field=f"scenes.{n}.narration"))
    drawn = progress.part(0.3, 0.45)
    scenes = []
    for n, (scene, speech) in enumerate(zip(args.scenes, said, strict=True)):
        drawn.check()
        prompt = scene.visual.strip() or f"{args.title}: {scene.on_screen}"
        backdrop = picture(picture_engine, prompt, WIDTH, HEIGHT, brand, cache)
        image = (
            slides.title_card(args.title, scene.on_screen, brand, backdrop)
            if n == 0
            else slides.slide(scene.on_screen, scene.points, brand, backdrop)
        )
        length = max(scene.seconds, speech.duration + PAUSE)
        scenes.append(Scene(image, length, speech.wav, tuple(speech.timings)))
        drawn.tell((n + 1) / len(args.scenes), "drawing the scenes")
    video = render(scenes, args.captions, cache, progress.part(0.45, 0.97))
    with ctx.db.transaction() as session:
        common = {"course_id": args.course_id, "run_id": ctx.run_id, "lesson_id": args.lesson_id}
        saved = [
            artifacts.save_artifact(session, ctx.principal, objects, kind="video", title=args.title, data=video.mp4,
                                    content_type="video/mp4", **common),
            artifacts.save_artifact(session, ctx.principal, objects, kind="image", title=f"{args.title} (poster)",
                                    data=video.poster, content_type="image/png", **common),
            artifacts.save_artifact(session, ctx.principal, objects, kind="captions", title=f"{args.title} (captions)",
                                    data=video.vtt.encode(), content_type="text/vtt", **common),
        ]  # fmt: skip
        refs = [artifact_ref(a, current=True) for a in saved]
        if args.lesson_id is not None:  # the lesson's captions changed: index them
            changes.content_changed(session, saved[2].store_id, args.course_id, [args.lesson_id])
    progress.tell(1.0, "saved to the library")
    return VideoOut(
        video=refs[0], poster=refs[1], captions=refs[2], seconds=round(video.duration, 2), scenes=len(scenes)
    )


class AttachCaptionsIn(ActionInput):
    captions_id: str = Field(description="The captions artifact of a rendered video (kind 'captions').")
    lesson_id: str = Field(description="The lesson of the same course whose video this becomes.")


@TOOLS.tool(scopes=(COURSES_WRITE,), side_effect="write")
def attach_captions(ctx: ToolContext, args: AttachCaptionsIn) -> ArtifactRef:
    """Make a rendered video's captions a lesson's (its newest video): indexed, so answers can cite it."""
    objects = make_storage_provider(ctx.settings)
    with ctx.db.transaction() as session:
        found = artifacts.read_artifact(session, ctx.principal, objects, args.captions_id)
        if found.artifact.kind != "captions" or found.artifact.course_id is None:
            raise invalid("captions_id", f"artifact '{args.captions_id}' is not a video's captions")
        _lesson_of(session, ctx, found.artifact.course_id, args.lesson_id)
        saved = artifacts.save_artifact(
            session, ctx.principal, objects, course_id=found.artifact.course_id, lesson_id=args.lesson_id,
            kind="captions", title=found.artifact.title, data=found.data, content_type="text/vtt", run_id=ctx.run_id,
        )  # fmt: skip
        changes.content_changed(session, saved.store_id, found.artifact.course_id, [args.lesson_id])
        return artifact_ref(saved, current=True)
