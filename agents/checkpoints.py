"""Thread checkpoints: LangGraph's async SQLite saver in the data directory, or its async Postgres
saver (a small connection pool) when the platform's database is PostgreSQL, so every API instance
sees every thread. Runs execute on one event loop (`agents.runs`), so the savers are opened there:
`checkpoint_opener` returns the coroutine function that opens them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from core.db import is_sqlite, normalise_url
from core.settings import Settings

POOL_SIZE = 8  # checkpoint reads and writes are short; eight connections serve hundreds of runs


@dataclass
class Checkpoints:
    """An open saver and how to release what it holds."""

    saver: Any
    close: Callable[[], Coroutine[Any, Any, None]]


Opener = Callable[[], Awaitable[Checkpoints]]


async def open_sqlite(path: Path) -> Checkpoints:
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path.parent.mkdir(parents=True, exist_ok=True)
    connection = await aiosqlite.connect(str(path))
    await connection.execute("PRAGMA journal_mode=WAL")
    await connection.execute("PRAGMA synchronous=NORMAL")
    saver = AsyncSqliteSaver(connection)
    await saver.setup()
    return Checkpoints(saver, connection.close)


async def open_postgres(database_url: str) -> Checkpoints:
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    url = make_url(normalise_url(database_url)).set(drivername="postgresql")
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        url.render_as_string(hide_password=False),
        min_size=1,
        max_size=POOL_SIZE,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=False,
    )
    await pool.open(wait=True)
    saver = AsyncPostgresSaver(pool)
    await saver.setup()
    return Checkpoints(saver, pool.close)


def sqlite_opener(path: Path) -> Opener:
    return lambda: open_sqlite(path)


def checkpoint_opener(settings: Settings) -> Opener:
    url = settings.resolved_database_url
    if is_sqlite(url):
        return sqlite_opener(settings.data_dir / "checkpoints.db")
    return lambda: open_postgres(url)
