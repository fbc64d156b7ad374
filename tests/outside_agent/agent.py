"""An outside agent, as a third party would write one: langchain-mcp-adapters loads Academy's MCP
tools into a LangGraph ReAct agent. It runs in its own environment (`.venv-outside`, the adapters
need the 1.x MCP SDK), driven by a scripted chat model, and prints what happened as JSON.

Usage: agent.py URL API_KEY COURSE_ID
"""

import asyncio
import json
import sys
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langchain_mcp_adapters.client import MultiServerMCPClient
from langgraph.prebuilt import create_react_agent


class ScriptedModel(GenericFakeChatModel):
    def bind_tools(self, tools: Any, **kwargs: Any) -> "ScriptedModel":
        return self


def call(name: str, args: dict[str, Any], n: int) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call_{n}"}])


def text(content: Any) -> str:
    """A tool message's text, whether the adapter gave a string or content blocks."""
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content if isinstance(block, dict))


async def main(url: str, key: str, course_id: str) -> None:
    client = MultiServerMCPClient(
        {"academy": {"url": url, "transport": "streamable_http", "headers": {"Authorization": f"Bearer {key}"}}}
    )
    tools = await client.get_tools()
    script = [
        call("get_course_outline", {"course_id": course_id}, 1),
        call("create_module", {"course_id": course_id, "title": "Bonus", "preview": True}, 2),
        call("publish_course", {"course_id": course_id, "published": False}, 3),
        call("get_course_outline", {"course_id": "crs_of_another_store"}, 4),
        AIMessage(content="Done: the unpublish waits for the owner."),
    ]
    agent = create_react_agent(ScriptedModel(messages=iter(script)), tools)
    state = await agent.ainvoke({"messages": [("user", "Tidy up my course")]})
    results = [{"name": m.name, "content": text(m.content)} for m in state["messages"] if isinstance(m, ToolMessage)]
    print(
        json.dumps({"tools": sorted(t.name for t in tools), "results": results, "final": state["messages"][-1].content})
    )


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
