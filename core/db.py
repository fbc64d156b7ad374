"""Engine, sessions and the declarative base shared by every service's models.

SQLite is the embedded default (WAL, foreign keys on, a busy timeout so the job threads and the
API can share the file); PostgreSQL is used as given by URL. Callers own transactions: services
only flush, so a request or a CLI command commits once, after everything succeeded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, always returns an aware datetime (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_database(admin_url: str, name: str) -> str:
    """A new, empty database on the PostgreSQL server of `admin_url`; returns its URL. For tests and
    benchmarks, which each want a database of their own."""
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(normalise_url(admin_url)).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


POOL_TIMEOUT_SECONDS = 10


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _begin_before_savepoint(conn: Connection, name: str | None) -> None:
    """pysqlite (Python's legacy transaction control) opens a transaction only at the first write, so
    a SAVEPOINT issued before any write became the outermost transaction, and its RELEASE committed:
    a block that failed after a `begin_nested()` kept what the savepoint had written. Opening the
    transaction first makes the savepoint nested, as on PostgreSQL (deferred: no lock until a write)."""
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and not dbapi.in_transaction:
        dbapi.execute("BEGIN")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            from pathlib import Path

            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Connections to a file are cheap and writers queue on SQLite's own lock, so the pool is wide:
        # hundreds of concurrent agent runs each hold one briefly (measured in benchmarks/streams.py).
        # HTTP work is bounded before it gets here (api/admission.py), so a wait for a connection is
        # short, and a request that still waits 10 s is better answered 503 than left hanging.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=16,
            max_overflow=112,
            pool_timeout=POOL_TIMEOUT_SECONDS,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _begin_before_savepoint)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30, pool_timeout=POOL_TIMEOUT_SECONDS)


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction has committed (never if it rolls back):
    how work is handed to the job queue only after the rows it reads are visible."""
    session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop("after_commit", []):
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)


class Database:
    """One engine and its session factory; an app or CLI process holds exactly one."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block succeeds and rolls back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def rehearsal(self) -> Iterator[Session]:
        """A session whose work is always rolled back: a tool's preview runs the real code path and
        reports what it would change, and nothing of it stays."""
        session = self.sessions()
        try:
            yield session
            session.flush()
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
