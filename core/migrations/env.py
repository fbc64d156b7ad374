"""Alembic environment: the URL comes from `core.migrate`, never from an ini file."""

from __future__ import annotations

from alembic import context

from core.db import is_sqlite, make_engine
from core.metadata import load_metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "core.migrate sets sqlalchemy.url"
target_metadata = load_metadata()

connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=is_sqlite(url))
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=is_sqlite(url))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
