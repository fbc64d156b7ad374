"""Turn a folder of markdown, or a `lessons.jsonl`, into a course with modules and lessons.

Reading (`read_source`) is separate from writing (`import_course`) so that a bad file is reported
before anything is written, and the write is one transaction: a course appears whole or not at all.

Folder layout: each top-level sub-folder is a module (natural order), each `.md` file in it a
lesson; markdown files at the root form a first module. Front matter may set `title`, `order`,
`preview` and `drip_days`. An optional `course.yaml` gives `title`, `description`, `attribution`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from core.errors import BadRequest
from core.principal import Principal
from courses.catalog import create_course, create_lesson, create_module, set_course_status
from courses.models import Course

SKIP_FILES = {"source.md", "license.md", "readme.md", "contributing.md", "changelog.md"}
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
MAX_TITLE = 300


@dataclass
class SourceLesson:
    module: str
    title: str
    markdown: str
    source_ref: str
    section: str | None = None
    is_preview: bool = False
    drip_days: int = 0


@dataclass
class CourseSource:
    title: str
    slug: str
    description: str = ""
    attribution: str = ""
    lessons: list[SourceLesson] = field(default_factory=list)

    @property
    def modules(self) -> list[str]:
        return list(dict.fromkeys(lesson.module for lesson in self.lessons))


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].strip("-") or "course"


def _natural_key(path: Path) -> list[Any]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", path.as_posix())]


def _lesson_key(relative: Path) -> list[Any]:
    """Folder order first; inside a folder its README/index leads, as it does on a website."""
    leading = 0 if relative.stem.lower() in ("readme", "index") else 1
    return [*_natural_key(relative.parent), leading, *_natural_key(Path(relative.name))]


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


def _first_heading(markdown: str) -> str | None:
    for line in markdown.splitlines():
        match = re.match(r"^#{1,3}\s+(.+?)\s*#*\s*$", line)
        if match:
            return match.group(1).strip()
    return None


def _source_notes(folder: Path) -> tuple[str | None, str]:
    """Title and attribution from a dataset's SOURCE.md (its first heading and license lines)."""
    path = folder / "SOURCE.md"
    if not path.is_file():
        return None, ""
    text = path.read_text(encoding="utf-8", errors="replace")
    heading = _first_heading(text)
    title = heading.split(" — ")[0].strip() if heading else None
    parts = []
    for line in text.splitlines():
        match = re.match(r"^- (Upstream|Authors|License):\s*(.+)$", line)
        if match:
            value = match.group(2).split(" — ")[0].split(" (")[0].strip(" .;")
            parts.append(f"{match.group(1)}: {value}")
    return title, ". ".join(parts)


def _course_yaml(folder: Path) -> dict[str, Any]:
    path = folder / "course.yaml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BadRequest(f"{path.name}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise BadRequest(f"{path.name}: expected a mapping of title, description, attribution")
    return data


def _as_int(value: Any, where: str, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"{where}: '{name}' must be a whole number") from exc


