"""Registry tools as LangChain tools, for models that call tools natively. Only the schema is
used by the model; execution always goes back through `Registry.call` (permission, approval)."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import StructuredTool

from tools.base import Tool


def _never_called(**_: Any) -> str:
    raise RuntimeError("registry tools run through the agent's tool node, not LangChain")


def as_langchain_tool(tool: Tool[Any, Any]) -> StructuredTool:
    return StructuredTool(
        name=tool.name,
        description=tool.description,
        args_schema=tool.input_model,
        func=_never_called,
    )
