"""Content changes, announced to whoever keeps something in step with the lessons (the search index).

`courses` cannot know `ingestion` (it sits above in the import direction), so the indexer registers
a listener at start-up and every change of lesson content, from the API or a tool, calls
`content_changed` in the transaction that made it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Listener = Callable[[Session, str, str, list[str] | None], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def content_changed(session: Session, store_id: str, course_id: str, lesson_ids: list[str] | None = None) -> None:
    """A course's content changed (all of it, or the named lessons)."""
    for listener in _listeners:
        listener(session, store_id, course_id, lesson_ids)