def read_jsonl(path: Path) -> list[SourceLesson]:
    lessons = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path.name} line {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadRequest(f"{where}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise BadRequest(f"{where}: expected an object")
            missing = [k for k in ("module", "title", "markdown") if not isinstance(row.get(k), str)]
            if missing:
                raise BadRequest(f"{where}: missing or non-text field(s): {', '.join(missing)}")
            lessons.append(
                SourceLesson(
                    module=str(row.get("module_title") or row["module"]),
                    title=row["title"][:MAX_TITLE],
                    markdown=row["markdown"],
                    source_ref=str(row.get("id") or row.get("path") or f"line-{number}"),
                    section=row.get("submodule") if isinstance(row.get("submodule"), str) else None,
                    is_preview=bool(row.get("preview", False)),
                    drip_days=_as_int(row.get("drip_days", 0), where, "drip_days"),
                )
            )
    return lessons


def read_markdown_folder(folder: Path) -> list[SourceLesson]:
    files = sorted(
        (
            p
            for p in folder.rglob("*.md")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        ),
        key=_natural_key,
    )
    lessons: list[tuple[tuple[str, float, list[Any]], SourceLesson]] = []
    for path in files:
        relative = path.relative_to(folder)
        if len(relative.parts) == 1 and path.name.lower() in SKIP_FILES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        meta, body = split_front_matter(text)
        if not body.strip():
            continue
        module_dir = relative.parts[0] if len(relative.parts) > 1 else ""
        module = _module_title(folder / module_dir) if module_dir else "Lessons"
        title = str(meta.get("title") or _first_heading(body) or path.stem.replace("-", " ").replace("_", " "))
        where = str(relative)
        order = float(meta["order"]) if isinstance(meta.get("order"), int | float) else float("inf")
        lessons.append(
            (
                (module_dir, order, _lesson_key(relative)),
                SourceLesson(
                    module=module,
                    title=title[:MAX_TITLE],
                    markdown=body.strip() + "\n",
                    source_ref=relative.as_posix(),
                    is_preview=bool(meta.get("preview", False)),
                    drip_days=_as_int(meta.get("drip_days", 0), where, "drip_days"),
                ),
            )
        )
    module_order = {d: i for i, d in enumerate(sorted({k[0] for k, _ in lessons}, key=lambda d: _natural_key(Path(d))))}
    lessons.sort(key=lambda item: (module_order[item[0][0]], item[0][1], item[0][2]))
    return [lesson for _, lesson in lessons]


def _module_title(module_dir: Path) -> str:
    meta_file = module_dir / "module.yaml"
    if meta_file.is_file():
        data = yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}
        if isinstance(data, dict) and data.get("title"):
            return str(data["title"])
    readme = module_dir / "README.md"
    if readme.is_file():
        heading = _first_heading(split_front_matter(readme.read_text(encoding="utf-8", errors="replace"))[1])
        if heading:
            return heading
    return re.sub(r"^\d+[-_. ]*", "", module_dir.name).replace("-", " ").replace("_", " ").strip() or module_dir.name


def read_source(path: Path) -> CourseSource:
    """Everything needed to create the course, read and checked before any write."""
    if not path.exists():
        raise BadRequest(f"{path}: no such file or folder")
    folder = path if path.is_dir() else path.parent
    if path.is_file():
        if path.suffix != ".jsonl":
            raise BadRequest(f"{path.name}: import a folder of markdown or a lessons.jsonl file")
        lessons = read_jsonl(path)
    elif (folder / "lessons.jsonl").is_file():
        lessons = read_jsonl(folder / "lessons.jsonl")
    else:
        lessons = read_markdown_folder(folder)
    if not lessons:
        raise BadRequest(f"{path}: no lessons found (expected markdown files or a lessons.jsonl)")
    meta = _course_yaml(folder)
    notes_title, notes_attribution = _source_notes(folder)
    title = str(meta.get("title") or notes_title or folder.name.replace("-", " ").title())
    return CourseSource(
        title=title[:MAX_TITLE],
        slug=slugify(str(meta.get("slug") or folder.name)),
        description=str(meta.get("description") or ""),
        attribution=str(meta.get("attribution") or notes_attribution),
        lessons=lessons,
    )


def import_course(
    session: Session,
    principal: Principal,
    source: CourseSource,
    *,
    slug: str | None = None,
    title: str | None = None,
    attribution: str | None = None,
    publish: bool = False,
    preview_lessons: int = 0,
    is_free: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Course:
    """Create the course; the first `preview_lessons` lessons (plus any marked so) are previews."""
    course = create_course(
        session,
        principal,
        slug=slug or source.slug,
        title=title or source.title,
        description=source.description,
        attribution=source.attribution if attribution is None else attribution,
        is_free=is_free,
    )
    modules = {name: create_module(session, principal, course.id, name[:MAX_TITLE]).id for name in source.modules}
    total = len(source.lessons)
    for index, item in enumerate(source.lessons):
        create_lesson(
            session,
            principal,
            modules[item.module],
            title=item.title,
            body_md=item.markdown,
            is_preview=item.is_preview or index < preview_lessons,
            drip_days=item.drip_days,
            section=item.section,
            source_ref=item.source_ref,
        )
        if progress:
            progress(index + 1, total)
    if publish:
        set_course_status(course, "published")
    session.flush()
    return course
