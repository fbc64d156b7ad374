"""Narrations kept in step with their lessons: once a minute, a few lessons whose newest narration
was made from an earlier text (or title) are narrated again, in the voice that narration used.

No event is needed: the narration's fingerprint is compared with the lesson as it is, so a change
made by any door (the API, a tool, an import) is found, and a crash between two ticks loses nothing."""

from __future__ import annotations

import logging

from huey import crontab
from sqlalchemy import func, select

from core.context import get_context
from core.db import Database
from core.jobs import huey, quiet
from core.principal import Principal
from core.settings import Settings
from courses import artifacts
from courses.models import Artifact, Lesson
from media.progress import MediaError
from media.speech.factory import make_speech_provider
from tools.base import ToolContext
from tools.media import narrate_one

log = logging.getLogger("academy.media")
PER_TICK = 5


def stale_narrations(db: Database, settings: Settings, limit: int = PER_TICK) -> list[tuple[str, str, str]]:
    """(store, lesson, voice) of lessons whose newest narration no longer matches them."""
    engine = make_speech_provider(settings)
    newest = (
        select(Artifact.lesson_id, func.max(Artifact.version).label("version"))
        .where(Artifact.kind == "audio", Artifact.lesson_id.is_not(None))
        .group_by(Artifact.lesson_id)
        .subquery()
    )
    query = (
        select(Artifact, Lesson)
        .join(newest, (Artifact.lesson_id == newest.c.lesson_id) & (Artifact.version == newest.c.version))
        .join(Lesson, Lesson.id == Artifact.lesson_id)
        .where(Artifact.kind == "audio")
    )
    found = []
    with db.transaction() as session:
        for artifact, lesson in session.execute(query):
            voice = _voice_of(artifact, engine.default_voice)
            if artifact.source_fingerprint != artifacts.lesson_fingerprint(lesson, engine.name, voice):
                found.append((artifact.store_id, lesson.id, voice))
            if len(found) >= limit:
                break
    return found


def _voice_of(artifact: Artifact, default: str) -> str:
    """The voice the narration was made in, which its title names (`… (narration, voice en-gb)`)."""
    return artifact.title.rsplit("voice ", 1)[1].rstrip(")") if "voice " in artifact.title else default


def refresh(db: Database, settings: Settings, limit: int = PER_TICK) -> int:
    done = 0
    for store_id, lesson_id, voice in stale_narrations(db, settings, limit):
        ctx = ToolContext(db=db, principal=Principal.system(store_id), settings=settings)
        try:
            narrate_one(ctx, lesson_id, voice)
            done += 1
        except MediaError as exc:  # told in the log; the next tick tries again
            log.warning("could not narrate lesson %s again: %s", lesson_id, exc)
    return done


@huey.periodic_task(crontab(minute="*"), name="media.refresh_narrations")  # type: ignore[untyped-decorator]
def refresh_narrations() -> int:
    context = get_context()
    count = refresh(context.db, context.settings)
    if count:
        log.info("narrated %d changed lesson(s) again", count)
    return count


quiet("media.refresh_narrations")
