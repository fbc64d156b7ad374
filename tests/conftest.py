"""Shared fixtures. Every database test runs on SQLite, and again on PostgreSQL when
`ACADEMY_TEST_DATABASE_URL` names a server (`.ci/run` sets it to this machine's)."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.app import create_app
from core import identity, migrate, security
from core.db import Database, create_database, drop_database, normalise_url
from core.metadata import load_metadata
from core.principal import Principal
from core.settings import Settings
from courses import catalog
from wiring import install_listeners

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# Every store a test builds makes two accounts with the same password, and argon2 costs ~0.1-0.3 s a
# hash by design: the factories' accounts share one real hash per password (verifying is unchanged).
vars(identity)["hash_password"] = functools.lru_cache(maxsize=16)(security.hash_password)
install_listeners()  # as every process does at start (wiring)
pytest_plugins = ["tests.retrieval_fixtures", "tests.agent_fixtures"]
PG_ADMIN_URL = os.environ.get("ACADEMY_TEST_DATABASE_URL")
ENGINES = ["sqlite", *(["postgresql"] if PG_ADMIN_URL else [])]
DATASETS = Path(__file__).resolve().parents[1] / "datasets"  # shipped with the repository (datasets/README.md)
TEST_SECRET = "test-secret-" + "x" * 40


def create_pg_database(prefix: str = "academy_t") -> str:
    """A fresh, empty PostgreSQL database on the test server; returns its URL."""
    assert PG_ADMIN_URL
    return create_database(PG_ADMIN_URL, f"{prefix}_{uuid.uuid4().hex[:12]}")


def drop_pg_database(url: str) -> None:
    assert PG_ADMIN_URL
    drop_database(PG_ADMIN_URL, url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "academy.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    url = create_pg_database()
    migrate.upgrade(url)
    yield url
    drop_pg_database(url)


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "academy.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("pg_url")
    engine = create_engine(normalise_url(url))
    tables = ", ".join(f'"{t.name}"' for t in load_metadata().sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        secret_key=TEST_SECRET,
        demo=False,
        max_body_bytes=64 * 1024,
    )


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db=db, run_jobs=False)) as test_client:
        yield test_client


# --- a small world of two stores -----------------------------------------------------------


@dataclass
class StoreWorld:
    slug: str
    store_id: str
    owner: Principal
    owner_email: str
    learner_email: str
    course_id: str
    draft_course_id: str
    module_id: str
    preview_lesson_id: str
    paid_lesson_id: str
    drip_lesson_id: str


PASSWORD = "password-123"


def build_store(db: Database, slug: str, *, enroll_learner: bool = True) -> StoreWorld:
    """A store with an owner, a learner, a published course of three lessons (preview, enrolled-only,
    drip after 7 days) and a draft course."""
    from courses import enrollments

    with db.transaction() as s:
        owner_user = identity.create_user(s, f"owner@{slug}.example.com", PASSWORD, f"{slug} owner")
        learner = identity.create_user(s, f"learner@{slug}.example.com", PASSWORD, f"{slug} learner")
        store = identity.create_store(s, owner_user, slug, f"Store {slug}")
        identity.join_store_as_learner(s, learner, store)
        owner = identity.principal_for_user(s, owner_user, store.id)
        course = catalog.create_course(s, owner, slug="main", title=f"{slug} course", is_free=False)
        module = catalog.create_module(s, owner, course.id, "Module one")
        preview = catalog.create_lesson(s, owner, module.id, title="Preview", body_md=f"# Preview\n{slug} open")
        paid = catalog.create_lesson(s, owner, module.id, title="Paid", body_md=f"# Paid\n{slug} secret")
        drip = catalog.create_lesson(s, owner, module.id, title="Drip", body_md="# Drip\nlater", drip_days=7)
        catalog.update_lesson(s, owner, preview.id, {"is_preview": True})
        catalog.publish_course(s, owner, course.id)
        draft = catalog.create_course(s, owner, slug="draft", title="Draft course")
        if enroll_learner:
            enrollments.grant_enrollment(s, owner, course.id, learner.email)
        return StoreWorld(
            slug=slug,
            store_id=store.id,
            owner=owner,
            owner_email=owner_user.email,
            learner_email=learner.email,
            course_id=course.id,
            draft_course_id=draft.id,
            module_id=module.id,
            preview_lesson_id=preview.id,
            paid_lesson_id=paid.id,
            drip_lesson_id=drip.id,
        )


def principal_of(db: Database, email: str, store_id: str) -> Principal:
    with db.transaction() as s:
        user = identity.get_user_by_email(s, email)
        assert user is not None
        return identity.principal_for_user(s, user, store_id)


def login(client: TestClient, email: str, store: str | None = None, password: str = PASSWORD) -> dict[str, str]:
    body = {"email": email, "password": password}
    if store:
        body["store"] = store
    response = client.post("/v1/auth/login", json=body)
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def make_key(db: Database, world: StoreWorld, scopes: list[str] | None = None) -> dict[str, str]:
    with db.transaction() as s:
        created = identity.create_api_key(s, world.owner, "test", scopes)
    return {"Authorization": f"Bearer {created.token}"}


@pytest.fixture
def store_a(db: Database) -> StoreWorld:
    return build_store(db, "alpha")


@pytest.fixture
def store_b(db: Database) -> StoreWorld:
    return build_store(db, "beta")
