"""The demo store: a creator, a learner and a real course, created once and kept idempotent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from core import identity
from core.db import Database, utcnow
from core.models import ApiKey, Store, User
from core.principal import Principal
from core.tenancy import select_in_store
from courses import catalog, enrollments
from courses.importer import import_course, read_source
from courses.models import Course
from ingestion.jobs import request_index

DEMO_STORE = "demo"
CREATOR_EMAIL = "creator@demo.academy"
CREATOR_PASSWORD = "demo-creator-pass"  # noqa: S105 (demo account, printed on start)
LEARNER_EMAIL = "learner@demo.academy"
LEARNER_PASSWORD = "demo-learner-pass"  # noqa: S105 (demo account, printed on start)
DEMO_KEY_NAME = "demo key"
SHIPPED_COURSE = Path(__file__).resolve().parent.parent / "courses" / "demo_course"
OPEN_MUSIC_THEORY_ATTRIBUTION = (
    "Open Music Theory (v1) by Kris Shaffer, Bryn Hughes and Brian Moseley, published by Hybrid Pedagogy "
    "(openmusictheory.com), licensed CC BY-SA 4.0. Imported without its images, audio and PDF handouts."
)


@dataclass(frozen=True)
class DemoResult:
    store: Store
    course: Course
    lessons: int
    api_key: str
    created_course: bool


def _user(session: Session, email: str, password: str, name: str) -> User:
    return identity.get_user_by_email(session, email) or identity.create_user(session, email, password, name)


def ensure_demo(db: Database, course_path: Path, progress: Callable[[int, int], None] | None = None) -> DemoResult:
    """Create what is missing and mint a fresh demo API key (revoking the previous one), so the
    console can always show a working key without any key ever being stored in plain text."""
    with db.transaction() as session:
        creator = _user(session, CREATOR_EMAIL, CREATOR_PASSWORD, "Demo Creator")
        learner = _user(session, LEARNER_EMAIL, LEARNER_PASSWORD, "Demo Learner")
        store = identity.get_store_by_slug(session, DEMO_STORE) or identity.create_store(
            session, creator, DEMO_STORE, "Academy Demo Store"
        )
        identity.join_store_as_learner(session, learner, store)
        owner = Principal.system(store.id, user_id=creator.id)

        use_shared = course_path.is_dir()
        source = read_source(course_path if use_shared else SHIPPED_COURSE)
        course = session.scalar(select_in_store(Course, store.id).where(Course.slug == source.slug))
        created = course is None
        if course is None:
            course = import_course(
                session,
                owner,
                source,
                attribution=OPEN_MUSIC_THEORY_ATTRIBUTION if source.slug == "open-music-theory" else None,
                publish=True,
                preview_lessons=3,
                progress=progress,
            )
        enrollments.grant_enrollment(session, owner, course.id, LEARNER_EMAIL)
        if created:
            request_index(session, store.id, course.id, reason="demo")

        for old in session.scalars(
            select_in_store(ApiKey, store.id).where(ApiKey.name == DEMO_KEY_NAME, ApiKey.revoked_at.is_(None))
        ):
            old.revoked_at = utcnow()
        key = identity.create_api_key(session, owner, DEMO_KEY_NAME)
        return DemoResult(
            store=store,
            course=course,
            lessons=catalog.lesson_count(session, course.id),
            api_key=key.token,
            created_course=created,
        )
