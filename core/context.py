"""The process's settings, database and object store, set once at startup, so background tasks (which Huey
calls with only their own arguments) reach the same database as the API."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.db import Database
from core.ratelimit import RateLimiter
from core.settings import Settings
from core.storage import StorageProvider
from core.storage.factory import make_storage_provider


@dataclass
class AppContext:
    settings: Settings
    db: Database
    limiter: RateLimiter = field(default_factory=RateLimiter)
    objects: StorageProvider = field(init=False)

    def __post_init__(self) -> None:
        self.objects = make_storage_provider(self.settings)


_current: AppContext | None = None


def set_context(settings: Settings, db: Database | None = None) -> AppContext:
    global _current
    _current = AppContext(
        settings=settings,
        db=db or Database(settings.resolved_database_url),
        limiter=RateLimiter(settings.redis_url, settings.jobs_queue),
    )
    return _current


def get_context() -> AppContext:
    if _current is None:
        raise RuntimeError("the application context is not set up; call core.context.set_context first")
    return _current
