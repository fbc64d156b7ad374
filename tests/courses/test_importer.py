import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.errors import BadRequest
from courses import catalog
from courses.importer import import_course, read_source
from courses.models import Course, Lesson
from tests.conftest import DATASETS, StoreWorld

OMT = DATASETS / "open-music-theory"
MLB = DATASETS / "ml-for-beginners"


def _count(db: Database, model: type, **where: str) -> int:
    with db.transaction() as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(s.scalar(query) or 0)


def test_open_music_theory_imports_104_lessons_in_9_modules(db: Database, store_a: StoreWorld) -> None:
    source = read_source(OMT)
    with db.transaction() as s:
        course = import_course(s, store_a.owner, source, publish=True, preview_lessons=3)
        modules = catalog.list_modules(s, store_a.owner, course.id)
    assert len(modules) == 9
    assert modules[0].title == "Introduction"
    assert _count(db, Lesson, course_id=course.id) == 104
    assert "CC BY-SA 4.0" in course.attribution


def test_jsonl_keeps_order_and_titles(db: Database, store_a: StoreWorld) -> None:
    rows = [json.loads(line) for line in (MLB / "lessons.jsonl").read_text().splitlines()]
    with db.transaction() as s:
        course = import_course(s, store_a.owner, read_source(MLB / "lessons.jsonl"))
        titles = [v.lesson.title for m in catalog.outline(s, store_a.owner, course.id) for v in m.lessons]
    assert titles == [r["title"] for r in rows]
    assert course.status == "draft"


def test_markdown_folder_uses_front_matter_and_folders(tmp_path: Path, db: Database, store_a: StoreWorld) -> None:
    (tmp_path / "2-later").mkdir()
    (tmp_path / "1-first").mkdir()
    (tmp_path / "1-first" / "b.md").write_text("---\ntitle: Bee\norder: 1\npreview: true\n---\nBody b\n")
    (tmp_path / "1-first" / "a.md").write_text("---\norder: 2\ndrip_days: 3\n---\n# Aye heading\nBody a\n")
    (tmp_path / "2-later" / "c.md").write_text("No heading here\n")
    (tmp_path / "course.yaml").write_text("title: Made Here\nslug: made-here\n")
    source = read_source(tmp_path)
    assert (source.title, source.slug) == ("Made Here", "made-here")
    assert [(x.module, x.title, x.is_preview, x.drip_days) for x in source.lessons] == [
        ("first", "Bee", True, 0),
        ("first", "Aye heading", False, 3),
        ("later", "c", False, 0),
    ]


def test_broken_jsonl_names_the_line_and_writes_nothing(tmp_path: Path, db: Database, store_a: StoreWorld) -> None:
    bad = tmp_path / "lessons.jsonl"
    bad.write_text('{"module": "M", "title": "One", "markdown": "x"}\n{"module": "M", "title": 5}\n')
    before = _count(db, Course)
    with pytest.raises(BadRequest, match="line 2"):
        read_source(bad)
    assert _count(db, Course) == before


def test_not_json_line_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "lessons.jsonl"
    bad.write_text("{oops\n")
    with pytest.raises(BadRequest, match="line 1: not valid JSON"):
        read_source(bad)


def test_empty_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BadRequest, match="no lessons found"):
        read_source(tmp_path)


def test_missing_path_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BadRequest, match="no such file"):
        read_source(tmp_path / "nope")


def test_failed_import_leaves_no_half_course(db: Database, store_a: StoreWorld) -> None:
    """A slug clash discovered mid-way rolls the whole import back."""
    source = read_source(MLB)
    before = (_count(db, Course), _count(db, Lesson))
    with pytest.raises(Exception, match="already exists"), db.transaction() as s:
        import_course(s, store_a.owner, source, slug="fresh")
        import_course(s, store_a.owner, source, slug="fresh")
    assert (_count(db, Course), _count(db, Lesson)) == before


def test_shipped_demo_course_reads(db: Database) -> None:
    from cli.demo import SHIPPED_COURSE

    source = read_source(SHIPPED_COURSE)
    assert source.slug == "home-studio-basics"
    assert len(source.modules) == 3 and len(source.lessons) == 6
