from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from core import migrate
from core.db import normalise_url
from core.metadata import load_metadata
from tests.conftest import ENGINES, create_pg_database, drop_pg_database


@pytest.fixture(params=ENGINES)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    url = create_pg_database("academy_mig")
    yield url
    drop_pg_database(url)


def _tables(url: str) -> set[str]:
    engine = create_engine(normalise_url(url))
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_creates_every_model_table(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) == set(load_metadata().tables)
    assert migrate.current_revision(empty_db_url) == migrate.head_revision()


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    migrate.downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) == set()
    assert migrate.current_revision(empty_db_url) is None
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) == set(load_metadata().tables)


def test_models_match_migrations(empty_db_url: str) -> None:
    """Autogenerate finds nothing to add: the models and the migration scripts agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    migrate.upgrade(empty_db_url)
    engine = create_engine(normalise_url(empty_db_url))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), load_metadata())
    engine.dispose()
    assert diff == []
