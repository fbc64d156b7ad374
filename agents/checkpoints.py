"""Thread checkpoints: LangGraph's SQLite saver in the data directory, or its Postgres saver when
the platform's database is PostgreSQL (then every API instance sees every thread)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from sqlalchemy.engine import make_url

from core.db import is_sqlite, normalise_url
from core.settings import Settings


def sqlite_checkpointer(path: Path) -> SqliteSaver:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False)
    saver = SqliteSaver(connection)
    saver.setup()
    return saver


def postgres_checkpointer(database_url: str) -> Any:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    url = make_url(normalise_url(database_url)).set(drivername="postgresql")
    connection = psycopg.connect(
        url.render_as_string(hide_password=False), autocommit=True, prepare_threshold=0, row_factory=dict_row
    )
    saver = PostgresSaver(connection)
    saver.setup()
    return saver


def open_checkpointer(settings: Settings) -> Any:
    url = settings.resolved_database_url
    if is_sqlite(url):
        return sqlite_checkpointer(settings.data_dir / "checkpoints.db")
    return postgres_checkpointer(url)
