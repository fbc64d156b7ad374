"""What learners ask: the content-gap report of a course, for its creators. The same tool outside
agents call (`content_gaps`), so the page, HTTP and MCP read one report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query
from starlette.concurrency import run_in_threadpool

from api.deps import Caller, Runs
from api.gate import tool_context
from api.routing import v1_router
from tools.insights import GapsOut

router = v1_router(tags=["insights"])


@router.get(
    "/courses/{course_id}/gaps",
    response_model=GapsOut,
    summary="What learners asked that the course could not answer, by topic",
)
async def course_gaps(
    course_id: str,
    caller: Caller,
    runs: Runs,
    days: Annotated[int, Query(ge=1, le=365, description="How far back to look.")] = 90,
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many topics.")] = 10,
) -> Any:
    ctx = await run_in_threadpool(tool_context, runs, caller)  # opening the index may block
    arguments = {"course_id": course_id, "days": days, "limit": limit}
    return await run_in_threadpool(runs.deps.registry.invoke, "content_gaps", ctx, arguments)
