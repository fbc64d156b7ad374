"""The tools for outside agents over MCP, on the official SDK's low-level server.

One server serves both doors: streamable HTTP mounted at `/mcp` in the app (stateless: every POST
is checked on its own; the session manager runs from the app's lifespan) and stdio for desktop
clients (`academy mcp`). A store API key authenticates (a bearer token over HTTP, the key given to
`academy mcp` over stdio) and is resolved again on every request, so a key revoked mid-session acts
no more. `tools/list` shows what the key's scopes allow; each call goes through `Registry.invoke`,
the same checks and side-effect log as HTTP and the agents; a `send | money | publish` call answers
a pending action unless the key carries the class's unattended scope. Course outlines and lessons
are resources too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server

from core import identity
from core.db import Database
from core.errors import AppError, Unauthorized
from core.principal import Principal
from core.settings import Settings
from rag.runtime import RetrievalRuntime
from tools.base import Registry, Tool, ToolContext, app_error

OUTLINE = re.compile(r"^academy://courses/([A-Za-z0-9_]+)/outline$")
LESSON = re.compile(r"^academy://lessons/([A-Za-z0-9_]+)$")
TokenSource = Callable[[ServerRequestContext[Any, Any]], str | None]


def bearer(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """The API key of an HTTP request (`Authorization: Bearer …`)."""
    request = ctx.request
    header = request.headers.get("authorization", "") if request is not None else ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def tool_annotations(tool: Tool[Any, Any]) -> types.ToolAnnotations:
    """From the side-effect class: reads are read-only and idempotent; `send | money | publish`
    reach people or money and count as destructive."""
    read = tool.side_effect == "read"
    return types.ToolAnnotations(
        title=tool.title,
        read_only_hint=read,
        destructive_hint=tool.side_effect in ("send", "money", "publish"),
        idempotent_hint=read,
        open_world_hint=tool.service == "web",
    )


class AcademyMCP:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        registry: Callable[[], Registry],
        retrieval: Callable[[], RetrievalRuntime | None],
        token: TokenSource = bearer,
    ) -> None:
        """`registry` and `retrieval` are read when a request comes (the app makes them at start-up)."""
        self.db, self.settings, self.retrieval, self.token = db, settings, retrieval, token
        self._registry = registry
        self.server: Server[Any] = Server(
            "academy",
            title="Academy",
            description="The typed tools of an Academy store: courses, lessons, progress and more.",
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
            on_list_resources=self._list_resources,
            on_list_resource_templates=self._list_templates,
            on_read_resource=self._read_resource,
        )

    @property
    def registry(self) -> Registry:
        return self._registry()

    # --- who calls ------------------------------------------------------------------------

    def _principal(self, ctx: ServerRequestContext[Any, Any]) -> Principal:
        token = self.token(ctx)
        if not token:
            raise Unauthorized("send a store API key as a Bearer token")
        with self.db.transaction() as session:
            return identity.resolve_api_key(session, token)

    async def _context(self, ctx: ServerRequestContext[Any, Any]) -> ToolContext:
        principal = await anyio.to_thread.run_sync(self._principal, ctx)
        retrieval = await anyio.to_thread.run_sync(self.retrieval)
        return ToolContext(db=self.db, principal=principal, settings=self.settings, retrieval=retrieval, channel="mcp")

    # --- tools ----------------------------------------------------------------------------

    async def _list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        tool_ctx = await self._context(ctx)
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=tool.name,
                    title=tool.title,
                    description=tool.description
                    + (" (waits for the store owner's approval)" if tool.waits_for_owner(tool_ctx) else ""),
                    input_schema=tool.input_model.model_json_schema(),
                    output_schema=tool.result_schema(),
                    annotations=tool_annotations(tool),
                )
                for tool in self.registry.available(tool_ctx.principal)
            ]
        )

    async def _call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        try:
            tool_ctx = await self._context(ctx)
            output = await anyio.to_thread.run_sync(
                self.registry.invoke, params.name, tool_ctx, dict(params.arguments or {})
            )
        except AppError as exc:
            error = app_error(exc)
            return types.CallToolResult(
                content=[types.TextContent(text=f"{exc.code} ({exc.status}): {exc.detail}")],
                structured_content={"error": error},
                is_error=True,
            )
        return types.CallToolResult(
            content=[types.TextContent(text=json.dumps(output, default=str))], structured_content=output
        )

    # --- resources --------------------------------------------------------------------------

    async def _list_resources(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        tool_ctx = await self._context(ctx)
        courses = await anyio.to_thread.run_sync(self._courses, tool_ctx)
        return types.ListResourcesResult(
            resources=[
                types.Resource(
                    uri=f"academy://courses/{course_id}/outline",
                    name=f"{title} (outline)",
                    description="Modules and lessons, with which ones are open to this key.",
                    mime_type="application/json",
                )
                for course_id, title in courses
            ]
        )

    def _courses(self, tool_ctx: ToolContext) -> list[tuple[str, str]]:
        from courses import catalog

        with self.db.transaction() as session:
            page = catalog.list_courses(session, tool_ctx.principal, None, 200)
            return [(c.id, c.title) for c in page.items]

    async def _list_templates(
        self, ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        await self._context(ctx)
        return types.ListResourceTemplatesResult(
            resource_templates=[
                types.ResourceTemplate(
                    uri_template="academy://courses/{course_id}/outline", name="Course outline",
                    mime_type="application/json",
                ),
                types.ResourceTemplate(
                    uri_template="academy://lessons/{lesson_id}", name="Lesson", mime_type="text/markdown"
                ),
            ]
        )  # fmt: skip

    async def _read_resource(
        self, ctx: ServerRequestContext[Any, Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        tool_ctx = await self._context(ctx)
        uri = str(params.uri)
        if match := OUTLINE.match(uri):
            outline = await anyio.to_thread.run_sync(
                self.registry.invoke, "get_course_outline", tool_ctx, {"course_id": match.group(1)}
            )
            text, mime = json.dumps(outline), "application/json"
        elif match := LESSON.match(uri):
            lesson = await anyio.to_thread.run_sync(
                self.registry.invoke, "read_lesson", tool_ctx, {"lesson_id": match.group(1)}
            )
            text, mime = f"# {lesson['title']}\n\n{lesson['body_md']}", "text/markdown"
        else:
            raise ValueError(f"unknown resource {uri}; see resources/templates/list")
        return types.ReadResourceResult(contents=[types.TextResourceContents(uri=uri, mime_type=mime, text=text)])
