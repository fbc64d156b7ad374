"""`academy mcp`: the store's tools for a desktop MCP client (Claude Desktop, an IDE) over stdio.

The key is resolved again on every request, like over HTTP. Course search needs the index: on the
embedded stack the index folder belongs to one process, so while `academy serve` runs the search
tool answers that it is unavailable here (point the client at http://…/mcp instead), and every
other tool works."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from core.settings import Settings, get_settings
from rag.runtime import RetrievalRuntime

log = logging.getLogger("academy.mcp")


def mcp(
    key: Annotated[str, typer.Option(envvar="ACADEMY_API_KEY", help="A store API key (or ACADEMY_API_KEY).")],
) -> None:
    """Serve the store's tools to an MCP client over stdio (the key decides what it may do)."""
    import anyio
    from mcp.server.stdio import stdio_server

    from api.mcp_server import AcademyMCP
    from core import migrate
    from core.db import Database
    from tools.registry import build_registry

    settings = get_settings()
    migrate.upgrade(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    registry = build_registry()
    retrieval = _Retrieval(settings)
    server = AcademyMCP(db, settings, lambda: registry, retrieval, token=lambda ctx: key)

    async def serve() -> None:
        async with stdio_server() as (read, write):
            await server.server.run(read, write, server.server.create_initialization_options())

    try:
        anyio.run(serve)
    finally:
        retrieval.close()
        db.dispose()


class _Retrieval:
    """Opens the index at the first search; None (search unavailable) when another process holds it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime: RetrievalRuntime | None = None
        self.tried = False

    def __call__(self) -> RetrievalRuntime | None:
        from rag.index import IndexLocked
        from rag.runtime import open_runtime

        if not self.tried:
            self.tried = True
            try:
                self.runtime = open_runtime(self.settings)
            except IndexLocked as exc:
                log.warning("course search is unavailable over stdio: %s", exc)
        return self.runtime

    def close(self) -> None:
        if self.runtime is not None:
            self.runtime.close()
