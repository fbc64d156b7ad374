"""The typed tools over HTTP, for scripts and outside agents, with the checks and the side-effect
log the agents get: `GET /v1/tools` lists what the credential may call, `POST /v1/tools/{name}`
calls one. The store's side-effect log is `GET /v1/actions`; an outside agent's pending
`send | money | publish` call is decided with `POST /v1/actions/{id}/approve|reject`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Body, Header, Query
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from api.deps import DB, Caller, Runs
from api.gate import tool_context
from api.paging import DEFAULT_LIMIT, Cursor, Limit
from api.routing import v1_router
from api.schemas import Output
from core import idempotency
from core.errors import NotFound
from core.principal import Principal
from tools import actions, approvals
from tools.base import Tool, ToolContext
from tools.models import ToolAction

router = v1_router(tags=["tools"])


class ToolOut(Output):
    name: str
    title: str
    description: str
    service: str
    side_effect: Literal["read", "write", "send", "money", "publish"]
    scopes: list[str]
    needs_approval: bool = Field(description="Whether a call from this credential waits for the owner's approval.")
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]


def tool_out(tool: Tool[Any, Any], ctx: ToolContext) -> ToolOut:
    return ToolOut(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        service=tool.service,
        side_effect=tool.side_effect,
        scopes=list(tool.scopes),
        needs_approval=tool.waits_for_owner(ctx),
        input_schema=tool.input_model.model_json_schema(),
        output_schema=tool.result_schema(),
    )


class ActionOut(Output):
    id: str
    tool: str
    side_effect: str
    channel: str
    status: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    user_id: str
    api_key_id: str | None
    run_id: str | None
    idempotency_key: str | None
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None


class ActionPage(Output):
    data: list[ActionOut]
    next_cursor: str | None


@router.get("/tools", response_model=list[ToolOut], summary="The tools this credential may call, with their schemas")
def list_tools(caller: Caller, runs: Runs) -> list[ToolOut]:
    ctx = tool_context(runs, caller, with_retrieval=False)  # listing opens no index
    return [tool_out(tool, ctx) for tool in runs.deps.registry.available(caller)]


@router.post(
    "/tools/{name}",
    summary="Call a tool (arguments as the JSON body; `preview: true` on a change answers what it would do)",
    responses={202: {"description": "The call waits for the store owner's approval (a pending action)."}},
)
async def call_tool(
    name: str,
    caller: Caller,
    runs: Runs,
    arguments: Annotated[dict[str, Any], Body(description="The tool's arguments (see GET /v1/tools).")],
    key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Any:
    registry = runs.deps.registry
    if name not in registry.tools:
        raise NotFound(f"no tool named '{name}' (GET /v1/tools lists what you may call)")
    if key is not None:
        idempotency.check_key(key)
    ctx = await run_in_threadpool(tool_context, runs, caller)
    output = await run_in_threadpool(registry.invoke, name, ctx, arguments, key)
    if output.get("status") == "pending" and "action_id" in output:
        return JSONResponse(output, status_code=202)
    return output


@router.get("/actions", response_model=ActionPage, summary="The store's side-effect log, newest first")
def list_actions(
    caller: Caller,
    session: DB,
    status: Annotated[Literal["done", "failed", "previewed", "pending", "rejected"] | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> ActionPage:
    page = actions.list_actions(session, caller, status, cursor, limit)
    return ActionPage(data=[ActionOut.model_validate(a) for a in page.items], next_cursor=page.next_cursor)


def _decide(runs: Runs, caller: Principal, action_id: str, decision: approvals.Decision) -> ToolAction:
    return approvals.decide(runs.deps.registry, tool_context(runs, caller), action_id, decision)


@router.post("/actions/{action_id}/approve", response_model=ActionOut, summary="Approve a pending action (owner)")
def approve_action(action_id: str, caller: Caller, runs: Runs) -> ActionOut:
    return ActionOut.model_validate(_decide(runs, caller, action_id, "approve"))


@router.post("/actions/{action_id}/reject", response_model=ActionOut, summary="Reject a pending action (owner)")
def reject_action(action_id: str, caller: Caller, runs: Runs) -> ActionOut:
    return ActionOut.model_validate(_decide(runs, caller, action_id, "reject"))
