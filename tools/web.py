"""Web tools: search the open web through Tavily when the platform has a key, and say plainly
that it is off when it does not."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.principal import COURSES_READ, LEARN
from tools.base import ToolContext, ToolInput, ToolUnavailable
from tools.declare import ToolSet

TOOLS = ToolSet("web")


class WebSearchIn(ToolInput):
    query: str = Field(min_length=1, max_length=400)


class WebSearchOut(BaseModel):
    results: list[dict[str, str]]


@TOOLS.tool(scopes=(LEARN, COURSES_READ))
def web_search(ctx: ToolContext, args: WebSearchIn) -> WebSearchOut:
    """Search the web (only when the platform has it enabled).

    Tavily, when a key is configured; otherwise the tool says plainly that it is off."""
    key = ctx.settings.tavily_api_key
    if key is None:
        raise ToolUnavailable("web search is off on this platform (no Tavily key is configured)")
    from tavily import TavilyClient

    client = TavilyClient(api_key=key.get_secret_value(), api_base_url=ctx.settings.tavily_base_url)
    try:
        response = client.search(args.query, max_results=5)
    except Exception as exc:  # the SDK raises its own error types for HTTP failures
        raise ToolUnavailable(f"web search failed: {type(exc).__name__}") from exc
    return WebSearchOut(
        results=[
            {
                "title": str(r.get("title", "")),
                "url": str(r.get("url", "")),
                "content": str(r.get("content", ""))[:1000],
            }
            for r in response.get("results", [])
        ]
    )
