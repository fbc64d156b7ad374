"""Attach files from disk to a course (the CLI's `academy ingest PATH`): every supported file is
read and attached; a bad one is reported and skipped, and the rest of the batch still goes in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Database
from core.errors import AppError
from core.principal import Principal
from courses import catalog
from courses.models import Module
from ingestion.documents import add_document
from ingestion.loaders import SUPPORTED

RESOURCES_MODULE = "Resources"


@dataclass
class BatchResult:
    attached: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def files_under(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for item in sorted(path.rglob("*")):
        if item.is_file() and not any(part.startswith(".") for part in item.relative_to(path).parts):
            yield item


def _resources_module(session: Session, principal: Principal, course_id: str) -> str:
    module_id = session.scalar(select(Module.id).where(Module.course_id == course_id, Module.title == RESOURCES_MODULE))
    return module_id or catalog.create_module(session, principal, course_id, RESOURCES_MODULE).id


def attach_files(
    db: Database,
    principal: Principal,
    course_id: str,
    path: Path,
    lesson_id: str | None,
    max_bytes: int,
) -> BatchResult:
    """One transaction per file, so a failure never undoes the files before it."""
    result = BatchResult()
    for file in files_under(path):
        name = str(file.relative_to(path) if path.is_dir() else file.name)
        if file.suffix.lower() not in SUPPORTED:
            result.failed.append((name, f"unsupported file type '{file.suffix or 'none'}'"))
            continue
        try:
            with db.transaction() as session:
                target = lesson_id
                if target is None:
                    module_id = _resources_module(session, principal, course_id)
                    title = file.stem.replace("-", " ").replace("_", " ").strip() or file.name
                    target = catalog.create_lesson(session, principal, module_id, title=title[:300]).id
                upload = add_document(
                    session, principal, course_id, target, file.name, file.read_bytes(), None, max_bytes
                )
                if not upload.created:
                    raise _Unchanged
            result.attached.append(name)
        except _Unchanged:
            result.unchanged.append(name)
        except AppError as exc:
            result.failed.append((name, exc.detail))
    return result


class _Unchanged(Exception):
    """Rolls back the lesson created for a file that was already attached."""
