import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app, run
from core import migrate
from core.db import Database
from core.models import ApiKey
from core.settings import get_settings
from courses.models import Course, Enrollment, Lesson
from tests.conftest import DATASETS

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A CLI pointed at a fresh data directory (SQLite), as a newcomer would run it."""
    monkeypatch.setenv("ACADEMY_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("ACADEMY_DATABASE_URL", raising=False)
    monkeypatch.delenv("ACADEMY_REDIS_URL", raising=False)
    monkeypatch.setenv("ACADEMY_DEMO_COURSE_PATH", str(DATASETS / "open-music-theory"))
    get_settings.cache_clear()
    yield Database(f"sqlite:///{tmp_path / 'var' / 'academy.db'}")
    get_settings.cache_clear()


def _invoke(*args: str, input: str | None = None):
    result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["academy", *args])
    with pytest.raises(SystemExit) as info:
        run()
    captured = capsys.readouterr()
    return int(info.value.code or 0), captured.out + captured.err


def test_demo_loads_open_music_theory_once(env: Database) -> None:
    first = _invoke("demo")
    assert "104 lessons" in first.output and "creator@demo.academy" in first.output
    _invoke("demo")
    with env.transaction() as s:
        assert s.scalar(select(func.count(Course.id))) == 1
        assert s.scalar(select(func.count(Lesson.id))) == 104
        assert s.scalar(select(func.count(Enrollment.id))) == 1
        keys = list(s.scalars(select(ApiKey).where(ApiKey.name == "demo key")))
    assert len(keys) == 2 and sum(k.revoked_at is None for k in keys) == 1


def test_demo_puts_its_course_on_sale_for_a_buyer_who_holds_nothing(env: Database) -> None:
    from commerce.models import PaymentAccount, Price, Product
    from core import entitlements
    from core.models import User

    first = _invoke("demo")
    assert "buyer@demo.academy" in first.output and "/s/demo" in first.output
    _invoke("demo")
    with env.transaction() as s:
        product = s.scalar(select(Product).where(Product.kind == "course"))
        assert product is not None and product.status == "active"
        kinds = sorted(s.scalars(select(Product.kind)))
        assert kinds == ["coaching", "course", "membership"]  # the demo ran twice: each made once
        tier = s.scalar(select(Product).where(Product.kind == "membership"))
        assert tier is not None and tier.bundle_product_ids == [product.id] and tier.status == "active"
        assert s.scalar(select(Price.unit_amount).where(Price.product_id == product.id)) == 4900
        assert s.scalar(select(Price.interval).where(Price.product_id == tier.id)) == "month"
        assert s.scalar(select(PaymentAccount.charges_enabled)) is True
        buyer = s.scalar(select(User).where(User.email == "buyer@demo.academy"))
        assert buyer is not None
        assert not entitlements.holds(s, product.store_id, buyer.id, "course", product.course_id or "")


def test_demo_falls_back_to_the_shipped_course(env: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACADEMY_DEMO_COURSE_PATH", str(tmp_path / "absent"))
    get_settings.cache_clear()
    result = _invoke("demo")
    assert "Home Studio Basics" in result.output and "6 lessons" in result.output


def test_users_stores_keys_and_import(env: Database, tmp_path: Path) -> None:
    _invoke("users", "create", "maker@example.com", "--password", "password-123")
    _invoke("stores", "create", "maker", "--owner", "maker@example.com", "--name", "Maker")
    key = _invoke("keys", "create", "--store", "maker", "--scope", "courses:read")
    assert "acd_" in key.output and "courses:read" in key.output
    imported = _invoke("courses", "import", str(DATASETS / "ml-for-beginners"), "--store", "maker", "--publish")
    assert "27 lessons" in imported.output and "(published)" in imported.output
    with env.transaction() as s:
        course = s.scalar(select(Course))
        assert course is not None and course.status == "published"


def test_password_can_come_from_stdin(env: Database) -> None:
    result = _invoke("users", "create", "piped@example.com", input="password-123\n")
    assert "created user" in result.output


def test_db_upgrade_reports_head(env: Database) -> None:
    head = migrate.head_revision()
    assert f"database at revision {head}" in _invoke("db", "upgrade").output
    assert f"current {head}, head {head}" in _invoke("db", "current").output


def test_bad_import_path_is_a_clear_error(env: Database, monkeypatch, capsys, tmp_path: Path) -> None:
    _invoke("users", "create", "m@example.com", "--password", "password-123")
    _invoke("stores", "create", "m", "--owner", "m@example.com")
    code, output = _run(monkeypatch, capsys, "courses", "import", str(tmp_path / "missing"), "--store", "m")
    assert code == 2
    assert "error:" in output and "no such file or folder" in output and "Traceback" not in output


def test_unknown_store_is_a_clear_error(env: Database, monkeypatch, capsys) -> None:
    code, output = _run(monkeypatch, capsys, "keys", "create", "--store", "ghost")
    assert code == 2 and "no store 'ghost'" in output


def test_production_without_secret_refuses_to_start(env: Database, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ACADEMY_ENV", "production")
    monkeypatch.delenv("ACADEMY_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    code, output = _run(monkeypatch, capsys, "db", "upgrade")
    assert code == 2
    assert "ACADEMY_SECRET_KEY must be set" in output and "Traceback" not in output


def _shop_with_course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    (course / "1-basics").mkdir(parents=True)
    (course / "1-basics" / "gain.md").write_text("# Gain\nGain staging keeps headroom for the mix bus.\n")
    (course / "1-basics" / "eq.md").write_text("# EQ\nCut narrow, boost wide.\n")
    _invoke("users", "create", "maker@example.com", "--password", "password-123")
    _invoke("stores", "create", "maker", "--owner", "maker@example.com")
    _invoke("courses", "import", str(course), "--store", "maker", "--slug", "studio", "--publish")
    return course


def test_ingest_attaches_good_files_and_reports_bad_ones(env: Database, tmp_path: Path, monkeypatch, capsys) -> None:
    from tests.files import VTT, make_pdf

    _shop_with_course(tmp_path)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "session.vtt").write_bytes(VTT)
    (uploads / "handout.pdf").write_bytes(make_pdf(["Limiters catch peaks"]))
    (uploads / "broken.pdf").write_bytes(b"%PDF-1.4 nonsense")
    (uploads / "song.mp3").write_bytes(b"ID3")
    code, output = _run(monkeypatch, capsys, "ingest", str(uploads), "--store", "maker", "--course", "studio")
    assert code == 1
    assert "attached  handout.pdf" in output and "attached  session.vtt" in output
    assert "skipped   broken.pdf: broken.pdf: not a readable PDF" in output and "song.mp3" in output
    assert "6 source(s)" in output and "0 unchanged" in output  # 2 lessons, 2 made for files, 2 files
    code, output = _run(monkeypatch, capsys, "ingest", "--store", "maker", "--course", "studio")
    assert code == 0 and "0 embedded" in output


def test_search_prints_cited_passages(env: Database, tmp_path: Path) -> None:
    _shop_with_course(tmp_path)
    _invoke("ingest", "--store", "maker", "--course", "studio")
    result = _invoke("search", "headroom on the mix bus", "--store", "maker", "--course", "studio", "--limit", "1")
    assert "[1] Gain > Gain" in result.output and "/courses/studio/lessons/" in result.output


def test_eval_retrieval_writes_reports(env: Database, tmp_path: Path) -> None:
    import json

    dataset = tmp_path / "tiny"
    dataset.mkdir()
    lessons = [
        {"id": "l1", "module": "m", "title": "Gain", "markdown": "# Gain\nGain staging keeps headroom."},
        {"id": "l2", "module": "m", "title": "EQ", "markdown": "# EQ\nEqualisers cut and boost frequencies."},
    ]
    questions = [
        {"id": "q1", "lesson_id": "l1", "question": "What keeps headroom?", "kind": "quiz"},
        {"id": "q2", "lesson_id": "l2", "question": "What do equalisers boost?", "kind": "quiz"},
    ]
    (dataset / "lessons.jsonl").write_text("\n".join(json.dumps(x) for x in lessons))
    (dataset / "qa.jsonl").write_text("\n".join(json.dumps(x) for x in questions))
    _invoke("eval", "retrieval", "--dataset", str(dataset), "--out", str(tmp_path / "out"))
    report = json.loads((tmp_path / "out" / "retrieval-tiny.json").read_text())
    assert set(report["results"]) == {"dense", "sparse", "hybrid"}
    assert report["results"]["hybrid"]["hit@1"] == 1.0
    assert report["results"]["sparse"]["by_kind"]["quiz"]["questions"] == 2
    assert "| hybrid |" in (tmp_path / "out" / "retrieval-tiny.md").read_text()


def test_ingest_while_the_index_is_open_elsewhere_is_a_clear_error(
    env: Database, tmp_path: Path, monkeypatch, capsys
) -> None:
    from rag.edge_index import EdgeIndex

    _shop_with_course(tmp_path)
    holder = EdgeIndex(tmp_path / "var" / "index", 384)
    try:
        code, output = _run(monkeypatch, capsys, "ingest", "--store", "maker", "--course", "studio")
    finally:
        holder.close()
    assert code == 2 and "open in another process" in output


def test_demo_sends_one_welcome_broadcast_to_the_dev_mailbox(env: Database) -> None:
    from core.models import Store
    from core.settings import get_settings
    from mail.models import MailBroadcast
    from mail.providers.outbox import OutboxProvider
    from mail.tasks import pump

    _invoke("demo")
    _invoke("demo")  # a second start makes no second broadcast
    with env.transaction() as s:
        assert len(s.scalars(select(MailBroadcast.id)).all()) == 1
        store_name = s.scalars(select(Store.name)).one()
    settings = get_settings()
    while pump(env, settings).more:
        pass
    inbox = OutboxProvider(settings.data_dir).messages()
    news = [m for m in inbox if m.subject == f"Welcome to {store_name}, Demo"]  # the broadcast, personal
    assert sorted(m.to_email for m in news) == ["buyer@demo.academy", "learner@demo.academy"]
    joined = {m.to_email for m in inbox if m.subject == f"Welcome to {store_name}"}  # joining the store
    assert "learner@demo.academy" in joined


def test_serve_links_follow_its_port(env: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    served: dict = {}
    monkeypatch.setenv("ACADEMY_DEMO", "false")
    monkeypatch.delenv("ACADEMY_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    _invoke("serve", "--port", "18802")
    assert served["port"] == 18802
    assert served["app"].state.context.settings.public_base_url == "http://127.0.0.1:18802"
